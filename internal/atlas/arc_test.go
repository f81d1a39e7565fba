package atlas_test

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
)

func TestArc(t *testing.T) {
	paris, tokyo := orb.Point{2.35, 48.85}, orb.Point{139.69, 35.69}
	arc := atlas.Arc(paris, tokyo, 100)
	if len(arc) != 1 {
		t.Fatalf("Paris–Tokyo split into %d parts", len(arc))
	}
	line := arc[0]
	if line[0] != paris || line[len(line)-1] != tokyo {
		t.Fatalf("endpoints %v %v", line[0], line[len(line)-1])
	}
	d := atlas.DistanceKm(paris, tokyo)
	if d < 9600 || d > 9800 {
		t.Fatalf("Paris–Tokyo distance %.0f km", d)
	}
	if want := int(math.Ceil(d/100)) + 1; len(line) != want {
		t.Fatalf("got %d points, want %d", len(line), want)
	}
	// The great circle goes north of both endpoints (over Siberia).
	maxLat := -90.0
	for _, p := range line {
		maxLat = max(maxLat, p[1])
	}
	if maxLat < 60 {
		t.Fatalf("arc max latitude %.1f, want a great circle over Siberia", maxLat)
	}
}

func TestArcAntimeridian(t *testing.T) {
	// Auckland to Honolulu crosses 180°.
	a, b := orb.Point{174.76, -36.85}, orb.Point{-157.86, 21.31}
	arc := atlas.Arc(a, b, 50)
	if len(arc) != 2 {
		t.Fatalf("want 2 parts, got %d", len(arc))
	}
	for _, part := range arc {
		if len(part) < 2 {
			t.Fatalf("degenerate part %v", part)
		}
		for _, p := range part {
			if p[0] < -180 || p[0] > 180 {
				t.Fatalf("longitude %v out of range", p[0])
			}
		}
	}
	end0, start1 := arc[0][len(arc[0])-1], arc[1][0]
	if math.Abs(end0[0]) != 180 || end0[0] != -start1[0] || end0[1] != start1[1] {
		t.Fatalf("parts do not meet at the antimeridian: %v %v", end0, start1)
	}
	if arc[0][0] != a || arc[1][len(arc[1])-1] != b {
		t.Fatal("endpoints lost")
	}
}

func TestArcSamePoint(t *testing.T) {
	p := orb.Point{2, 48}
	arc := atlas.Arc(p, p, 100)
	if len(arc) != 1 || len(arc[0]) != 2 {
		t.Fatalf("got %v", arc)
	}
}

// TestArcBoundsContainArc checks the analytic bounds against densified arcs
// between random points (SEED replays a run).
func TestArcBoundsContainArc(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	pt := func() orb.Point { return orb.Point{rng.Float64()*360 - 180, rng.Float64()*170 - 85} }
	// Arc interpolates the antimeridian crossing linearly between two
	// densified points, which can stray by about 0.001° near the poles.
	const eps = 0.01
	for k := 0; k < 20000; k++ {
		a, b := pt(), pt()
		if k%4 == 0 { // many arcs from France
			a = orb.Point{-5 + rng.Float64()*13, 42 + rng.Float64()*9}
		}
		bounds := atlas.ArcBounds(a, b)
		arc := atlas.Arc(a, b, 20)
		if len(bounds) != len(arc) {
			t.Fatalf("%v→%v: %d bounds for %d parts", a, b, len(bounds), len(arc))
		}
		for i, part := range arc {
			bd := bounds[i]
			pb := part.Bound()
			if pb.Min[0] < bd.Min[0]-eps || pb.Min[1] < bd.Min[1]-eps || pb.Max[0] > bd.Max[0]+eps || pb.Max[1] > bd.Max[1]+eps {
				t.Fatalf("%v→%v part %d: densified bound %v outside analytic %v", a, b, i, pb, bd)
			}
			// And tight away from the poles (near a pole, a 20 km step
			// changes the latitude a lot): little slack in latitude.
			if math.Max(math.Abs(bd.Max[1]), math.Abs(bd.Min[1])) < 80 && (bd.Max[1]-pb.Max[1] > 0.05 || pb.Min[1]-bd.Min[1] > 0.05) {
				t.Fatalf("%v→%v part %d: analytic %v much larger than %v", a, b, i, bd, pb)
			}
		}
	}
}

// TestArcOnGreatCircle checks every densified point against the direct
// spherical interpolation formula.
func TestArcOnGreatCircle(t *testing.T) {
	a, b := orb.Point{2.35, 48.85}, orb.Point{139.69, 35.69}
	line := atlas.Arc(a, b, 10)[0]
	d := atlas.DistanceKm(a, b)
	for i, p := range line {
		// Distances from both ends add up to the whole arc, in proportion.
		da, db := atlas.DistanceKm(a, p), atlas.DistanceKm(p, b)
		if math.Abs(da+db-d) > 0.01 {
			t.Fatalf("point %d %v off the great circle: %.3f + %.3f != %.3f km", i, p, da, db, d)
		}
		if want := d * float64(i) / float64(len(line)-1); math.Abs(da-want) > 0.01 {
			t.Fatalf("point %d at %.3f km, want %.3f", i, da, want)
		}
	}
}

func BenchmarkArc(b *testing.B) {
	a, c := orb.Point{2.35, 48.85}, orb.Point{139.69, 35.69}
	b.ReportAllocs()
	for b.Loop() {
		atlas.Arc(a, c, 100)
	}
}
