package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/maptile"
)

func TestParseZXY(t *testing.T) {
	tests := map[string]struct {
		z, x, y string
		want    maptile.Tile
		param   string // "" when valid
	}{
		"world tile":                {"0", "0", "0", maptile.New(0, 0, 0), ""},
		"last tile at z5":           {"5", "31", "31", maptile.New(31, 31, 5), ""},
		"max zoom":                  {"22", "4194303", "0", maptile.New(4194303, 0, 22), ""},
		"zoom above max":            {"23", "0", "0", maptile.Tile{}, "z"},
		"negative zoom":             {"-1", "0", "0", maptile.Tile{}, "z"},
		"plus sign":                 {"+1", "0", "0", maptile.Tile{}, "z"},
		"leading zero":              {"05", "0", "0", maptile.Tile{}, "z"},
		"empty zoom":                {"", "0", "0", maptile.Tile{}, "z"},
		"space":                     {"1 ", "0", "0", maptile.Tile{}, "z"},
		"x out of range":            {"1", "2", "0", maptile.Tile{}, "x"},
		"y out of range":            {"1", "0", "2", maptile.Tile{}, "y"},
		"x not a number":            {"3", "a", "0", maptile.Tile{}, "x"},
		"y decimal":                 {"3", "1", "1.0", maptile.Tile{}, "y"},
		"huge x overflows":          {"3", "99999999999999999999999", "0", maptile.Tile{}, "x"},
		"x at z0 must be zero":      {"0", "1", "0", maptile.Tile{}, "x"},
		"unicode digit is refused":  {"٣", "0", "0", maptile.Tile{}, "z"},
		"zero x and y at high zoom": {"14", "0", "0", maptile.New(0, 0, 14), ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := tiles.ParseZXY(tc.z, tc.x, tc.y)
			if tc.param == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if got != tc.want {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				return
			}
			if !errors.Is(err, atlas.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			var pe *atlas.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("error %v does not name parameter %q", err, tc.param)
			}
		})
	}
}

func FuzzParseZXY(f *testing.F) {
	for _, s := range [][3]string{{"0", "0", "0"}, {"5", "16", "11"}, {"22", "4194303", "4194303"}, {"3", "8", "0"}, {"01", "0", "0"}, {"-0", "0", "0"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, z, x, y string) {
		tl, err := tiles.ParseZXY(z, x, y)
		if err != nil {
			if !errors.Is(err, atlas.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if strconv.Itoa(int(tl.Z)) != z || strconv.FormatUint(uint64(tl.X), 10) != x || strconv.FormatUint(uint64(tl.Y), 10) != y {
			t.Fatalf("%q/%q/%q accepted as %v: does not round-trip", z, x, y, tl)
		}
		if tl.Z > tiles.MaxZoom || uint64(tl.X) >= 1<<tl.Z || uint64(tl.Y) >= 1<<tl.Z {
			t.Fatalf("%v out of range", tl)
		}
	})
}

func TestParseLayers(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []string
		err  error
	}{
		"one layer":          {"partnerships", []string{"partnerships"}, nil},
		"order is kept":      {"countries,authorities", []string{"countries", "authorities"}, nil},
		"every layer":        {strings.Join(allLayers(), ","), allLayers(), nil},
		"unknown layer":      {"partnerships,roads", nil, atlas.ErrNotFound},
		"duplicate":          {"partners,partners", nil, atlas.ErrInvalid},
		"empty":              {"", nil, atlas.ErrInvalid},
		"empty item":         {"partners,", nil, atlas.ErrInvalid},
		"case matters":       {"Partners", nil, atlas.ErrNotFound},
		"spaces not trimmed": {"partners, countries", nil, atlas.ErrNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := tiles.ParseLayers(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want one wrapping %v", err, tc.err)
				}
				if tc.err == atlas.ErrNotFound && !strings.Contains(err.Error(), "partnerships, authorities") {
					t.Fatalf("error %q does not list the layers", err)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestWorldTile(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	tl := render(t, r, snap, allLayers(), maptile.New(0, 0, 0), atlas.Filter{})
	if tl.Empty {
		t.Fatal("world tile empty")
	}
	zr, err := gzip.NewReader(bytes.NewReader(tl.Gzip()))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(raw, tl.Data) {
		t.Fatalf("gzip does not hold Data (%v)", err)
	}
	ls := decode(t, tl)
	for _, name := range allLayers() {
		l, ok := ls[name]
		if !ok || len(l.Features) == 0 {
			t.Fatalf("layer %s missing or empty", name)
		}
		if l.Extent != tiles.Extent {
			t.Errorf("layer %s extent %d", name, l.Extent)
		}
	}
	// Every country polygon with a simplified shape at z0 is there, with counts.
	sel := snap.Select(atlas.Filter{})
	counted := 0
	for _, f := range ls[index.LayerCountries].Features {
		iso, _ := f.Properties["iso2"].(string)
		i, err := snap.Lookup(index.LayerCountries, iso)
		if err != nil {
			t.Fatalf("country %q: %v", iso, err)
		}
		want := snap.Properties(index.LayerCountries, i, sel)["partnerships"].(int)
		if got := f.Properties["partnerships"].(float64); int(got) != want {
			t.Errorf("%s partnerships %v, want %d", iso, got, want)
		}
		counted += want
	}
	if counted == 0 {
		t.Error("no partnership counted on countries")
	}
	// z0 is aggregated: arcs are clusters with a level and a country.
	total := 0
	for _, f := range ls[index.LayerPartnerships].Features {
		if !isCluster(f) {
			continue
		}
		if f.Properties["country"] == nil || f.Properties["level"] == nil || f.Properties["key"] == "" || f.Properties["name"] == "" {
			t.Fatalf("aggregate without country/level/key/name: %v", f.Properties)
		}
		total += int(f.Properties["count"].(float64))
	}
	if total == 0 {
		t.Fatal("no aggregated arcs at z0")
	}
	if total != len(sel.Partnerships()) {
		t.Errorf("aggregates count %d partnerships, selection has %d", total, len(sel.Partnerships()))
	}
	// Authority clusters account for every authority with a partnership.
	n := 0
	for _, f := range ls[index.LayerAuthorities].Features {
		if isCluster(f) {
			c := int(f.Properties["count"].(float64))
			sum := 0
			for _, k := range []string{"count_region", "count_departement", "count_groupement", "count_commune"} {
				sum += int(f.Properties[k].(float64))
			}
			if sum != c {
				t.Errorf("cluster type counts %d != count %d", sum, c)
			}
			n += c
		} else {
			n++
		}
	}
	if n != len(sel.Authorities()) {
		t.Errorf("authorities at z0: %d, selection %d", n, len(sel.Authorities()))
	}
}

// tilesOf returns the tiles at zoom z that the bound b touches.
func tilesOf(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z)
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	last := uint32(1)<<z - 1
	hi.X, hi.Y = min(hi.X, last), min(hi.Y, last)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

// TestFilterArcsAtZ5 checks that every individual arc of the tiles covering
// a filter's arcs is selected, that they all carry their properties, and that
// together they are exactly the selection.
func TestFilterArcsAtZ5(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{CacheBytes: 64 << 20})
	for _, q := range []string{"country=JP", "country=NZ,FJ", "country=BJ&kind=cooperation", "theme=culture-patrimoine&since=2010"} {
		t.Run(q, func(t *testing.T) {
			f := parseFilter(t, snap, q)
			ids, sel, err := snap.Items(index.LayerPartnerships, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) == 0 || len(ids) > tiles.ArcBudget {
				t.Skipf("%d arcs", len(ids))
			}
			want := map[string]bool{}
			covering := map[maptile.Tile]bool{}
			for _, i := range ids {
				want[snap.FeatureID(index.LayerPartnerships, i)] = true
				for _, part := range snap.Arc(i, index.ArcSegmentKm) {
					for _, tl := range tilesOf(part.Bound(), 5) {
						covering[tl] = true
					}
				}
			}
			got := map[string]bool{}
			for tl := range covering {
				ls := decode(t, render(t, r, snap, []string{index.LayerPartnerships}, tl, f))
				l := ls[index.LayerPartnerships]
				if l == nil {
					continue
				}
				for _, ft := range l.Features {
					if isCluster(ft) {
						t.Fatalf("tile %v: aggregated arcs for %d selected", tl, len(ids))
					}
					id, _ := ft.Properties["id"].(string)
					i, err := snap.Lookup(index.LayerPartnerships, id)
					if err != nil || !sel.Has(i) {
						t.Fatalf("tile %v: arc %q not selected", tl, id)
					}
					props := snap.Properties(index.LayerPartnerships, i, sel)
					for _, k := range []string{"authority_id", "authority_name", "authority_type", "partner_id", "partner_name", "country", "country_name", "kind", "provenance"} {
						if ft.Properties[k] != props[k] {
							t.Fatalf("arc %s: %s = %v, want %v", id, k, ft.Properties[k], props[k])
						}
					}
					if y, ok := props["start_year"]; ok && ft.Properties["start_year"] != float64(y.(int)) {
						t.Fatalf("arc %s: start_year %v, want %v", id, ft.Properties["start_year"], y)
					}
					if th := strings.Join(props["themes"].([]string), "|"); th != "" && ft.Properties["themes"] != th {
						t.Fatalf("arc %s: themes %v, want %q", id, ft.Properties["themes"], th)
					}
					got[id] = true
				}
			}
			if len(got) != len(want) {
				t.Fatalf("tiles hold %d distinct arcs, selection %d", len(got), len(want))
			}
			for id := range want {
				if !got[id] {
					t.Fatalf("arc %s missing", id)
				}
			}
		})
	}
}

func parseFilter(t testing.TB, snap *index.Snapshot, q string) atlas.Filter {
	t.Helper()
	vals, err := urlParse(q)
	if err != nil {
		t.Fatal(err)
	}
	f, err := atlas.ParseFilter(vals, snap)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFilterChangesPoints checks point layers against snap.Items for a
// filter at a zoom where points are individual.
func TestFilterChangesPoints(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	f := parseFilter(t, snap, "country=JP")
	for _, layer := range []string{index.LayerAuthorities, index.LayerPartners} {
		ids, _, _ := snap.Items(layer, f)
		want := map[string]bool{}
		covering := map[maptile.Tile]bool{}
		for _, i := range ids {
			want[snap.FeatureID(layer, i)] = true
			covering[maptile.At(snap.Point(layer, i), 9)] = true
		}
		got := map[string]bool{}
		for tl := range covering {
			l := decode(t, render(t, r, snap, []string{layer}, tl, f))[layer]
			if l == nil {
				t.Fatalf("%s: tile %v empty", layer, tl)
			}
			for _, ft := range l.Features {
				if isCluster(ft) {
					t.Fatalf("%s: cluster at z9 for a small selection", layer)
				}
				id := ft.Properties["id"].(string)
				if !want[id] {
					t.Fatalf("%s: %s not selected", layer, id)
				}
				got[id] = true
				if ft.Properties["partnerships"].(float64) < 1 {
					t.Fatalf("%s: %s without matching partnership", layer, id)
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d in tiles, %d selected", layer, len(got), len(want))
		}
	}
	// A filter changes the boundary counts but keeps every polygon.
	all := decode(t, render(t, r, snap, []string{index.LayerCountries}, maptile.New(0, 0, 0), atlas.Filter{}))
	jp := decode(t, render(t, r, snap, []string{index.LayerCountries}, maptile.New(0, 0, 0), f))
	if len(all[index.LayerCountries].Features) != len(jp[index.LayerCountries].Features) {
		t.Fatal("a filter changed the set of country polygons")
	}
	for _, ft := range jp[index.LayerCountries].Features {
		n := ft.Properties["partnerships"].(float64)
		if (ft.Properties["iso2"] == "JP") != (n > 0) {
			t.Fatalf("country=JP: %v has %v partnerships", ft.Properties["iso2"], n)
		}
	}
}

func TestBBoxFilter(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	// Around Lyon: authorities outside the bbox disappear.
	f := parseFilter(t, snap, "bbox=4.7,45.6,5.0,45.9")
	tl := maptile.At(orb.Point{4.85, 45.75}, 8)
	l := decode(t, render(t, r, snap, []string{index.LayerAuthorities}, tl, f))[index.LayerAuthorities]
	if l == nil || len(l.Features) == 0 {
		t.Fatal("no authority in the bbox")
	}
	for _, ft := range l.Features {
		i, err := snap.Lookup(index.LayerAuthorities, ft.Properties["id"].(string))
		if err != nil || !snap.Intersects(index.LayerAuthorities, i, *f.BBox) {
			t.Fatalf("%v outside the bbox", ft.Properties["id"])
		}
	}

	// Boundaries: a box over the Franco-Swiss border keeps the shapes that
	// meet it, at every zoom (whose tiles reuse what the first found), and
	// only them.
	f = parseFilter(t, snap, "bbox=5.9,46.1,6.3,46.4")
	ds := snap.Dataset()
	for _, z := range []maptile.Zoom{2, 5, 6, 8, 9, 11} {
		tl := maptile.At(orb.Point{6.1, 46.2}, z)
		for pass := range 2 {
			l := decode(t, render(t, r, snap, []string{index.LayerCountries}, tl, f))[index.LayerCountries]
			if l == nil {
				t.Fatalf("z%d: no country in the bbox", z)
			}
			var got []string
			for _, ft := range l.Features {
				got = append(got, ft.Properties["iso2"].(string))
			}
			slices.Sort(got)
			var want []string
			for i, c := range ds.CountryShapes {
				if snap.Intersects(index.LayerCountries, int32(i), *f.BBox) {
					want = append(want, c.ID)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) || !slices.Contains(got, "CH") || !slices.Contains(got, "FR") {
				t.Fatalf("z%d pass %d: countries %v, want %v", z, pass, got, want)
			}
		}
	}
}

// TestAntimeridian renders an arc from Paris to the east of Fiji (lon
// -178.5), whose great circle crosses the antimeridian: both sides get valid
// geometry, in the tiles on each side of ±180.
func TestAntimeridian(t *testing.T) {
	ds := &atlas.Dataset{
		Countries: []atlas.Country{{ISO2: "FJ", ISO3: "FJI", NameFR: "Fidji", NameEN: "Fiji", Label: orb.Point{178, -17.8}}},
		Authorities: []atlas.Authority{{ID: "75056", Type: atlas.Commune, Code: "75056", Name: "Paris",
			Departement: "75", Region: "11", Point: orb.Point{2.35, 48.86}}},
		Partners:     []atlas.Partner{{ID: "x-1", Name: "Lakeba", Country: "FJ", Point: orb.Point{-178.8, -18.2}}},
		Partnerships: []atlas.Partnership{{ID: "SYN-1", AuthorityID: "75056", PartnerID: "x-1", Kind: atlas.Cooperation, StartYear: 2015, Provenance: atlas.Synthetic}},
		Projects:     []atlas.Project{{ID: "P1", PartnershipID: "SYN-1", Title: "Eau", Themes: []string{"eau-assainissement"}, Provenance: atlas.Synthetic}},
	}
	snap, err := index.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	if parts := snap.Arc(0, index.ArcSegmentKm); len(parts) < 2 {
		t.Fatalf("test arc does not cross the antimeridian: %d parts", len(parts))
	}
	r := tiles.NewRenderer(tiles.Options{})
	for _, z := range []maptile.Zoom{0, 2, 4, 5} {
		crossLat := snap.Arc(0, 100)[1][0][1]
		east := maptile.At(orb.Point{179.99, crossLat}, z)
		west := maptile.At(orb.Point{-179.99, crossLat}, z)
		tilesToCheck := []maptile.Tile{east, west}
		if z == 0 {
			tilesToCheck = tilesToCheck[:1]
		}
		for _, tl := range tilesToCheck {
			l := decode(t, render(t, r, snap, []string{index.LayerPartnerships}, tl, atlas.Filter{}))[index.LayerPartnerships]
			if l == nil || len(l.Features) != 1 {
				t.Fatalf("tile %v: want the arc", tl)
			}
			ft := l.Features[0]
			if ft.Properties["id"] != "SYN-1" || ft.Properties["themes"] != "eau-assainissement" || ft.Properties["start_year"] != float64(2015) {
				t.Fatalf("tile %v: properties %v", tl, ft.Properties)
			}
			var parts orb.MultiLineString
			switch g := ft.Geometry.(type) {
			case orb.LineString:
				parts = orb.MultiLineString{g}
			case orb.MultiLineString:
				parts = g
			default:
				t.Fatalf("geometry %T", g)
			}
			if z == 0 && len(parts) < 2 {
				t.Fatalf("world tile: want both sides of the antimeridian, got %d parts", len(parts))
			}
			touchesEdge := false
			for _, p := range parts {
				if len(p) < 2 {
					t.Fatalf("tile %v: degenerate part", tl)
				}
				for _, pt := range p {
					if pt[0] < -tiles.Buffer || pt[0] > tiles.Extent+tiles.Buffer || pt[1] < -tiles.Buffer || pt[1] > tiles.Extent+tiles.Buffer || math.IsNaN(pt[0]) {
						t.Fatalf("tile %v: point %v outside the buffered tile", tl, pt)
					}
					if (tl == east && pt[0] >= tiles.Extent-1) || (tl == west && pt[0] <= 1) {
						touchesEdge = true
					}
				}
			}
			if !touchesEdge {
				t.Fatalf("tile %v: arc does not reach the antimeridian edge: %v", tl, parts)
			}
		}
	}
}

func TestCache(t *testing.T) {
	snap := defaultSnapshot(t)
	tl := maptile.New(16, 11, 5)
	ctx := context.Background()

	r := tiles.NewRenderer(tiles.Options{CacheBytes: 8 << 20})
	a, err := r.Render(ctx, snap, allLayers(), tl, atlas.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Render(ctx, snap, allLayers(), tl, atlas.Filter{})
	if a != b || !bytes.Equal(a.Data, b.Data) {
		t.Fatal("cache hit is not the cached tile")
	}
	u := tiles.NewRenderer(tiles.Options{})
	c, _ := u.Render(ctx, snap, allLayers(), tl, atlas.Filter{})
	d, _ := u.Render(ctx, snap, allLayers(), tl, atlas.Filter{})
	if c == d {
		t.Fatal("CacheBytes 0 cached a tile")
	}
	if !bytes.Equal(a.Data, c.Data) || !bytes.Equal(c.Data, d.Data) {
		t.Fatal("rendering is not deterministic")
	}
	if u.CacheSize() != 0 {
		t.Fatal("disabled cache holds bytes")
	}

	// Bound: a small cache never exceeds its budget.
	const budget = 200 << 10
	s := tiles.NewRenderer(tiles.Options{CacheBytes: budget})
	for x := uint32(14); x < 20; x++ {
		for y := uint32(8); y < 14; y++ {
			if _, err := s.Render(ctx, snap, allLayers(), maptile.New(x, y, 5), atlas.Filter{}); err != nil {
				t.Fatal(err)
			}
			if s.CacheSize() > budget {
				t.Fatalf("cache holds %d bytes > %d", s.CacheSize(), budget)
			}
		}
	}
	if s.CacheSize() == 0 {
		t.Fatal("cache never used")
	}

	// Cancelled context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := u.Render(cctx, snap, allLayers(), maptile.New(0, 0, 0), atlas.Filter{Kinds: []atlas.Kind{atlas.Amitie}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled render: %v", err)
	}
}

func TestConcurrentRender(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{CacheBytes: 16 << 20})
	tl := maptile.New(32, 22, 6)
	want := render(t, tiles.NewRenderer(tiles.Options{}), snap, allLayers(), tl, atlas.Filter{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := r.Render(context.Background(), snap, allLayers(), tl, atlas.Filter{})
			if err == nil && !bytes.Equal(got.Data, want.Data) {
				err = errors.New("different bytes")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestReleasedTiles checks that releasing tiles, whose buffers later tiles
// reuse, never changes a tile still held: concurrent identical requests
// (which share one render) each release theirs, and a cached tile stays
// whole when released.
func TestReleasedTiles(t *testing.T) {
	snap := defaultSnapshot(t)
	ref := tiles.NewRenderer(tiles.Options{CacheBytes: 64 << 20})
	var list []maptile.Tile
	for z := maptile.Zoom(2); z <= 12; z++ {
		for _, p := range []orb.Point{{2.35, 48.86}, {-1.68, 48.11}, {2.43, 6.37}, {139.7, 35.7}} {
			list = append(list, maptile.At(p, z))
		}
	}
	want := map[maptile.Tile][]byte{}
	for _, tl := range list {
		want[tl] = render(t, ref, snap, allLayers(), tl, atlas.Filter{}).Data
	}

	r := tiles.NewRenderer(tiles.Options{})
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for round := range 4 {
				for i := range list {
					// Half the workers go in step (identical requests at
					// once), half in their own order.
					tl := list[i]
					if w%2 == 1 {
						tl = list[(i*7+w+round)%len(list)]
					}
					got, err := r.Render(context.Background(), snap, allLayers(), tl, atlas.Filter{})
					if err != nil {
						errs <- err
						return
					}
					if !bytes.Equal(got.Data, want[tl]) {
						errs <- fmt.Errorf("tile %v: %d bytes differ from the %d rendered alone", tl, len(got.Data), len(want[tl]))
						return
					}
					got.Release()
					got.Release() // twice is harmless
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	// The gzip encoding of a released tile stays whole.
	own, _ := r.Render(context.Background(), snap, allLayers(), list[0], atlas.Filter{})
	gz := own.Gzip()
	own.Release()
	// Held, these tiles take every pooled buffer there is.
	var held []*tiles.Tile
	for range 4 {
		for _, tl := range list {
			got, _ := r.Render(context.Background(), snap, allLayers(), tl, atlas.Filter{})
			held = append(held, got)
		}
	}
	for _, tl := range held {
		tl.Release()
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if data, err := io.ReadAll(zr); err != nil || !bytes.Equal(data, want[list[0]]) {
		t.Fatalf("gzip encoding of a released tile changed (%v)", err)
	}

	cached, _ := ref.Render(context.Background(), snap, allLayers(), list[0], atlas.Filter{})
	cached.Release()
	again, _ := ref.Render(context.Background(), snap, allLayers(), list[0], atlas.Filter{})
	if again != cached || !bytes.Equal(again.Data, want[list[0]]) {
		t.Fatal("releasing a cached tile changed it")
	}
}

func TestRenderRejects(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	if _, err := r.Render(context.Background(), snap, []string{"roads"}, maptile.New(0, 0, 0), atlas.Filter{}); !errors.Is(err, atlas.ErrInvalid) {
		t.Fatalf("unknown layer: %v", err)
	}
	if _, err := r.Render(context.Background(), snap, allLayers(), maptile.New(4, 0, 1), atlas.Filter{}); !errors.Is(err, atlas.ErrInvalid) {
		t.Fatalf("invalid tile: %v", err)
	}
}

func TestEmptyTile(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	// Middle of the South Pacific, points only.
	tl := maptile.At(orb.Point{-130, -45}, 10)
	got := render(t, r, snap, []string{index.LayerAuthorities, index.LayerPartners}, tl, atlas.Filter{})
	if !got.Empty || len(got.Data) != 0 {
		t.Fatalf("tile %v not empty: %d bytes", tl, len(got.Data))
	}
}

// TestOverseasAggregates checks that the aggregated arcs of each overseas
// collectivity (no IGN boundary) are its own and start from it, not from a
// mean of collectivities across oceans.
func TestOverseasAggregates(t *testing.T) {
	snap := defaultSnapshot(t)
	r := tiles.NewRenderer(tiles.Options{})
	ds := snap.Dataset()
	seen := 0
	for _, a := range ds.Authorities {
		if a.Type != atlas.Departement || a.Region != a.Code {
			continue
		}
		tl := maptile.At(a.Point, 0)
		l := decode(t, render(t, r, snap, []string{index.LayerPartnerships}, tl, atlas.Filter{}))[index.LayerPartnerships]
		l.ProjectToWGS84(tl)
		for _, f := range l.Features {
			if f.Properties["key"] != a.Code {
				continue
			}
			if f.Properties["name"] != a.Name {
				t.Errorf("%s: name %v, want %q", a.Code, f.Properties["name"], a.Name)
			}
			start := firstPoint(f.Geometry)
			if d := geo.Distance(start, a.Point); d > 500e3 {
				t.Errorf("%s (%s): arc to %v starts %.0f km away, at %v", a.Code, a.Name, f.Properties["country"], d/1e3, start)
			}
			seen++
		}
	}
	if seen == 0 {
		t.Fatal("no aggregated arc of an overseas collectivity at z0")
	}
}

func firstPoint(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.LineString:
		return g[0]
	case orb.MultiLineString:
		return g[0][0]
	}
	return orb.Point{}
}

// TestWarm checks that warming a renderer changes none of its tiles.
func TestWarm(t *testing.T) {
	snap := defaultSnapshot(t)
	warm := tiles.NewRenderer(tiles.Options{})
	if err := warm.Warm(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	for _, tl := range []maptile.Tile{maptile.New(0, 0, 0), maptile.At(orb.Point{2.35, 48.86}, 6), maptile.At(orb.Point{139.7, 35.7}, 9)} {
		a := render(t, warm, snap, allLayers(), tl, atlas.Filter{})
		b := render(t, tiles.NewRenderer(tiles.Options{}), snap, allLayers(), tl, atlas.Filter{})
		if !bytes.Equal(a.Data, b.Data) {
			t.Errorf("tile %v differs after warm-up", tl)
		}
	}
}
