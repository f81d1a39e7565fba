// Package query is the atlas's query planner: it compiles a CQL2 filter
// (parsed by package cql2) on one collection into a Plan, the index facets
// the filter's conjuncts can be answered with (posting lists, the R-trees,
// the year order) and a residual predicate, in CQL2's three-valued logic,
// for what they cannot (LIKE, OR across facets, NOT, polygons, arrays,
// temporal functions). It owns the queryables, the typed properties a
// filter may name. The OGC API layer parses the request and serves the
// documents; this package decides which features match.
package query

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi/cql2"
	"github.com/paulmach/orb"
)

// A Plan selects the features of one collection: the index facets (cheap,
// posting lists and R-trees) and, for what they cannot express (LIKE, OR
// across facets, NOT, polygons…), a residual predicate evaluated on each
// candidate the facets let through. A Plan is immutable and safe for
// concurrent use.
type Plan struct {
	Layer  string
	Filter atlas.Filter // facets handed to Snapshot.Items
	None   bool         // provably matches nothing
	pred   pred         // nil when the facets are exact
	preds  int64        // predicates and values in pred
}

// tri is a three-valued logic value (CQL2 comparisons with null are unknown).
type tri int8

const (
	tFalse tri = iota
	tTrue
	tUnknown
)

func triOf(b bool) tri {
	if b {
		return tTrue
	}
	return tFalse
}

type pred func(r *row) tri

// row is one candidate feature.
type row struct {
	snap  *index.Snapshot
	sel   *index.Selection
	layer string
	i     int32
	props map[string]any // lazily, for non-partnership layers
	work  int64          // work units spent on this plan so far
}

// Bounds on what one filter may ask. The caps on its parts are checked when
// it is compiled (an error naming the limit); the work is counted while it is
// evaluated, so that no filter, whatever its shape, costs more than about
// half a second of CPU on the embedded data.
const (
	// MaxOperands bounds the predicates and values of one filter.
	MaxOperands = 1000
	// MaxPatterns bounds the characters of all the LIKE patterns of one filter.
	MaxPatterns = 1024
	// MaxWork bounds the work units of evaluating a filter on one collection.
	// A unit is one geometry edge or vertex tested, one LIKE segment searched,
	// or one predicate evaluated on one feature.
	MaxWork = 40_000_000
)

// ErrTooCostly is returned by Items when the filter needs more than MaxWork
// units of work: the request should be narrowed (bbox, facets, a simpler
// geometry).
var ErrTooCostly = errors.New("the filter needs more work than one request may spend (" + strconv.Itoa(MaxWork) + " units: geometry edges tested, LIKE segments, predicates per feature); narrow it with bbox, datetime or facet parameters, or simplify its geometry")

// Residual reports whether the plan evaluates a predicate on each candidate
// (the costly part of a filter), rather than the facets alone.
func (p *Plan) Residual() bool { return !p.None && p.pred != nil }

// Items returns the sorted indices of the features the plan selects, and the
// selection of its facets (for the feature properties). It stops with ctx's
// error once ctx is done (checked every 64 features), and with ErrTooCostly
// once the evaluation has spent MaxWork units.
func (p *Plan) Items(ctx context.Context, snap *index.Snapshot) ([]int32, *index.Selection, error) {
	ids, sel, _, err := p.items(ctx, snap, MaxWork)
	return ids, sel, err
}

// items is Items with its budget, returning the work spent and the most
// work one feature took.
func (p *Plan) items(ctx context.Context, snap *index.Snapshot, budget int64) ([]int32, *index.Selection, workSpent, error) {
	var w workSpent
	if p.None {
		return nil, snap.Select(p.Filter), w, nil
	}
	ids, sel, err := snap.Items(p.Layer, p.Filter)
	if err != nil || p.pred == nil {
		return ids, sel, w, err
	}
	out := make([]int32, 0, len(ids)/2)
	r := &row{snap: snap, sel: sel, layer: p.Layer}
	for k, i := range ids {
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, w, err
			}
		}
		before := r.work
		r.i, r.props = i, nil
		r.work += p.preds
		if p.pred(r) == tTrue {
			out = append(out, i)
		}
		w.total, w.maxRow = r.work, max(w.maxRow, r.work-before)
		if r.work > budget {
			return nil, nil, w, ErrTooCostly
		}
	}
	return out, sel, w, nil
}

type workSpent struct{ total, maxRow int64 }

// Compile builds the plan of filter n (nil: no filter) on layer, ANDed with
// the facets of base (from the query parameters). snap answers whether the
// identifiers named exist. Errors are *cql2.Error with the position of the
// offending expression.
func Compile(snap *index.Snapshot, layer string, base atlas.Filter, n cql2.Node) (*Plan, error) {
	qs, err := Queryables(layer)
	if err != nil {
		return nil, err
	}
	c := &compiler{snap: snap, layer: layer, qs: map[string]Queryable{}}
	for _, q := range qs {
		c.qs[q.Name] = q
	}
	p := &Plan{Layer: layer, Filter: base}
	if n == nil {
		return p, nil
	}
	var conj []cql2.Node
	var flatten func(n cql2.Node)
	flatten = func(n cql2.Node) {
		if l, ok := n.(*cql2.Logic); ok && l.Op == "and" {
			for _, a := range l.Args {
				flatten(a)
			}
			return
		}
		conj = append(conj, n)
	}
	flatten(n)
	var residual []pred
	for _, x := range conj {
		pr, err := c.predicate(x)
		if err != nil {
			return nil, err
		}
		if !c.facet(p, x) {
			residual = append(residual, pr)
		}
	}
	p.preds = int64(c.ops)
	switch len(residual) {
	case 0:
	case 1:
		p.pred = residual[0]
	default:
		p.pred = and(residual)
	}
	return p, nil
}

func and(ps []pred) pred {
	return func(r *row) tri {
		out := tTrue
		for _, p := range ps {
			switch p(r) {
			case tFalse:
				return tFalse
			case tUnknown:
				out = tUnknown
			}
		}
		return out
	}
}

func or(ps []pred) pred {
	return func(r *row) tri {
		out := tFalse
		for _, p := range ps {
			switch p(r) {
			case tTrue:
				return tTrue
			case tUnknown:
				out = tUnknown
			}
		}
		return out
	}
}

type compiler struct {
	snap  *index.Snapshot
	layer string
	qs    map[string]Queryable
	verts int // vertices of the geometry literals so far
	ops   int // predicates and values so far
	chars int // characters of the LIKE patterns so far
}

// operand counts one more predicate or value of the filter.
func (c *compiler) operand(n cql2.Node) error {
	if c.ops++; c.ops > MaxOperands {
		return cql2.Errorf(cql2.PosOf(n), "the filter has more than %d predicates and values", MaxOperands)
	}
	return nil
}

// Values -----------------------------------------------------------------

type vkind int8

const (
	vNull vkind = iota
	vStr
	vNum
	vBool
	vArr  // strings
	vTime // closed interval [t0, t1] in Unix seconds
	vGeom
)

type val struct {
	k      vkind
	s      string
	n      float64
	b      bool
	arr    []string
	t0, t1 int64
	g      orb.Geometry
	bbox   *orb.Bound // set for BBOX literals
}

// A scalar is a compiled value expression with its static type.
type scalar struct {
	typ   string // a queryable type, or "temporal", "literal-array"
	get   func(r *row) val
	konst *val // set for literals
	prop  string
	pos   cql2.Pos
}

const (
	tTemporal = "temporal"
	tLitArray = "literal-array"
)

func (c *compiler) scalar(n cql2.Node) (scalar, error) {
	pos := cql2.PosOf(n)
	if err := c.operand(n); err != nil {
		return scalar{}, err
	}
	lit := func(typ string, v val) (scalar, error) {
		return scalar{typ: typ, get: func(*row) val { return v }, konst: &v, pos: pos}, nil
	}
	switch n := n.(type) {
	case *cql2.Property:
		q, ok := c.qs[n.Name]
		if !ok {
			return scalar{}, cql2.Errorf(pos, "unknown property %q; see the queryables of %s", n.Name, c.layer)
		}
		return scalar{typ: q.Type, get: c.getter(q), prop: q.Name, pos: pos}, nil
	case *cql2.String:
		return lit(TypeString, val{k: vStr, s: n.V})
	case *cql2.Number:
		return lit(TypeNumber, val{k: vNum, n: n.V})
	case *cql2.Bool:
		return lit(TypeBoolean, val{k: vBool, b: n.V})
	case *cql2.Date, *cql2.Timestamp, *cql2.Interval:
		t0, t1, err := temporal(n)
		if err != nil {
			return scalar{}, err
		}
		return lit(tTemporal, val{k: vTime, t0: t0, t1: t1})
	case *cql2.Array:
		var ss []string
		for _, it := range n.Items {
			switch it := it.(type) {
			case *cql2.String:
				ss = append(ss, it.V)
			default:
				return scalar{}, cql2.Errorf(cql2.PosOf(it), "array literals may hold strings only")
			}
		}
		return lit(tLitArray, val{k: vArr, arr: ss})
	case *cql2.Geometry:
		if err := checkLonLat(n); err != nil {
			return scalar{}, err
		}
		if c.verts += vertices(n.G); c.verts > MaxVertices {
			return scalar{}, cql2.Errorf(pos, "the filter's geometries have %d vertices or more: at most %d", c.verts, MaxVertices)
		}
		return lit(TypeGeometry, val{k: vGeom, g: n.G})
	case *cql2.BBox:
		cs := n.Coords
		minx, miny, maxx, maxy := cs[0], cs[1], cs[2], cs[3]
		if len(cs) == 6 {
			minx, miny, maxx, maxy = cs[0], cs[1], cs[3], cs[4]
		}
		if miny > maxy || minx < -180 || maxx > 180 || miny < -90 || maxy > 90 || minx > 180 || maxx < -180 {
			return scalar{}, cql2.Errorf(pos, "BBOX: expected minLon, minLat, maxLon, maxLat in degrees (minLon > maxLon crosses the antimeridian)")
		}
		b := orb.Bound{Min: orb.Point{minx, miny}, Max: orb.Point{maxx, maxy}}
		var g orb.Geometry = b.ToPolygon()
		if minx > maxx { // crosses the antimeridian
			g = orb.MultiPolygon{
				orb.Bound{Min: orb.Point{minx, miny}, Max: orb.Point{180, maxy}}.ToPolygon(),
				orb.Bound{Min: orb.Point{-180, miny}, Max: orb.Point{maxx, maxy}}.ToPolygon(),
			}
			return lit(TypeGeometry, val{k: vGeom, g: g})
		}
		return lit(TypeGeometry, val{k: vGeom, g: g, bbox: &b})
	case *cql2.Func:
		return scalar{}, cql2.Errorf(pos, "function %s is not supported as a value", n.Name)
	}
	return scalar{}, cql2.Errorf(pos, "a predicate is not a value here")
}

func checkLonLat(n *cql2.Geometry) error {
	var bad bool
	var walk func(g orb.Geometry)
	walk = func(g orb.Geometry) {
		if c, ok := g.(orb.Collection); ok {
			for _, s := range c {
				walk(s)
			}
			return
		}
		b := g.Bound()
		if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
			bad = true
		}
	}
	walk(n.G)
	if bad {
		return cql2.Errorf(n.Pos, "geometry coordinates must be longitude/latitude in degrees (CRS84)")
	}
	return nil
}

// temporal returns the closed interval of a temporal literal.
func temporal(n cql2.Node) (int64, int64, error) {
	switch n := n.(type) {
	case *cql2.Date:
		t, _ := time.Parse("2006-01-02", n.V)
		return t.Unix(), t.Unix(), nil
	case *cql2.Timestamp:
		t, _ := time.Parse(time.RFC3339Nano, n.V)
		return t.Unix(), t.Unix(), nil
	case *cql2.Interval:
		bound := func(b cql2.Node, start bool) (int64, error) {
			switch b := b.(type) {
			case *cql2.String:
				if start {
					return math.MinInt64, nil
				}
				return math.MaxInt64, nil
			case *cql2.Date, *cql2.Timestamp:
				t0, _, err := temporal(b)
				return t0, err
			}
			return 0, cql2.Errorf(cql2.PosOf(b), "interval bounds must be dates, timestamps or '..'")
		}
		a, err := bound(n.Start, true)
		if err != nil {
			return 0, 0, err
		}
		b, err := bound(n.End, false)
		if err != nil {
			return 0, 0, err
		}
		if a > b {
			return 0, 0, cql2.Errorf(n.Pos, "interval starts after it ends")
		}
		return a, b, nil
	}
	return 0, 0, cql2.Errorf(cql2.PosOf(n), "expected a temporal value")
}

// YearInterval returns the Unix seconds of the first and last second of year y.
func YearInterval(y int) (int64, int64) {
	t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return t.Unix(), t.AddDate(1, 0, 0).Unix() - 1
}

// Getters -------------------------------------------------------------------

func (c *compiler) getter(q Queryable) func(r *row) val {
	if q.Name == GeometryProperty {
		return func(r *row) val { return val{k: vGeom, g: r.snap.Geometry(r.layer, r.i)} }
	}
	if c.layer == index.LayerPartnerships {
		return partnershipGetter(q.Name)
	}
	name := q.Name
	return func(r *row) val {
		if r.props == nil {
			r.props = r.snap.Properties(r.layer, r.i, r.sel)
		}
		return anyVal(r.props[name])
	}
}

func anyVal(v any) val {
	switch v := v.(type) {
	case string:
		return val{k: vStr, s: v}
	case int:
		return val{k: vNum, n: float64(v)}
	case int64:
		return val{k: vNum, n: float64(v)}
	case float64:
		return val{k: vNum, n: v}
	case bool:
		return val{k: vBool, b: v}
	case []string:
		return val{k: vArr, arr: v}
	}
	return val{}
}

func partnershipGetter(name string) func(r *row) val {
	ds := func(r *row) *atlas.Dataset { return r.snap.Dataset() }
	auth := func(r *row) *atlas.Authority {
		a, _ := r.snap.PartnershipEnds(r.i)
		return &ds(r).Authorities[a]
	}
	partner := func(r *row) *atlas.Partner {
		_, p := r.snap.PartnershipEnds(r.i)
		return &ds(r).Partners[p]
	}
	str := func(f func(r *row) string) func(r *row) val {
		return func(r *row) val { return val{k: vStr, s: f(r)} }
	}
	switch name {
	case "id":
		return str(func(r *row) string { return ds(r).Partnerships[r.i].ID })
	case "authority_id":
		return str(func(r *row) string { return auth(r).ID })
	case "authority_name":
		return str(func(r *row) string { return auth(r).Name })
	case "authority_type":
		return str(func(r *row) string { return string(auth(r).Type) })
	case "partner_id":
		return str(func(r *row) string { return partner(r).ID })
	case "partner_name":
		return str(func(r *row) string { return partner(r).Name })
	case "country":
		return str(func(r *row) string { return partner(r).Country })
	case "country_name":
		return str(func(r *row) string {
			c := ds(r).Countries[r.snap.PartnershipCountry(r.i)]
			return c.NameFR
		})
	case "kind":
		return str(func(r *row) string { return string(ds(r).Partnerships[r.i].Kind) })
	case "provenance":
		return str(func(r *row) string { return string(ds(r).Partnerships[r.i].Provenance) })
	case "start_year":
		return func(r *row) val {
			y := ds(r).Partnerships[r.i].StartYear
			if y == 0 {
				return val{}
			}
			t0, t1 := YearInterval(y)
			return val{k: vNum, n: float64(y), t0: t0, t1: t1}
		}
	case "active":
		return func(r *row) val { return val{k: vBool, b: ds(r).Partnerships[r.i].Active} }
	case "themes", "theme":
		return func(r *row) val { return val{k: vArr, arr: r.snap.PartnershipThemes(r.i)} }
	case "sources":
		return func(r *row) val { return val{k: vArr, arr: ds(r).Partnerships[r.i].Sources} }
	case "projects":
		return func(r *row) val { return val{k: vNum, n: float64(r.snap.PartnershipProjectCount(r.i))} }
	}
	return func(*row) val { return val{} }
}

// Predicates ------------------------------------------------------------------

func numeric(t string) bool { return t == TypeInteger || t == TypeNumber || t == TypeYear }

// comparable checks that a and b can be compared with op.
func comparable(a, b scalar, op string, pos cql2.Pos) error {
	ok := false
	switch {
	case numeric(a.typ) && numeric(b.typ):
		ok = true
	case a.typ == TypeString && b.typ == TypeString, a.typ == TypeTheme && b.typ == TypeString, a.typ == TypeString && b.typ == TypeTheme:
		ok = a.typ == TypeString || op == "=" || op == "<>"
	case a.typ == TypeBoolean && b.typ == TypeBoolean:
		ok = op == "=" || op == "<>"
	}
	if !ok {
		return cql2.Errorf(pos, "cannot compare %s with %s using %s", describeScalar(a), describeScalar(b), op)
	}
	return nil
}

func describeScalar(s scalar) string {
	t := s.typ
	switch t {
	case TypeYear:
		t = "integer"
	case TypeTheme:
		t = "theme"
	case tLitArray:
		t = "array"
	}
	if s.prop != "" {
		return "property " + s.prop + " (" + t + ")"
	}
	return "a " + t + " literal"
}

func cmpVals(a, b val) (int, bool) {
	switch {
	case a.k == vNull || b.k == vNull:
		return 0, false
	case a.k == vNum && b.k == vNum:
		switch {
		case a.n < b.n:
			return -1, true
		case a.n > b.n:
			return 1, true
		}
		return 0, true
	case a.k == vStr && b.k == vStr:
		return strings.Compare(a.s, b.s), true
	case a.k == vBool && b.k == vBool:
		if a.b == b.b {
			return 0, true
		}
		return 1, true
	}
	return 0, false
}

func opHolds(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

// predicate compiles n into a predicate, by operator family.
func (c *compiler) predicate(n cql2.Node) (pred, error) {
	if err := c.operand(n); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *cql2.Logic:
		return c.logic(n)
	case *cql2.Not:
		return c.not(n)
	case *cql2.Bool:
		v := triOf(n.V)
		return func(*row) tri { return v }, nil
	case *cql2.Property:
		return c.booleanProperty(n)
	case *cql2.Compare:
		return c.compare(n)
	case *cql2.Like:
		return c.like(n)
	case *cql2.Between:
		return c.between(n)
	case *cql2.In:
		return c.in(n)
	case *cql2.IsNull:
		return c.isNull(n)
	case *cql2.Func:
		return c.function(n)
	}
	return nil, cql2.Errorf(cql2.PosOf(n), "expected a predicate")
}

// logic compiles logical operators: AND, OR.
func (c *compiler) logic(n *cql2.Logic) (pred, error) {
	ps := make([]pred, len(n.Args))
	for i, a := range n.Args {
		p, err := c.predicate(a)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	if n.Op == "and" {
		return and(ps), nil
	}
	return or(ps), nil
}

// not compiles NOT: true and false swap, unknown stays unknown.
func (c *compiler) not(n *cql2.Not) (pred, error) {
	p, err := c.predicate(n.Arg)
	if err != nil {
		return nil, err
	}
	return func(r *row) tri {
		switch p(r) {
		case tTrue:
			return tFalse
		case tFalse:
			return tTrue
		}
		return tUnknown
	}, nil
}

// booleanProperty compiles a boolean property standing as a predicate.
func (c *compiler) booleanProperty(n *cql2.Property) (pred, error) {
	pos := cql2.PosOf(n)
	s, err := c.scalar(n)
	if err != nil {
		return nil, err
	}
	if s.typ != TypeBoolean {
		return nil, cql2.Errorf(pos, "property %s is not a boolean", n.Name)
	}
	return func(r *row) tri {
		v := s.get(r)
		if v.k != vBool {
			return tUnknown
		}
		return triOf(v.b)
	}, nil
}

// compare compiles comparisons: =, <>, <, >, <=, >=; on theme, membership.
func (c *compiler) compare(n *cql2.Compare) (pred, error) {
	pos := cql2.PosOf(n)
	a, err := c.scalar(n.Left)
	if err != nil {
		return nil, err
	}
	b, err := c.scalar(n.Right)
	if err != nil {
		return nil, err
	}
	if err := comparable(a, b, n.Op, pos); err != nil {
		return nil, err
	}
	if a.typ == TypeTheme || b.typ == TypeTheme {
		th, lit := a, b
		if b.typ == TypeTheme {
			th, lit = b, a
		}
		eq := n.Op == "="
		return func(r *row) tri {
			l := lit.get(r)
			if l.k == vNull {
				return tUnknown
			}
			return triOf(slices.Contains(th.get(r).arr, l.s) == eq)
		}, nil
	}
	op := n.Op
	return func(r *row) tri {
		c, ok := cmpVals(a.get(r), b.get(r))
		if !ok {
			return tUnknown
		}
		return triOf(opHolds(op, c))
	}, nil
}

// like compiles LIKE, on strings and on theme (any of its slugs).
func (c *compiler) like(n *cql2.Like) (pred, error) {
	pos := cql2.PosOf(n)
	a, err := c.scalar(n.Value)
	if err != nil {
		return nil, err
	}
	if a.typ != TypeString && a.typ != TypeTheme {
		return nil, cql2.Errorf(pos, "LIKE needs a string, not %s", describeScalar(a))
	}
	pat, ok := n.Pattern.(*cql2.String)
	if !ok {
		return nil, cql2.Errorf(cql2.PosOf(n.Pattern), "LIKE needs a string pattern")
	}
	if k := utf8.RuneCountInString(pat.V); k > MaxPattern {
		return nil, cql2.Errorf(cql2.PosOf(n.Pattern), "LIKE pattern of %d characters: at most %d", k, MaxPattern)
	} else if c.chars += k; c.chars > MaxPatterns {
		return nil, cql2.Errorf(cql2.PosOf(n.Pattern), "the filter's LIKE patterns have more than %d characters", MaxPatterns)
	}
	m := compileLike(pat.V)
	if a.typ == TypeTheme {
		cost := int64(len(m.segs) + 1)
		return func(r *row) tri {
			arr := a.get(r).arr
			r.work += cost * int64(len(arr))
			return triOf(slices.ContainsFunc(arr, m.Match))
		}, nil
	}
	return func(r *row) tri {
		v := a.get(r)
		if v.k != vStr {
			return tUnknown
		}
		r.work += int64(len(m.segs) + 1)
		return triOf(m.Match(v.s))
	}, nil
}

// between compiles BETWEEN, on numbers and years.
func (c *compiler) between(n *cql2.Between) (pred, error) {
	pos := cql2.PosOf(n)
	v, err := c.scalar(n.Value)
	if err != nil {
		return nil, err
	}
	lo, err := c.scalar(n.Low)
	if err != nil {
		return nil, err
	}
	hi, err := c.scalar(n.High)
	if err != nil {
		return nil, err
	}
	if !numeric(v.typ) || !numeric(lo.typ) || !numeric(hi.typ) {
		return nil, cql2.Errorf(pos, "BETWEEN needs numbers")
	}
	return func(r *row) tri {
		x := v.get(r)
		c1, ok1 := cmpVals(x, lo.get(r))
		c2, ok2 := cmpVals(x, hi.get(r))
		if !ok1 || !ok2 {
			return tUnknown
		}
		return triOf(c1 >= 0 && c2 <= 0)
	}, nil
}

// in compiles IN, on any comparable scalar; on theme, any of the listed slugs.
func (c *compiler) in(n *cql2.In) (pred, error) {
	v, err := c.scalar(n.Value)
	if err != nil {
		return nil, err
	}
	items := make([]scalar, len(n.List))
	for i, it := range n.List {
		s, err := c.scalar(it)
		if err != nil {
			return nil, err
		}
		if err := comparable(v, s, "=", cql2.PosOf(it)); err != nil {
			return nil, err
		}
		items[i] = s
	}
	if v.typ == TypeTheme {
		return func(r *row) tri {
			arr := v.get(r).arr
			for _, it := range items {
				if slices.Contains(arr, it.get(r).s) {
					return tTrue
				}
			}
			return tFalse
		}, nil
	}
	return func(r *row) tri {
		x := v.get(r)
		if x.k == vNull {
			return tUnknown
		}
		for _, it := range items {
			if c, ok := cmpVals(x, it.get(r)); ok && c == 0 {
				return tTrue
			}
		}
		return tFalse
	}, nil
}

// isNull compiles IS NULL; on theme, no theme at all.
func (c *compiler) isNull(n *cql2.IsNull) (pred, error) {
	v, err := c.scalar(n.Arg)
	if err != nil {
		return nil, err
	}
	if v.typ == TypeTheme {
		return func(r *row) tri { return triOf(len(v.get(r).arr) == 0) }, nil
	}
	return func(r *row) tri { return triOf(v.get(r).k == vNull) }, nil
}

func (c *compiler) function(n *cql2.Func) (pred, error) {
	name := n.Name
	if len(n.Args) != 2 {
		return nil, cql2.Errorf(n.Pos, "%s takes 2 arguments, got %d", strings.ToUpper(name), len(n.Args))
	}
	a, err := c.scalar(n.Args[0])
	if err != nil {
		return nil, err
	}
	b, err := c.scalar(n.Args[1])
	if err != nil {
		return nil, err
	}
	switch {
	case name == "s_intersects" || name == "s_disjoint":
		if a.typ != TypeGeometry || b.typ != TypeGeometry {
			return nil, cql2.Errorf(n.Pos, "%s needs two geometries", strings.ToUpper(name))
		}
		want := name == "s_intersects"
		feature, lit := a, b
		if b.prop == GeometryProperty {
			feature, lit = b, a
		}
		if feature.prop == GeometryProperty && lit.konst != nil && lit.konst.bbox == nil {
			pr := prepare(lit.konst.g)
			return func(r *row) tri {
				return triOf(pr.Intersects(feature.get(r).g, &r.work) == want)
			}, nil
		}
		return func(r *row) tri {
			x, y := a.get(r), b.get(r)
			hit := false
			switch {
			case y.bbox != nil && a.prop == GeometryProperty:
				hit = r.snap.Intersects(r.layer, r.i, *y.bbox)
			case x.bbox != nil && b.prop == GeometryProperty:
				hit = r.snap.Intersects(r.layer, r.i, *x.bbox)
			default:
				hit = Intersects(x.g, y.g)
			}
			return triOf(hit == want)
		}, nil
	case allen(name) != nil:
		if !temporalType(a.typ) || !temporalType(b.typ) {
			return nil, cql2.Errorf(n.Pos, "%s needs two temporal values (start_year, DATE, TIMESTAMP or INTERVAL)", strings.ToUpper(name))
		}
		rel := allen(name)
		return func(r *row) tri {
			x, y := a.get(r), b.get(r)
			if x.k == vNull || y.k == vNull {
				return tUnknown
			}
			return triOf(rel(x.t0, x.t1, y.t0, y.t1))
		}, nil
	case slices.Contains(cql2.ArrayFuncs(), name):
		arr, lit, flip := a, b, false
		if a.typ == tLitArray && b.typ == TypeArray {
			arr, lit, flip = b, a, true
		}
		if arr.typ != TypeArray || lit.typ != tLitArray {
			return nil, cql2.Errorf(n.Pos, "%s needs an array property (themes, sources) and an array literal", strings.ToUpper(name))
		}
		op := name
		if flip {
			switch op {
			case "a_contains":
				op = "a_containedby"
			case "a_containedby":
				op = "a_contains"
			}
		}
		set := lit.konst.arr
		return func(r *row) tri {
			have := arr.get(r).arr
			return triOf(arrayOp(op, have, set))
		}, nil
	}
	if slices.Contains(cql2.SpatialFuncs(), name) {
		return nil, cql2.Errorf(n.Pos, "%s is not supported: use S_INTERSECTS or S_DISJOINT", strings.ToUpper(name))
	}
	return nil, cql2.Errorf(n.Pos, "unknown function %s", name)
}

func temporalType(t string) bool { return t == TypeYear || t == tTemporal }

func arrayOp(op string, have, lit []string) bool {
	in := func(xs []string, x string) bool { return slices.Contains(xs, x) }
	all := func(xs, ys []string) bool { // every x in ys
		for _, x := range xs {
			if !in(ys, x) {
				return false
			}
		}
		return true
	}
	switch op {
	case "a_equals":
		return all(have, lit) && all(lit, have)
	case "a_contains":
		return all(lit, have)
	case "a_containedby":
		return all(have, lit)
	}
	for _, x := range lit {
		if in(have, x) {
			return true
		}
	}
	return false
}

// allen returns the CQL2 temporal function called name, a relation between
// closed intervals [a0, a1] and [b0, b1] (instants have a0 == a1), or nil.
func allen(name string) func(a0, a1, b0, b1 int64) bool {
	switch name {
	case "t_after":
		return func(a0, a1, b0, b1 int64) bool { return a0 > b1 }
	case "t_before":
		return func(a0, a1, b0, b1 int64) bool { return a1 < b0 }
	case "t_contains":
		return func(a0, a1, b0, b1 int64) bool { return a0 < b0 && a1 > b1 }
	case "t_disjoint":
		return func(a0, a1, b0, b1 int64) bool { return a1 < b0 || a0 > b1 }
	case "t_during":
		return func(a0, a1, b0, b1 int64) bool { return a0 > b0 && a1 < b1 }
	case "t_equals":
		return func(a0, a1, b0, b1 int64) bool { return a0 == b0 && a1 == b1 }
	case "t_finishedby":
		return func(a0, a1, b0, b1 int64) bool { return a0 < b0 && a1 == b1 }
	case "t_finishes":
		return func(a0, a1, b0, b1 int64) bool { return a0 > b0 && a1 == b1 }
	case "t_intersects":
		return func(a0, a1, b0, b1 int64) bool { return !(a1 < b0 || a0 > b1) }
	case "t_meets":
		return func(a0, a1, b0, b1 int64) bool { return a1 == b0 }
	case "t_metby":
		return func(a0, a1, b0, b1 int64) bool { return a0 == b1 }
	case "t_overlappedby":
		return func(a0, a1, b0, b1 int64) bool { return a0 > b0 && a0 < b1 && a1 > b1 }
	case "t_overlaps":
		return func(a0, a1, b0, b1 int64) bool { return a0 < b0 && a1 > b0 && a1 < b1 }
	case "t_startedby":
		return func(a0, a1, b0, b1 int64) bool { return a0 == b0 && a1 > b1 }
	case "t_starts":
		return func(a0, a1, b0, b1 int64) bool { return a0 == b0 && a1 < b1 }
	}
	return nil
}
