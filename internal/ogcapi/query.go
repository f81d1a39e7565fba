package ogcapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi/cql2"
	"github.com/atlas-cooperation/atlas/internal/query"
)

// CRS84 is the only CRS served (longitude, latitude in degrees).
const CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// ItemsQuery is a parsed items request.
type ItemsQuery struct {
	Plan          *query.Plan
	Limit, Offset int
	// Query is the canonical query string of the selection (every
	// parameter but limit, offset and f), carried by the paging links.
	Query string
}

// AllowedItemsParams returns every parameter an items request accepts: the
// atlas facets (atlas.FilterParams, whose bbox is the OGC one) and the OGC
// API parameters of /collections/{id}/items.
func AllowedItemsParams() []string {
	return append(atlas.FilterParams(), "limit", "offset", "bbox", "bbox-crs", "datetime", "filter", "filter-lang", "filter-crs", "f")
}

// ParseItems parses the query of an items request on layer: paging (limit
// clamped to maxLimit), atlas facets, bbox, datetime and filter. Errors are
// *atlas.ParamError naming the parameter (and, for filter, the position).
func ParseItems(snap *index.Snapshot, layer string, q url.Values, defLimit, maxLimit int) (*ItemsQuery, error) {
	if err := atlas.CheckParams(q, AllowedItemsParams()...); err != nil {
		return nil, err
	}
	iq := &ItemsQuery{Limit: defLimit}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 {
			return nil, atlas.InvalidParam("limit", q.Get("limit"), fmt.Sprintf("expected a positive integer (values above %d are served as %d)", maxLimit, maxLimit))
		}
		iq.Limit = min(n, maxLimit)
	}
	if q.Has("offset") {
		n, err := strconv.Atoi(q.Get("offset"))
		if err != nil || n < 0 {
			return nil, atlas.InvalidParam("offset", q.Get("offset"), "expected a non-negative integer")
		}
		iq.Offset = n
	}
	if f := q.Get("f"); q.Has("f") && f != "json" && f != "geojson" && f != "html" {
		return nil, atlas.InvalidParam("f", f, "allowed: json, html")
	}
	for _, p := range []string{"bbox-crs", "filter-crs"} {
		if q.Has(p) && q.Get(p) != CRS84 {
			return nil, atlas.InvalidParam(p, q.Get(p), "only "+CRS84+" is supported")
		}
	}
	facets := url.Values{}
	for _, p := range atlas.FilterParams() {
		if p != atlas.ParamBBox && q.Has(p) {
			facets[p] = q[p]
		}
	}
	base, err := atlas.ParseFilter(facets, snap)
	if err != nil {
		return nil, err
	}
	none := false
	if q.Has("datetime") {
		lo, hi, err := ParseDatetime(q.Get("datetime"))
		if err != nil {
			return nil, err
		}
		if base.Since == 0 || lo > base.Since {
			base.Since = lo
		}
		if hi != 0 && (base.Until == 0 || hi < base.Until) {
			base.Until = hi
		}
		if base.Until != 0 && base.Since > base.Until {
			none = true
		}
	}
	var conj []cql2.Node
	if q.Has("bbox") {
		b, err := parseBBox(q.Get("bbox"))
		if err != nil {
			return nil, err
		}
		conj = append(conj, &cql2.Func{Name: "s_intersects", Args: []cql2.Node{&cql2.Property{Name: query.GeometryProperty}, b}})
	}
	if q.Has("filter") {
		var n cql2.Node
		var err error
		switch lang := q.Get("filter-lang"); lang {
		case "", "cql2-text":
			n, err = cql2.ParseText(q.Get("filter"))
		case "cql2-json":
			n, err = cql2.ParseJSON([]byte(q.Get("filter")))
		default:
			return nil, atlas.InvalidParam("filter-lang", lang, "allowed: cql2-text, cql2-json")
		}
		if err != nil {
			return nil, filterError(q.Get("filter"), err)
		}
		conj = append(conj, n)
	} else if q.Has("filter-lang") {
		return nil, atlas.InvalidParam("filter-lang", q.Get("filter-lang"), "given without filter")
	}
	var n cql2.Node
	switch len(conj) {
	case 1:
		n = conj[0]
	case 2:
		n = &cql2.Logic{Op: "and", Args: conj}
	}
	plan, err := query.Compile(snap, layer, base, n)
	if err != nil {
		if q.Has("filter") {
			return nil, filterError(q.Get("filter"), err)
		}
		return nil, atlas.InvalidParam("bbox", q.Get("bbox"), err.Error())
	}
	plan.None = plan.None || none
	iq.Plan = plan
	keep := url.Values{}
	for k, v := range q {
		if k != "limit" && k != "offset" && k != "f" {
			keep[k] = v
		}
	}
	iq.Query = keep.Encode()
	return iq, nil
}

func filterError(src string, err error) error {
	return &atlas.ParamError{Param: "filter", Value: src, Allowed: err.Error()}
}

// parseBBox parses the OGC bbox parameter: 4 or 6 numbers; minLon > maxLon
// crosses the antimeridian.
func parseBBox(s string) (*cql2.BBox, error) {
	const allowed = "expected minLon,minLat,maxLon,maxLat (or 6 numbers with heights) in degrees"
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, atlas.InvalidParam("bbox", s, allowed)
	}
	cs := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v != v || v > 1e300 || v < -1e300 {
			return nil, atlas.InvalidParam("bbox", s, allowed)
		}
		cs[i] = v
	}
	minx, miny, maxx, maxy := cs[0], cs[1], cs[2], cs[3]
	if len(cs) == 6 {
		minx, miny, maxx, maxy = cs[0], cs[1], cs[3], cs[4]
		if cs[2] > cs[5] {
			return nil, atlas.InvalidParam("bbox", s, allowed+", minimum height <= maximum height")
		}
	}
	if minx < -180 || minx > 180 || maxx < -180 || maxx > 180 || miny < -90 || maxy > 90 || miny > maxy {
		return nil, atlas.InvalidParam("bbox", s, allowed+", longitudes in [-180,180], latitudes in [-90,90], minLat <= maxLat")
	}
	return &cql2.BBox{Coords: cs}, nil
}

// ParseDatetime maps the datetime parameter onto start years: an instant
// (2005, 2005-06-01, 2005-06-01T00:00:00Z) selects its year; an interval
// (a/b, ../b, a/.., with '..' or ” for an open end) the years it touches.
// since is at least 1, so that unknown years are excluded; until is 0 when
// open.
func ParseDatetime(s string) (since, until int, err error) {
	const allowed = "expected an instant (2005, 2005-06-01 or 2005-06-01T00:00:00Z) or an interval a/b with '..' for an open end"
	bad := atlas.InvalidParam("datetime", s, allowed)
	year := func(x string) (int, bool) {
		if len(x) == 4 {
			y, err := strconv.Atoi(x)
			return y, err == nil && y > 0
		}
		if t, err := time.Parse("2006-01-02", x); err == nil {
			return t.Year(), true
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC().Year(), true
		}
		return 0, false
	}
	a, b, interval := strings.Cut(s, "/")
	if !interval {
		y, ok := year(s)
		if !ok {
			return 0, 0, bad
		}
		return y, y, nil
	}
	since, until = 1, 0
	if a != ".." && a != "" {
		y, ok := year(a)
		if !ok {
			return 0, 0, bad
		}
		since = y
	}
	if b != ".." && b != "" {
		y, ok := year(b)
		if !ok {
			return 0, 0, bad
		}
		until = y
	}
	if until != 0 && since > until {
		return 0, 0, atlas.InvalidParam("datetime", s, "the interval starts after it ends")
	}
	return since, until, nil
}
