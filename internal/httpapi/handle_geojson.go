package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/gorilla/mux"
)

// parsePage reads limit (default DefaultLimit, at most MaxLimit) and offset.
func (s *Server) parsePage(q url.Values) (limit, offset int, err error) {
	return parseLimitOffset(q, s.opts.DefaultLimit, s.opts.MaxLimit)
}

// parseLimitOffset reads limit (def when absent; 1 to max, any positive
// number when max is 0) and offset (≥ 0).
func parseLimitOffset(q url.Values, def, max int) (limit, offset int, err error) {
	limit = def
	if q.Has("limit") {
		limit, err = strconv.Atoi(q.Get("limit"))
		if err != nil || limit < 1 || (max > 0 && limit > max) {
			want := "expected a positive integer"
			if max > 0 {
				want = fmt.Sprintf("expected an integer between 1 and %d", max)
			}
			return 0, 0, atlas.InvalidParam("limit", q.Get("limit"), want)
		}
	}
	if q.Has("offset") {
		offset, err = strconv.Atoi(q.Get("offset"))
		if err != nil || offset < 0 {
			return 0, 0, atlas.InvalidParam("offset", q.Get("offset"), "expected a non-negative integer")
		}
	}
	return limit, offset, nil
}

// handleGeoJSON serves GET /geojson/{layer}?<filters>&limit=&offset=: an RFC
// 7946 FeatureCollection in stable (load) order, with numberMatched,
// numberReturned and next/prev links, streamed feature by feature.
func (s *Server) handleGeoJSON(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	layer := mux.Vars(r)["layer"]
	if _, err := index.LayerByID(layer); err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "limit", "offset", "sortby")
	if err != nil {
		return err
	}
	limit, offset, err := s.parsePage(q)
	if err != nil {
		return err
	}
	sortBy, desc, err := parseSortBy(q, layer)
	if err != nil {
		return err
	}
	page := fmt.Sprintf("limit=%d&offset=%d", limit, offset)
	sortQ := ""
	if sortBy != "" {
		sortQ = "sortby=" + url.QueryEscape(q.Get("sortby")) + "&"
	}
	canonical := "/geojson/" + layer + "?" + f.Encode() + "&" + sortQ + page
	if s.notModified(w, r, etag(r, snap.Version(), canonical)) {
		return nil
	}
	ids, sel, err := snap.Items(layer, f)
	if err != nil {
		return err
	}
	if sortBy != "" {
		if ids, err = snap.SortPartnerships(r.Context(), ids, sortBy, desc); err != nil {
			return err
		}
	}
	total := len(ids)
	lo := min(offset, total)
	hi := lo + min(limit, total-lo) // not offset+limit, which overflows
	w.Header().Set("Content-Type", "application/geo+json")
	if r.Method == http.MethodHead {
		return nil
	}
	base := s.baseURL(r) + "/geojson/" + layer + "?"
	if fq := f.Encode(); fq != "" {
		base += fq + "&"
	}
	base += sortQ
	type link struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
		Type string `json:"type"`
	}
	links := []link{{base + page, "self", "application/geo+json"}}
	if hi < total {
		links = append(links, link{fmt.Sprintf("%slimit=%d&offset=%d", base, limit, hi), "next", "application/geo+json"})
	}
	if lo > 0 {
		links = append(links, link{fmt.Sprintf("%slimit=%d&offset=%d", base, limit, max(0, lo-limit)), "prev", "application/geo+json"})
	}
	out, flush, done := body(w, r)
	head, err := json.Marshal(struct {
		Type           string `json:"type"`
		NumberMatched  int    `json:"numberMatched"`
		NumberReturned int    `json:"numberReturned"`
		Links          []link `json:"links"`
	}{"FeatureCollection", total, hi - lo, links})
	if err != nil {
		return err
	}
	return writeFeatures(r.Context(), out, flush, done, head, snap, layer, ids[lo:hi], sel, s.apdProperty(snap, layer, f))
}

// apdProperty returns what adds apd_eur (see apdOf) to the features of the
// countries and authorities layers; nil for other layers.
func (s *Server) apdProperty(snap *index.Snapshot, layer string, f atlas.Filter) func(dst []byte, i int32) []byte {
	apd := s.apdOf(snap, layer, f)
	if apd == nil {
		return nil
	}
	return func(dst []byte, i int32) []byte {
		return strconv.AppendInt(append(dst, `,"apd_eur":`...), apd(i), 10)
	}
}

// apdOf returns the apd_eur of feature i of the countries layer (the APD it
// received) or of the authorities layer (the APD it gave), over the
// declared lines of the years since to until of f; nil for other layers.
// GeoJSON and the exports carry it, the tiles do not. The returned function
// only reads the ledger's shared tables: it is safe for concurrent use.
func (s *Server) apdOf(snap *index.Snapshot, layer string, f atlas.Filter) func(i int32) int64 {
	switch layer {
	case index.LayerCountries:
		received := s.money.For(snap).Received(f.Since, f.Until)
		return func(i int32) int64 { return received[snap.FeatureID(layer, i)] }
	case index.LayerAuthorities:
		given := s.money.For(snap).Given(f.Since, f.Until)
		return func(i int32) int64 { return given[i] }
	}
	return nil
}

// writeFeatures streams a FeatureCollection: head is the JSON object of its
// other members (type, counts, links), flushed to the client before the
// features of ids are encoded one by one. extra, when not nil, appends
// further properties (each starting with a comma) to feature i's.
func writeFeatures(ctx context.Context, out *bufio.Writer, flush func(), done func() error, head []byte,
	snap *index.Snapshot, layer string, ids []int32, sel *index.Selection, extra func(dst []byte, i int32) []byte) error {
	out.Write(head[:len(head)-1])
	out.WriteString(`,"features":[`)
	flush()
	var buf []byte
	for k, i := range ids {
		if k%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		buf = buf[:0]
		if k > 0 {
			buf = append(buf, ',')
		}
		buf = snap.AppendFeature(buf, layer, i, sel)
		if extra != nil { // the feature ends with its properties' "}}"
			buf = append(extra(buf[:len(buf)-2], i), "}}"...)
		}
		if _, err := out.Write(buf); err != nil {
			return err
		}
	}
	out.WriteString("]}\n")
	return done()
}

// parseSortBy reads sortby, the order of a list of partnerships: one field
// of index.SortKeys, descending with a leading "-" (a "+" or nothing:
// ascending), as OGC API – Features part 5 writes it. Only the partnerships
// layer sorts.
func parseSortBy(q url.Values, layer string) (key string, desc bool, err error) {
	if !q.Has("sortby") {
		return "", false, nil
	}
	v := q.Get("sortby")
	if layer != index.LayerPartnerships {
		return "", false, atlas.InvalidParam("sortby", v, "only the partnerships layer sorts")
	}
	key = strings.TrimLeft(v, "+-")
	if len(v)-len(key) > 1 || !slices.Contains(index.SortKeys(), key) {
		return "", false, atlas.InvalidParam("sortby", v, "allowed: "+strings.Join(index.SortKeys(), ", ")+", each with an optional - (descending) or + before it")
	}
	return key, strings.HasPrefix(v, "-"), nil
}
