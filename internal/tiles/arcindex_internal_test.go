package tiles

import (
	"bytes"
	"context"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/encoding/mvt"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
	orbmvt "github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func internalSnapshot(t *testing.T) *index.Snapshot {
	t.Helper()
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	snap, err := index.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// testJob returns the job of a render of f on snap by r, without a tile.
func testJob(r *Renderer, snap *index.Snapshot, f atlas.Filter) *job {
	return &job{r: r, ctx: context.Background(), snap: snap, f: f, sel: snap.Select(f), fkey: snap.Version() + "?" + f.Encode()}
}

// TestArcRunsMatchClipping checks the arc index against clipping every
// segment: for every tile of a zoom, the runs listed for the tile and drawn
// with drawRun (stretches inside the tile copied from the precomputed LineTo
// parameters) encode exactly as all the segments of all the lines clipped
// one by one; and no segment that meets the tile is missing from its runs.
func TestArcRunsMatchClipping(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	for _, q := range []atlas.Filter{{}, {Countries: []string{"JP"}}} {
		j := testJob(r, snap, q)
		p := r.arcPlan(j)
		for _, z := range []int{1, 3, 5, 7} {
			ix := buildArcIndex(p.endsAt(p.level(z)), 0, p.items(p.level(z)), p.level(z), z)
			checked := 0
			stride := max(1, len(ix.runKeys)/100) // about a hundred tiles per zoom
			for ti, key := range ix.runKeys {
				if ti%stride != 0 {
					continue
				}
				tl := maptile.New(uint32(key>>32), uint32(key), maptile.Zoom(z))
				j.t, j.fr = tl, newFrame(tl)
				ox, oy := int64(j.fr.ox), int64(j.fr.oy)
				runs := ix.runs[ix.runOff[ti]:ix.runOff[ti+1]]
				for _, run := range runs {
					var fast, slow []byte
					j.enc.Begin()
					j.drawRun(ix, run, ox, oy)
					fast = slices.Clone(j.enc.Geometry())
					j.enc.Begin()
					for i := run.lo; i < run.hi; i++ {
						j.clipSeg(int64(ix.xy[2*i])-ox, int64(ix.xy[2*i+1])-oy, int64(ix.xy[2*i+2])-ox, int64(ix.xy[2*i+3])-oy)
					}
					j.enc.EndPart()
					slow = slices.Clone(j.enc.Geometry())
					if !slices.Equal(fast, slow) {
						t.Fatalf("%v z%d item %d points %d–%d: drawRun wrote %v, clipping writes %v", q, z, run.item, run.lo, run.hi, fast[:min(len(fast), 16)], slow[:min(len(slow), 16)])
					}
					// The segments just before and after the run miss the
					// buffered tile (or do not belong to its line).
					for _, i := range []int32{run.lo - 1, run.hi} {
						// poff[i] == poff[i+1]: i ends its line (no step).
						if i < 0 || int(i)+1 >= len(ix.poff) || ix.poff[i] == ix.poff[i+1] {
							continue
						}
						x0, y0, x1, y1 := int64(ix.xy[2*i])-ox, int64(ix.xy[2*i+1])-oy, int64(ix.xy[2*i+2])-ox, int64(ix.xy[2*i+3])-oy
						if max(x0, x1) >= -Buffer && min(x0, x1) <= Extent+Buffer && max(y0, y1) >= -Buffer && min(y0, y1) <= Extent+Buffer {
							t.Fatalf("%v z%d: segment %d meets tile %v but is not in its run %d–%d", q, z, i, tl, run.lo, run.hi)
						}
					}
					checked++
				}
			}
			if checked < 50 && q.Countries == nil {
				t.Errorf("z%d: only %d runs checked", z, checked)
			}
		}
	}
}

// TestDictTagsMatchValues checks that a feature written from dictionary ids
// gets the tile's keys, values and tags it would get from its values.
func TestDictTagsMatchValues(t *testing.T) {
	snap := internalSnapshot(t)
	agg := buildAggregates(snap, snap.Select(atlas.Filter{}), atlas.Filter{})
	ds := snap.Dataset()
	for l, lv := range agg.levels {
		var fast, slow mvt.Layer
		fast.Reset("partnerships")
		slow.Reset("partnerships")
		for k, g := range lv.groups {
			if k%3 != 0 {
				continue
			}
			fast.Begin()
			fast.DictTags(&lv.dict, lv.tags[groupTags*k:groupTags*(k+1)])
			slow.Begin()
			slow.Bool("cluster", true)
			slow.Int("count", int(g.n))
			slow.String("country", ds.Countries[g.country].ISO2)
			slow.String("country_name", ds.Countries[g.country].NameFR)
			slow.String("level", aggLevelNames[l])
			slow.String("key", g.key)
			slow.String("name", g.name)
			if !slices.Equal(fast.Tags(), slow.Tags()) {
				t.Fatalf("level %d group %d: tags %v, want %v", l, k, fast.Tags(), slow.Tags())
			}
			endPoint(&fast, &slow)
		}
		if !slices.Equal(layerBytes(&fast), layerBytes(&slow)) {
			t.Fatalf("level %d: layers differ", l)
		}
		if slow.Values() < 100 {
			t.Errorf("level %d: only %d values compared", l, slow.Values())
		}
	}
}

// TestArcSlicesMatchRuns checks that the tiles drawn from an index's slices
// are the tiles drawn from its runs, byte for byte.
func TestArcSlicesMatchRuns(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	// Both with the layers' own dictionaries: whole ones (which only
	// slices take) are checked by TestWholeDictionaryLayers.
	r.wholeShare = 0
	for _, q := range []atlas.Filter{{}, {Themes: []string{"tourisme"}}} {
		j := testJob(r, snap, q)
		p := r.arcPlan(j)
		for _, z := range []int{0, 2, 4, 6, 7, 8} {
			runs := buildArcIndex(p.endsAt(p.level(z)), 0, p.items(p.level(z)), p.level(z), z)
			sliced := sliceArcIndex(runs)
			if len(sliced.xy) != 0 || len(sliced.runs) != 0 || len(sliced.slices) == 0 {
				t.Fatalf("%v z%d: sliced index keeps %d points, %d runs, has %d slices", q, z, len(sliced.xy)/2, len(sliced.runs), len(sliced.slices))
			}
			tiles := 0
			for ti, key := range runs.runKeys {
				if ti%5 != 0 {
					continue
				}
				tl := maptile.New(uint32(key>>32), uint32(key), maptile.Zoom(z))
				j.t, j.fr = tl, newFrame(tl)
				want := drawLayer(t, j, "partnerships", func() error { return drawRuns(j, p, runs) })
				got := drawLayer(t, j, "partnerships", func() error { return j.drawArcIndex(p, sliced) })
				if !slices.Equal(got, want) {
					t.Fatalf("%v tile %v: %d bytes from slices, %d from runs", q, tl, len(got), len(want))
				}
				tiles++
			}
			if tiles == 0 {
				t.Errorf("%v z%d: no tile compared", q, z)
			}
		}
	}
}

// TestGreatCircleEquator checks where arcs cross the equator.
func TestGreatCircleEquator(t *testing.T) {
	for _, c := range []struct {
		a, b    orb.Point
		crosses bool
	}{
		{orb.Point{0, -10}, orb.Point{0, 10}, true},
		{orb.Point{55.5, -21}, orb.Point{-5.4, 50.2}, true},
		{orb.Point{-160, 30}, orb.Point{170, -45}, true},
		{orb.Point{2.3, 48.9}, orb.Point{139.7, 35.7}, false},
		{orb.Point{2.3, 48.9}, orb.Point{10, 0}, false},
		{orb.Point{-47, -15}, orb.Point{18, -34}, false},
	} {
		g := newGreatCircle(c.a, c.b)
		tt, ok := g.equator()
		if ok != c.crosses {
			t.Errorf("%v–%v: crosses %v, want %v", c.a, c.b, ok, c.crosses)
			continue
		}
		if !ok {
			continue
		}
		if _, _, z := g.vec(tt); tt <= 0 || tt >= 1 || math.Abs(z) > 1e-12 {
			t.Errorf("%v–%v: crossing at t=%v, where z=%g", c.a, c.b, tt, z)
		}
	}
	g := newGreatCircle(orb.Point{0, -10}, orb.Point{0, 10})
	if tt, _ := g.equator(); math.Abs(tt-0.5) > 1e-12 {
		t.Errorf("symmetric arc crosses at t=%v, want 0.5", tt)
	}
}

// TestPropTableMatchesProperties checks that features written from a
// property table get the keys, values and tags that writing their
// properties one by one gives.
func TestPropTableMatchesProperties(t *testing.T) {
	snap := internalSnapshot(t)
	f := atlas.Filter{Themes: []string{"culture-patrimoine"}}
	sel := snap.Select(f)
	for _, layer := range []string{index.LayerCountries, index.LayerRegions, index.LayerDepartements, index.LayerPartnerships} {
		n := snap.Len(layer)
		table := mvt.NewPropTable(n, func(i int, sink mvt.Sink) { snap.VisitProperties(layer, int32(i), sel, sink) })
		var fast, slow mvt.Layer
		fast.Reset(layer)
		slow.Reset(layer)
		for i := 0; i < n; i += 3 {
			fast.Begin()
			fast.DictTags(&table.Dict, table.Of(i))
			slow.Begin()
			snap.VisitProperties(layer, int32(i), sel, &slow)
			if !slices.Equal(fast.Tags(), slow.Tags()) {
				t.Fatalf("%s feature %d: tags %v, want %v", layer, i, fast.Tags(), slow.Tags())
			}
			endPoint(&fast, &slow)
		}
		if !slices.Equal(layerBytes(&fast), layerBytes(&slow)) || slow.Values() < 20 {
			t.Fatalf("%s: layers differ, or too few values (%d)", layer, slow.Values())
		}
	}
}

// TestDictTagsMixed checks a layer whose values come from two dictionaries
// and from values written one by one, in turns: it gets the dictionary
// (each value once) and tags of a layer written value by value.
func TestDictTagsMixed(t *testing.T) {
	snap := internalSnapshot(t)
	sel := snap.Select(atlas.Filter{})
	n := snap.Len(index.LayerCountries)
	a := mvt.NewPropTable(n, func(i int, sink mvt.Sink) { snap.VisitProperties(index.LayerCountries, int32(i), sel, sink) })
	b := mvt.NewPropTable(n, func(i int, sink mvt.Sink) {
		snap.VisitProperties(index.LayerCountries, int32(n-1-i), sel, sink)
	})
	var mixed, direct mvt.Layer
	mixed.Reset("countries")
	direct.Reset("countries")
	for i := 0; i < n; i++ {
		mixed.Begin()
		switch {
		case i < n/3:
			mixed.DictTags(&a.Dict, a.Of(i))
		case i < n/2:
			snap.VisitProperties(index.LayerCountries, int32(i), sel, &mixed)
		case i < 2*n/3:
			mixed.DictTags(&a.Dict, a.Of(i))
		default:
			mixed.DictTags(&b.Dict, b.Of(n-1-i))
		}
		direct.Begin()
		snap.VisitProperties(index.LayerCountries, int32(i), sel, &direct)
		if !slices.Equal(mixed.Tags(), direct.Tags()) {
			t.Fatalf("feature %d: tags %v, want %v", i, mixed.Tags(), direct.Tags())
		}
		endPoint(&mixed, &direct)
	}
	if !slices.Equal(layerBytes(&mixed), layerBytes(&direct)) {
		t.Fatal("layers differ")
	}
}

// endPoint ends the current features of the encoders as points.
func endPoint(es ...*mvt.Layer) {
	for _, e := range es {
		e.Point(1, 2)
		e.End()
	}
}

// drawRuns draws the arcs of a tile from the runs of ix (an index not
// sliced), as sliceArcIndex draws each run.
func drawRuns(j *job, p *arcPlan, ix *arcIndex) error {
	runs, _ := ix.tileRuns(j.t.X, j.t.Y)
	ox, oy := int64(j.fr.ox), int64(j.fr.oy)
	for k := 0; k < len(runs); {
		item := runs[k].item
		j.enc.Begin()
		for ; k < len(runs) && runs[k].item == item; k++ {
			j.drawRun(ix, runs[k], ox, oy)
		}
		if len(j.enc.Geometry()) == 0 {
			continue
		}
		j.arcProps(p, ix.level, int(item))
		j.enc.End()
	}
	return nil
}

// drawLayer returns the layer draw writes with j's encoder.
func drawLayer(t *testing.T, j *job, layer string, draw func() error) []byte {
	t.Helper()
	j.enc.Reset(layer)
	if err := draw(); err != nil {
		t.Fatal(err)
	}
	return layerBytes(&j.enc)
}

// layerBytes returns the layer an encoder has written.
func layerBytes(e *mvt.Layer) []byte {
	b, _ := e.AppendLayer(nil, nil)
	return b
}

// TestPointPropsMatchProperties checks point features written from the
// snapshot's point table, with a selection's counts written in, against
// their properties written one by one.
func TestPointPropsMatchProperties(t *testing.T) {
	snap := internalSnapshot(t)
	r := NewRenderer(Options{})
	for _, f := range []atlas.Filter{{}, {Themes: []string{"culture-patrimoine"}}, {Countries: []string{"JP"}}} {
		j := &job{r: r, snap: snap, f: f, sel: snap.Select(f)}
		for _, layer := range []string{index.LayerAuthorities, index.LayerPartners} {
			j.pprops = r.pointProps(snap, layer)
			var direct mvt.Layer
			j.enc.Reset(layer)
			direct.Reset(layer)
			for i := int32(0); i < int32(snap.Len(layer)); i += 7 {
				j.pointFeature(j.pprops, &j.pprops.Dict, layer, i, orb.Point{1, 2})
				direct.Begin()
				snap.VisitProperties(layer, i, j.sel, &direct)
				direct.Point(1, 2)
				direct.End()
			}
			if !slices.Equal(layerBytes(&j.enc), layerBytes(&direct)) {
				t.Fatalf("%v %s: layers differ", f.Encode(), layer)
			}
		}
	}
}

// TestWholeDictionaryLayers checks that grouped-arc layers written with
// their level's dictionary whole (see mvt.Layer.UseWhole) decode to the
// features, properties and geometry their layers written with their own
// dictionaries decode to; and that the default share makes dense tiles use
// it.
func TestWholeDictionaryLayers(t *testing.T) {
	snap := internalSnapshot(t)
	never, always, def := NewRenderer(Options{}), NewRenderer(Options{}), NewRenderer(Options{})
	never.wholeShare, always.wholeShare = 0, math.MaxInt32
	layers := []string{index.LayerPartnerships}
	ctx := context.Background()
	used := 0
	for _, f := range []atlas.Filter{{}, {Themes: []string{"culture-patrimoine"}}, {Countries: []string{"DE", "SN"}}} {
		for z := maptile.Zoom(0); z <= ArcIndexMaxZoom; z++ {
			for _, p := range []orb.Point{{2.35, 48.86}, {-1.68, 48.11}, {13.4, 52.5}, {-17.4, 14.7}, {55.5, -21.1}} {
				tl := maptile.At(p, z)
				a, err := always.Render(ctx, snap, layers, tl, f)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := never.Render(ctx, snap, layers, tl, f)
				c, _ := def.Render(ctx, snap, layers, tl, f)
				if a.Empty != b.Empty {
					t.Fatalf("%v %v: empty %v against %v", f.Encode(), tl, a.Empty, b.Empty)
				}
				if a.Empty {
					continue
				}
				la, err := orbmvt.Unmarshal(a.Data)
				if err != nil {
					t.Fatalf("%v %v: %v", f.Encode(), tl, err)
				}
				lb, _ := orbmvt.Unmarshal(b.Data)
				if len(la) != 1 || len(lb) != 1 || len(la[0].Features) != len(lb[0].Features) {
					t.Fatalf("%v %v: layers differ", f.Encode(), tl)
				}
				for k, fa := range la[0].Features {
					fb := lb[0].Features[k]
					if !orb.Equal(fa.Geometry, fb.Geometry) || !maps.Equal(fa.Properties, fb.Properties) {
						t.Fatalf("%v %v feature %d: %v against %v", f.Encode(), tl, k, fa.Properties, fb.Properties)
					}
				}
				if !bytes.Equal(c.Data, b.Data) {
					used++
				}
			}
		}
	}
	if used == 0 {
		t.Fatal("no tile took its level's dictionary whole")
	}
	t.Logf("%d tiles took their level's dictionary whole", used)
}
