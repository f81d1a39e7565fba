package query

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi/cql2"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// feature is what an oracle sees of one feature: its properties under the
// full selection, as the items answer serves them, and its geometry.
type feature struct {
	p map[string]any
	g orb.Geometry
}

func (f feature) str(k string) string { s, _ := f.p[k].(string); return s }

// year returns start_year and whether it is known.
func (f feature) year() (int, bool) { y, ok := f.p["start_year"].(int); return y, ok }

func (f feature) num(k string) int { n, _ := f.p[k].(int); return n }

func (f feature) themes() []string { t, _ := f.p["themes"].([]string); return t }

func (f feature) point() orb.Point { p, _ := f.g.(orb.Point); return p }

// oracleCase is a filter and what it means, written as plain Go over the
// served properties (CQL2's three-valued logic spelled out: a comparison
// with an unknown start year is never true, nor is its negation).
type oracleCase struct {
	name   string // the OGC CQL2 example it adapts, when it does
	layer  string
	filter string
	want   func(f feature) bool
	empty  bool // the filter is meant to select nothing
	exact  bool // the index facets answer it without a residual predicate
}

func yearIn(lo, hi int) func(f feature) bool {
	return func(f feature) bool { y, ok := f.year(); return ok && y >= lo && y <= hi }
}

// The cases adapt the examples of the OGC CQL2 standard
// (cql2/standard/schema/examples/text in opengeospatial/ogcapi-features)
// to the atlas's queryables: a property of the example is replaced by one
// of the same type, the shape of the expression is kept.
var oracleCases = []oracleCase{
	// Basic CQL2.
	{name: "clause6_02a", filter: `country='ML'`, exact: true,
		want: func(f feature) bool { return f.str("country") == "ML" }},
	{name: "example09", filter: `projects>2`,
		want: func(f feature) bool { return f.num("projects") > 2 }},
	{name: "example10", filter: `start_year <= 1980`, exact: true,
		want: yearIn(1, 1980)},
	{name: "example14", filter: `active = true`,
		want: func(f feature) bool { return f.p["active"] == true }},
	{name: "example15", filter: `projects>2 AND active=true`,
		want: func(f feature) bool { return f.num("projects") > 2 && f.p["active"] == true }},
	{name: "example17", filter: `(projects>2 AND kind='cooperation') OR active=false`,
		want: func(f feature) bool {
			return f.num("projects") > 2 && f.str("kind") == "cooperation" || f.p["active"] == false
		}},
	{name: "example18", filter: `NOT (start_year<2000) OR kind='amitie'`,
		want: func(f feature) bool { y, ok := f.year(); return ok && y >= 2000 || f.str("kind") == "amitie" }},
	{name: "example29", filter: `"id" = 'FRTW00044'`, exact: false,
		want: func(f feature) bool { return f.str("id") == "FRTW00044" }},
	{name: "example30", filter: `"id" <> 'FRTW00044'`,
		want: func(f feature) bool { return f.str("id") != "FRTW00044" }},
	{name: "example31", filter: `"projects" < 1`,
		want: func(f feature) bool { return f.num("projects") < 1 }},
	{name: "example34", filter: `"start_year" >= 2010`, exact: true,
		want: yearIn(2010, 1<<30)},
	{name: "example41", filter: `"start_year" IS NULL`,
		want: func(f feature) bool { _, ok := f.year(); return !ok }},
	{name: "example42", filter: `NOT "start_year" IS NULL`,
		want: func(f feature) bool { _, ok := f.year(); return ok }},
	{name: "example42-alt01", filter: `"start_year" IS NOT NULL`,
		want: func(f feature) bool { _, ok := f.year(); return ok }},
	{name: "unknown value", filter: `kind = 'sister-city'`, exact: true, empty: true,
		want: func(feature) bool { return false }},
	{name: "contradiction", filter: `country = 'DE' AND country = 'ML'`, exact: true, empty: true,
		want: func(feature) bool { return false }},
	{name: "fractional year", filter: `start_year = 1990.5`, exact: true, empty: true,
		want: func(feature) bool { return false }},
	{name: "facets", filter: `kind = 'jumelage' AND country IN ('DE', 'IT') AND authority_type = 'commune' AND provenance = 'real'`, exact: true,
		want: func(f feature) bool {
			return f.str("kind") == "jumelage" && (f.str("country") == "DE" || f.str("country") == "IT") &&
				f.str("authority_type") == "commune" && f.str("provenance") == "real"
		}},
	{name: "literal first", filter: `2000 < start_year`, exact: true,
		want: yearIn(2001, 1<<30)},
	{name: "OR across facets", filter: `country = 'SN' OR theme = 'eau-assainissement'`,
		want: func(f feature) bool {
			return f.str("country") == "SN" || slices.Contains(f.themes(), "eau-assainissement")
		}},
	{name: "theme inequality", filter: `theme <> 'culture-patrimoine' AND projects > 0`,
		want: func(f feature) bool {
			return f.num("projects") > 0 && !slices.Contains(f.themes(), "culture-patrimoine")
		}},

	// Advanced comparison operators.
	{name: "clause7_01", filter: `authority_name LIKE 'Saint%'`,
		want: func(f feature) bool { return strings.HasPrefix(f.str("authority_name"), "Saint") }},
	{name: "example11", filter: `partner_name LIKE '%burg%'`,
		want: func(f feature) bool { return strings.Contains(f.str("partner_name"), "burg") }},
	{name: "example13", filter: `authority_name NOT LIKE '%Saint%'`,
		want: func(f feature) bool { return !strings.Contains(f.str("authority_name"), "Saint") }},
	{name: "example36", filter: `NOT "authority_name" LIKE 'Saint%'`,
		want: func(f feature) bool { return !strings.HasPrefix(f.str("authority_name"), "Saint") }},
	{name: "like one character", filter: `country LIKE '_E'`,
		want: func(f feature) bool { c := f.str("country"); return len(c) == 2 && c[1] == 'E' }},
	{name: "example16", filter: `active=true AND (projects>3 OR authority_name LIKE 'Saint%' OR authority_name LIKE '%ville')`,
		want: func(f feature) bool {
			n := f.str("authority_name")
			return f.p["active"] == true && (f.num("projects") > 3 || strings.HasPrefix(n, "Saint") || strings.HasSuffix(n, "ville"))
		}},
	{name: "example19", filter: `(authority_name LIKE 'saint%' OR authority_name LIKE 'Saint%') AND projects<4`,
		want: func(f feature) bool {
			n := f.str("authority_name")
			return (strings.HasPrefix(n, "saint") || strings.HasPrefix(n, "Saint")) && f.num("projects") < 4
		}},
	{name: "clause7_02", filter: `start_year BETWEEN 1990 and 2000`, exact: true, want: yearIn(1990, 2000)},
	{name: "example06b", filter: `start_year >= 1990 AND start_year <= 2000 AND country = 'DE'`, exact: true,
		want: func(f feature) bool { return yearIn(1990, 2000)(f) && f.str("country") == "DE" }},
	{name: "example38", filter: `NOT "start_year" BETWEEN 1960 AND 2000`,
		want: func(f feature) bool { y, ok := f.year(); return ok && (y < 1960 || y > 2000) }},
	{name: "example38-alt01", filter: `"start_year" NOT BETWEEN 1960 AND 2000`,
		want: func(f feature) bool { y, ok := f.year(); return ok && (y < 1960 || y > 2000) }},
	{name: "example44", filter: `("start_year" IS NULL OR "start_year" BETWEEN 1990 AND 2000)`,
		want: func(f feature) bool { y, ok := f.year(); return !ok || y >= 1990 && y <= 2000 }},
	{name: "clause7_03a", filter: `country IN ('DE','ML','BF','SN')`, exact: true,
		want: func(f feature) bool { return slices.Contains([]string{"DE", "ML", "BF", "SN"}, f.str("country")) }},
	{name: "clause7_03b", filter: `start_year NOT IN (1960,1970,1980)`,
		want: func(f feature) bool { y, ok := f.year(); return ok && y != 1960 && y != 1970 && y != 1980 }},
	{name: "example05b", filter: `start_year IN (1990, 1991)`,
		want: yearIn(1990, 1991)},
	{name: "example40", filter: `NOT "kind" IN ('jumelage', 'amitie')`,
		want: func(f feature) bool { return f.str("kind") == "cooperation" }},
	{name: "example40-alt01", filter: `"kind" NOT IN ('jumelage', 'amitie')`,
		want: func(f feature) bool { return f.str("kind") == "cooperation" }},

	// Spatial functions.
	{name: "clause6_03", layer: index.LayerPartners, filter: `geometry IS NOT NULL`,
		want: func(feature) bool { return true }},
	{name: "example23", layer: index.LayerPartners, filter: `S_INTERSECTS(geometry,BBOX(-18,4,16,25))`, exact: true,
		want: func(f feature) bool {
			return orb.Bound{Min: orb.Point{-18, 4}, Max: orb.Point{16, 25}}.Contains(f.point())
		}},
	{name: "example24", layer: index.LayerPartners, filter: `S_INTERSECTS(geometry,POLYGON((-20.0 0.0,20.0 0.0,0.0 30.0,-20.0 0.0)))`,
		want: func(f feature) bool {
			return planar.PolygonContains(orb.Polygon{{{-20, 0}, {20, 0}, {0, 30}, {-20, 0}}}, f.point())
		}},
	{name: "example25", filter: `projects>2 AND S_INTERSECTS(geometry,BBOX(-18,4,16,25))`,
		want: func(f feature) bool {
			return f.num("projects") > 2 && lineIntersects(f.g, orb.Bound{Min: orb.Point{-18, 4}, Max: orb.Point{16, 25}})
		}},
	{name: "example45", layer: index.LayerAuthorities, filter: `S_INTERSECTS("geometry", BBOX(-2, 46, -99999.0, 3, 49, 100000.0))`, exact: true,
		want: func(f feature) bool {
			return orb.Bound{Min: orb.Point{-2, 46}, Max: orb.Point{3, 49}}.Contains(f.point())
		}},
	{name: "example47", layer: index.LayerPartners, filter: `S_DISJOINT("geometry", MULTIPOLYGON (((-20 0, 20 0, 0 30, -20 0)), ((0 40, 30 40, 30 60, 0 60, 0 40))))`,
		want: func(f feature) bool {
			return !planar.PolygonContains(orb.Polygon{{{-20, 0}, {20, 0}, {0, 30}, {-20, 0}}}, f.point()) &&
				!planar.PolygonContains(orb.Polygon{{{0, 40}, {30, 40}, {30, 60}, {0, 60}, {0, 40}}}, f.point())
		}},
	{name: "example52", layer: index.LayerAuthorities, filter: `S_INTERSECTS("geometry", POINT (2.3522 48.8566)) OR name = 'Lyon'`,
		want: func(f feature) bool { return f.point() == orb.Point{2.3522, 48.8566} || f.str("name") == "Lyon" }},

	// Temporal functions: start_year is its calendar year.
	{name: "example20", filter: `T_BEFORE(start_year, DATE('2015-01-01'))`, want: yearIn(1, 2014)},
	{name: "example21", filter: `T_AFTER(start_year,DATE('2012-06-05'))`, want: yearIn(2013, 1<<30)},
	{name: "example53", filter: `T_AFTER("start_year", DATE('2010-02-10'))`, want: yearIn(2011, 1<<30)},
	{name: "example54", filter: `T_BEFORE("start_year", TIMESTAMP('2012-08-10T05:30:00.000000Z'))`, want: yearIn(1, 2011)},
	{name: "example58", filter: `T_EQUALS("start_year", DATE('1851-04-29'))`, empty: true,
		want: func(feature) bool { return false }},
	{name: "T_EQUALS a year", filter: `T_EQUALS(start_year, INTERVAL('1990-01-01T00:00:00Z', '1990-12-31T23:59:59Z'))`,
		want: yearIn(1990, 1990)},
	{name: "clause7_12", filter: `T_INTERSECTS(start_year, INTERVAL('1999-07-16T05:32:00Z', '2001-07-24T16:50:35Z'))`, exact: true,
		want: yearIn(1999, 2001)},
	{name: "open interval", filter: `T_INTERSECTS(start_year, INTERVAL('2000-01-01', '..'))`, exact: true,
		want: yearIn(2000, 1<<30)},
	{name: "example57", filter: `T_DURING(start_year, INTERVAL('1990-01-01', '2000-12-31T23:59:59Z'))`,
		want: yearIn(1991, 1999)}, // the first and last years touch the bounds: not during
	{name: "example56", filter: `T_DISJOINT(INTERVAL('..', '2005-01-10T01:01:01.393216Z'), start_year)`,
		want: yearIn(2006, 1<<30)},
	{name: "example55", filter: `T_CONTAINS(INTERVAL('2000-01-01T00:00:00.000000Z', '2005-01-10T01:01:01.393216Z'), start_year)`,
		want: yearIn(2001, 2004)},
	{name: "example67", filter: `T_STARTS(start_year, INTERVAL('1995-01-01T00:00:00Z', '..'))`,
		want: yearIn(1995, 1995)},

	// Array functions on the themes of a partnership's projects.
	{name: "example79", filter: `A_CONTAINEDBY("themes", ('eau-assainissement', 'sante', 'agriculture-alimentation')) AND projects > 0`,
		want: func(f feature) bool {
			if f.num("projects") == 0 {
				return false
			}
			for _, t := range f.themes() {
				if t != "eau-assainissement" && t != "sante" && t != "agriculture-alimentation" {
					return false
				}
			}
			return true
		}},
	{name: "example80", filter: `A_CONTAINS("themes", ('sante', 'eau-assainissement'))`,
		want: func(f feature) bool {
			return slices.Contains(f.themes(), "sante") && slices.Contains(f.themes(), "eau-assainissement")
		}},
	{name: "example81", filter: `A_EQUALS(('culture-patrimoine'), "themes")`,
		want: func(f feature) bool { return slices.Equal(f.themes(), []string{"culture-patrimoine"}) }},
	{name: "sources A_CONTAINS", filter: `A_CONTAINS(sources, ('wikidata', 'wikipedia-it'))`,
		want: func(f feature) bool {
			s, _ := f.p["sources"].([]string)
			return slices.Contains(s, "wikidata") && slices.Contains(s, "wikipedia-it")
		}},
	{name: "sources A_EQUALS", filter: `A_EQUALS(sources, ('wikipedia-en')) AND provenance = 'real'`,
		want: func(f feature) bool {
			s, _ := f.p["sources"].([]string)
			return slices.Equal(s, []string{"wikipedia-en"})
		}},
	{name: "A_OVERLAPS", filter: `A_OVERLAPS(themes, ('tourisme', 'numerique'))`, exact: true,
		want: func(f feature) bool {
			return slices.Contains(f.themes(), "tourisme") || slices.Contains(f.themes(), "numerique")
		}},
}

// lineIntersects reports whether a (multi)linestring has a vertex in b or
// a segment crossing it: the oracle of S_INTERSECTS with a bbox on arcs.
func lineIntersects(g orb.Geometry, b orb.Bound) bool {
	return Intersects(g, b.ToPolygon())
}

// TestPlanMatchesOracle compiles each filter, runs its plan on the embedded
// snapshot and compares the features it selects with a brute-force scan of
// every feature's served properties.
func TestPlanMatchesOracle(t *testing.T) {
	snap := testkit.Snapshot(t)
	all := snap.Select(atlas.Filter{})
	features := map[string][]feature{}
	for _, l := range []string{index.LayerPartnerships, index.LayerAuthorities, index.LayerPartners} {
		fs := make([]feature, snap.Len(l))
		for i := range fs {
			fs[i] = feature{snap.Properties(l, int32(i), all), snap.Geometry(l, int32(i))}
		}
		features[l] = fs
	}
	for _, tc := range oracleCases {
		layer := tc.layer
		if layer == "" {
			layer = index.LayerPartnerships
		}
		t.Run(tc.name, func(t *testing.T) {
			n, err := cql2.ParseText(tc.filter)
			if err != nil {
				t.Fatalf("parse %q: %v", tc.filter, err)
			}
			p, err := Compile(snap, layer, atlas.Filter{}, n)
			if err != nil {
				t.Fatalf("compile %q: %v", tc.filter, err)
			}
			got, _, err := p.Items(context.Background(), snap)
			if err != nil {
				t.Fatal(err)
			}
			var want []int32
			for i, f := range features[layer] {
				if tc.want(f) {
					want = append(want, int32(i))
				}
			}
			if tc.empty != (len(want) == 0) {
				t.Fatalf("%q: the oracle selects %d of %d features: the case does not test what it says", tc.filter, len(want), len(features[layer]))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q selects %d features, the scan %d (first difference at %v)", tc.filter, len(got), len(want), firstDiff(got, want))
			}
			if exact := p.pred == nil; exact != tc.exact {
				t.Errorf("%q: answered by the facets alone = %v, want %v (plan filter %+v)", tc.filter, exact, tc.exact, p.Filter)
			}
		})
	}
}

func firstDiff(a, b []int32) int32 {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return min(a[i], b[i])
		}
	}
	if len(a) > len(b) {
		return a[len(b)]
	}
	if len(b) > len(a) {
		return b[len(a)]
	}
	return -1
}

// TestEquivalentForms checks that the standard's pairs of equivalent
// filters (examples 05a/05b, 06a/06b, 36/36-alt01, 43/43-alt01) select the
// same features.
func TestEquivalentForms(t *testing.T) {
	snap := testkit.Snapshot(t)
	pairs := [][2]string{
		{`start_year=1990 OR start_year=1991`, `start_year IN (1990,1991)`},
		{`start_year BETWEEN 1990 AND 2000 AND country='DE'`, `start_year >= 1990 AND start_year <= 2000 AND country='DE'`},
		{`NOT authority_name LIKE 'Saint%'`, `authority_name NOT LIKE 'Saint%'`},
		{`(NOT authority_name LIKE 'Saint%' AND projects > 1)`, `authority_name NOT LIKE 'Saint%' AND projects > 1`},
		{`theme = 'sante'`, `A_OVERLAPS(themes, ('sante'))`},
		{`theme = 'sante'`, `A_CONTAINS(themes, ('sante'))`},
		{`T_INTERSECTS(start_year, INTERVAL('1990-06-01', '2000-02-01'))`, `start_year BETWEEN 1990 AND 2000`},
		{`S_INTERSECTS(geometry, BBOX(-5, 42, 8, 51))`, `S_INTERSECTS(BBOX(-5, 42, 8, 51), geometry)`},
		{`NOT (country <> 'JP')`, `country = 'JP'`},
	}
	for _, pr := range pairs {
		a, b := items(t, snap, index.LayerPartnerships, pr[0]), items(t, snap, index.LayerPartnerships, pr[1])
		if len(a) == 0 {
			t.Errorf("%q selects nothing", pr[0])
		}
		if !slices.Equal(a, b) {
			t.Errorf("%q selects %d features, %q %d", pr[0], len(a), pr[1], len(b))
		}
	}
}

func items(t *testing.T, snap *index.Snapshot, layer, filter string) []int32 {
	t.Helper()
	n, err := cql2.ParseText(filter)
	if err != nil {
		t.Fatalf("parse %q: %v", filter, err)
	}
	p, err := Compile(snap, layer, atlas.Filter{}, n)
	if err != nil {
		t.Fatalf("compile %q: %v", filter, err)
	}
	ids, _, err := p.Items(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestBaseFilterIsANDed checks that the facets of the query parameters and
// the filter's both hold.
func TestBaseFilterIsANDed(t *testing.T) {
	snap := testkit.Snapshot(t)
	n, _ := cql2.ParseText(`kind = 'cooperation' AND projects > 0`)
	p, err := Compile(snap, index.LayerPartnerships, atlas.Filter{Countries: []string{"BJ", "ML"}}, n)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := p.Items(context.Background(), snap)
	want := items(t, snap, index.LayerPartnerships, `kind = 'cooperation' AND projects > 0 AND country IN ('BJ', 'ML')`)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("base facets ANDed: %d features, want %d", len(got), len(want))
	}
	// A base facet the filter contradicts selects nothing.
	n, _ = cql2.ParseText(`country = 'JP'`)
	p, _ = Compile(snap, index.LayerPartnerships, atlas.Filter{Countries: []string{"BJ"}}, n)
	if got, _, _ := p.Items(context.Background(), snap); !p.None || len(got) != 0 {
		t.Errorf("country=JP under country=BJ: None=%v, %d features", p.None, len(got))
	}
}

// TestCompileErrors checks that filters the atlas cannot answer are refused
// with a message and the position of the offending expression.
func TestCompileErrors(t *testing.T) {
	snap := testkit.Snapshot(t)
	cases := []struct {
		layer, filter string
		pos           cql2.Pos
		msg           string
	}{
		{"", `floors>5`, 1, "floors"},                                        // example09: not a queryable
		{"", `kind = 'jumelage' AND start_year > 'x'`, 23, "start_year"},     // a number compared with a string
		{"", `start_year LIKE '19%'`, 1, "LIKE"},                             // LIKE on a number
		{"", `S_WITHIN(geometry, BBOX(-118,33.8,-117.9,34))`, 1, "S_WITHIN"}, // example23: not supported
		{"", `FALSE <> Bar("geometry", 100, 'a', 'b', FALSE)`, 10, "bar"},    // example69: unknown function
		{"", `A_CONTAINS(kind, ('jumelage'))`, 1, "themes"},                  // an array function on a string
		{"", `T_AFTER(projects, DATE('2010-02-10'))`, 1, "temporal"},         // a temporal function on a count
		{"", `S_INTERSECTS(geometry, POINT(200 48))`, 24, "longitude"},       // outside CRS84
		{index.LayerAuthorities, `themes = 'sante'`, 1, "themes"},            // a queryable of another collection
	}
	for _, tc := range cases {
		layer := tc.layer
		if layer == "" {
			layer = index.LayerPartnerships
		}
		n, err := cql2.ParseText(tc.filter)
		if err != nil {
			t.Errorf("parse %q: %v", tc.filter, err)
			continue
		}
		_, err = Compile(snap, layer, atlas.Filter{}, n)
		var ce *cql2.Error
		if !errors.As(err, &ce) {
			t.Errorf("%q on %s: got %v, want a *cql2.Error", tc.filter, layer, err)
			continue
		}
		if ce.Pos != tc.pos || !strings.Contains(strings.ToLower(ce.Msg), strings.ToLower(tc.msg)) {
			t.Errorf("%q: error at %d %q, want at %d naming %q", tc.filter, ce.Pos, ce.Msg, tc.pos, tc.msg)
		}
	}
	if _, err := Compile(snap, "nowhere", atlas.Filter{}, nil); err == nil {
		t.Error("an unknown collection compiles")
	}
}

// TestQueryables checks the catalogue: every collection names its geometry
// last, and the partnerships' enumerations are the vocabulary's.
func TestQueryables(t *testing.T) {
	for _, l := range index.Layers() {
		qs, err := Queryables(l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := qs[len(qs)-1]; last.Name != GeometryProperty || last.Type != TypeGeometry {
			t.Errorf("%s: last queryable %+v, want the geometry", l.ID, last)
		}
	}
	qs, _ := Queryables(index.LayerPartnerships)
	byName := map[string]Queryable{}
	for _, q := range qs {
		byName[q.Name] = q
	}
	if q := byName["themes"]; q.Type != TypeArray || !slices.Equal(q.Enum, atlas.ThemeSlugs()) {
		t.Errorf("themes: %+v", q)
	}
	if q := byName["start_year"]; q.Type != TypeYear {
		t.Errorf("start_year: %+v", q)
	}
	if q := byName["kind"]; len(q.Enum) != len(atlas.Kinds()) {
		t.Errorf("kind: %+v", q)
	}
}

// TestTemporalFunctions checks that every temporal function the parser
// knows has its relation, and the relations on two years.
func TestTemporalFunctions(t *testing.T) {
	for _, name := range cql2.TemporalFuncs() {
		if allen(name) == nil {
			t.Errorf("%s has no relation", name)
		}
	}
	y := func(n int) [2]int64 { a, b := YearInterval(n); return [2]int64{a, b} }
	cases := []struct {
		name string
		a, b [2]int64
		want bool
	}{
		{"t_before", y(1990), y(1991), true},
		{"t_after", y(1990), y(1991), false},
		{"t_meets", y(1990), y(1991), false}, // a year ends one second before the next begins
		{"t_meets", [2]int64{0, 10}, [2]int64{10, 20}, true},
		{"t_equals", y(1990), y(1990), true},
		{"t_during", y(1990), [2]int64{y(1989)[0], y(1991)[1]}, true},
		{"t_contains", [2]int64{y(1989)[0], y(1991)[1]}, y(1990), true},
		{"t_starts", y(1990), [2]int64{y(1990)[0], y(1991)[1]}, true},
		{"t_finishes", y(1991), [2]int64{y(1990)[0], y(1991)[1]}, true},
		{"t_overlaps", [2]int64{0, 10}, [2]int64{5, 20}, true},
		{"t_overlappedby", [2]int64{5, 20}, [2]int64{0, 10}, true},
		{"t_disjoint", y(1990), y(1990), false},
		{"t_intersects", y(1990), [2]int64{y(1990)[1], y(1990)[1]}, true},
	}
	for _, tc := range cases {
		if got := allen(tc.name)(tc.a[0], tc.a[1], tc.b[0], tc.b[1]); got != tc.want {
			t.Errorf("%s(%v, %v) = %v", tc.name, tc.a, tc.b, got)
		}
	}
}
