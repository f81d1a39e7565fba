package query

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi/cql2"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb"
)

// star is a closed ring of n vertices around c, its radius alternating
// between r and r/3: a polygon whose bounding box covers far more than it.
func star(c orb.Point, r float64, n int) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := r
		if i%2 == 1 {
			rr = r / 3
		}
		ring = append(ring, orb.Point{c[0] + rr*math.Cos(a), c[1] + rr*math.Sin(a)})
	}
	return append(ring, ring[0])
}

func TestPreparedIntersectsAsTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pt := func() orb.Point { return orb.Point{rng.Float64()*20 - 10, rng.Float64()*20 - 10} }
	geom := func() orb.Geometry {
		switch rng.IntN(5) {
		case 0:
			return pt()
		case 1:
			return orb.MultiPoint{pt(), pt()}
		case 2:
			return orb.LineString{pt(), pt(), pt()}
		case 3:
			return orb.Polygon{star(pt(), 1+rng.Float64()*5, 6+2*rng.IntN(20))}
		}
		outer := star(pt(), 6, 40)
		hole := star(outer[0], 0, 4) // degenerate hole at a vertex
		return orb.MultiPolygon{{outer, hole}, {star(pt(), 2, 8)}}
	}
	hits := 0
	for i := range 20000 {
		lit, f := geom(), geom()
		want := Intersects(f, lit)
		var work int64
		if got := prepare(lit).Intersects(f, &work); got != want {
			t.Fatalf("case %d: prepared %v, reference %v\nliteral %v\nfeature %v", i, got, want, lit, f)
		}
		if want {
			hits++
		}
	}
	if hits < 2000 || hits > 18000 {
		t.Fatalf("%d of 20,000 cases intersect: the cases do not test both answers", hits)
	}
}

// A 5,000-vertex polygon, the worst case of the issue, selects what the
// reference selects, on every layer.
func TestLargePolygonFilter(t *testing.T) {
	snap := testkit.Snapshot(t)
	ring := star(orb.Point{2.5, 46.5}, 8, 5000)
	intersects := func(g orb.Geometry) cql2.Node { // built, not parsed: the text is over the length cap
		return &cql2.Func{Name: "s_intersects", Args: []cql2.Node{&cql2.Property{Name: GeometryProperty}, &cql2.Geometry{G: g}}}
	}
	n := intersects(orb.Polygon{ring})
	for _, layer := range []string{index.LayerPartnerships, index.LayerAuthorities, index.LayerPartners} {
		p, err := Compile(snap, layer, atlas.Filter{}, n)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := p.Items(context.Background(), snap)
		if err != nil {
			t.Fatal(err)
		}
		all, _, _ := snap.Items(layer, atlas.Filter{})
		// the reference tests every edge against every edge: on the
		// arcs, one feature in 25 keeps the test short
		step := 1
		if layer == index.LayerPartnerships {
			step = 25
		}
		var want, sample []int32
		poly := orb.Polygon{ring}
		for k := 0; k < len(all); k += step {
			i := all[k]
			if Intersects(snap.Geometry(layer, i), poly) {
				want = append(want, i)
			}
			if _, ok := slices.BinarySearch(got, i); ok {
				sample = append(sample, i)
			}
		}
		if !slices.Equal(sample, want) || len(want) == 0 {
			t.Fatalf("%s: %d features of the sample, the reference finds %d", layer, len(sample), len(want))
		}
	}
	n = intersects(orb.Polygon{star(orb.Point{2.5, 46.5}, 8, MaxVertices)})
	if _, err := Compile(snap, index.LayerPartners, atlas.Filter{}, n); err == nil || !strings.Contains(err.Error(), "at most 10000") {
		t.Fatalf("a polygon of %d vertices: %v", MaxVertices+5001, err)
	}
}

func BenchmarkLargePolygonFilter(b *testing.B) {
	snap := testkit.Snapshot(b)
	n := &cql2.Func{Name: "s_intersects", Args: []cql2.Node{&cql2.Property{Name: GeometryProperty},
		&cql2.Geometry{G: orb.Polygon{star(orb.Point{2.5, 46.5}, 8, 5000)}}}}
	for b.Loop() {
		p, err := Compile(snap, index.LayerPartnerships, atlas.Filter{}, n)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := p.Items(context.Background(), snap); err != nil {
			b.Fatal(err)
		}
	}
}
