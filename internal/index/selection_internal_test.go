package index

import (
	"net/url"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
)

// BenchmarkSelect measures a filter evaluation without the selection cache:
// postings of the most selective facet, then column checks.
func BenchmarkSelect(b *testing.B) {
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(ds)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"", "country=JP", "theme=culture-patrimoine&kind=cooperation", "since=2000&until=2010", "type=commune"} {
		v, _ := url.ParseQuery(q)
		f, err := atlas.ParseFilter(v, s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("filter="+q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sel := s.compute(f)
				sel.derive()
			}
		})
	}
}
