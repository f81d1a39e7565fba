package query

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi/cql2"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

func compileText(t testing.TB, snap *index.Snapshot, layer, text string) (*Plan, error) {
	t.Helper()
	n, err := cql2.ParseText(text)
	if err != nil {
		t.Fatalf("%.80s: %v", text, err)
	}
	return Compile(snap, layer, atlas.Filter{}, n)
}

// The caps are checked when the filter is compiled, each error naming its
// limit.
func TestFilterCaps(t *testing.T) {
	snap := testkit.Snapshot(t)
	for _, c := range []struct{ filter, limit string }{
		{"partner_name LIKE '" + strings.Repeat("%", 20000) + "'", "at most 256"},
		{strings.Repeat("partner_name LIKE '"+strings.Repeat("%a", 100)+"' OR ", 6) + "true", "more than 1024 characters"},
		{"country IN (" + strings.Repeat("'JP', ", 1000) + "'BJ')", "more than 1000 predicates and values"},
		{strings.Repeat("country = 'JP' OR ", 600) + "true", "more than 1000 predicates and values"},
	} {
		_, err := compileText(t, snap, index.LayerPartnerships, c.filter)
		if err == nil || !strings.Contains(err.Error(), c.limit) {
			t.Errorf("%.60s…: %v, want an error naming %q", c.filter, err, c.limit)
		}
	}
	// just under the caps, the filters compile
	for _, f := range []string{
		"partner_name LIKE '" + strings.Repeat("%a", 128) + "'",
		"country IN (" + strings.Repeat("'JP', ", 900) + "'BJ')",
	} {
		if _, err := compileText(t, snap, index.LayerPartnerships, f); err != nil {
			t.Errorf("%.60s…: %v", f, err)
		}
	}
}

// Evaluation stops when its budget is spent, and when its client has left.
func TestEvaluationStops(t *testing.T) {
	snap := testkit.Snapshot(t)
	p, err := compileText(t, snap, index.LayerPartnerships, "partner_name LIKE '%a%e%' OR authority_name LIKE '%in%'")
	if err != nil {
		t.Fatal(err)
	}
	ids, _, w, err := p.items(context.Background(), snap, MaxWork)
	if err != nil || len(ids) == 0 {
		t.Fatalf("%d features, %v", len(ids), err)
	}
	if _, _, _, err := p.items(context.Background(), snap, w.total/2); !errors.Is(err, ErrTooCostly) {
		t.Fatalf("half the work needed (%d of %d units): %v, want ErrTooCostly", w.total/2, w.total, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := p.Items(ctx, snap); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled request: %v", err)
	}
}

// themes is the number of themes a partnership can have, the multiplier of
// LIKE's work on theme.
func themes() int64 { return int64(len(atlas.ThemeSlugs())) }

// FuzzFilterWork evaluates any filter that compiles on the arcs, the largest
// collection: evaluation ends with the features or ErrTooCostly, never past
// the budget by more than one feature's work; without a geometry literal, the
// work of one feature is bounded by the caps alone.
func FuzzFilterWork(f *testing.F) {
	for _, s := range []string{
		"partner_name LIKE '%a%'",
		"partner_name LIKE '" + strings.Repeat("%a", 100) + "'",
		"theme LIKE 's%' AND NOT (country IN ('JP', 'BJ'))",
		"S_INTERSECTS(geometry, POLYGON((0 40, 10 40, 10 50, 0 50, 0 40)))",
		"S_INTERSECTS(geometry, LINESTRING(-180 0, 180 10, -180 20, 180 30))",
		"S_DISJOINT(geometry, MULTIPOINT((2.35 48.85), (139.7 35.7)))",
		"start_year BETWEEN 1950 AND 1990 OR kind = 'jumelage'",
		"A_OVERLAPS(themes, ('eau', 'climat')) AND T_AFTER(start_year, DATE('1980-01-01'))",
	} {
		f.Add(s)
	}
	snap := testkit.Snapshot(f)
	f.Fuzz(func(t *testing.T, text string) {
		n, err := cql2.ParseText(text)
		if err != nil {
			return
		}
		p, err := Compile(snap, index.LayerPartnerships, atlas.Filter{}, n)
		if err != nil {
			return
		}
		_, _, w, err := p.items(context.Background(), snap, MaxWork)
		if err != nil && !errors.Is(err, ErrTooCostly) {
			t.Fatalf("%q: %v", text, err)
		}
		if w.total > MaxWork+w.maxRow {
			t.Fatalf("%q: %d units spent, the budget is %d and one feature took at most %d", text, w.total, MaxWork, w.maxRow)
		}
		if !strings.Contains(strings.ToUpper(text), "S_") {
			if bound := MaxOperands + (MaxOperands+MaxPatterns)*themes(); w.maxRow > bound {
				t.Fatalf("%q: one feature took %d units, the caps allow %d", text, w.maxRow, bound)
			}
		}
	})
}
