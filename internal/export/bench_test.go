package export_test

import (
	"context"
	"io"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

// snapshot returns the embedded snapshot, or the 100× one named by
// ATLAS_DATA_100 (skipping when unset).
func snapshot(b *testing.B, big bool) *index.Snapshot {
	if big {
		return testkit.BigSnapshot(b)
	}
	return testkit.Snapshot(b)
}

func benchWrite(b *testing.B, big bool, write func(context.Context, io.Writer, *index.Snapshot, string, atlas.Filter, export.Options) (int, error)) {
	snap := snapshot(b, big)
	f := atlas.Filter{Countries: []string{"DE"}}
	n, _ := write(context.Background(), io.Discard, snap, index.LayerPartnerships, f, export.Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := write(context.Background(), io.Discard, snap, index.LayerPartnerships, f, export.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "features")
}

func BenchmarkWriteGeoJSONGermany(b *testing.B)     { benchWrite(b, false, export.WriteGeoJSON) }
func BenchmarkWriteGeoJSONGermany100x(b *testing.B) { benchWrite(b, true, export.WriteGeoJSON) }
func BenchmarkWriteCSVGermany100x(b *testing.B)     { benchWrite(b, true, export.WriteCSV) }
