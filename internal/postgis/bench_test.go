package postgis_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset/generate"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
)

// scaled returns the dataset at scale (1: the embedded one), as
// `atlas geodata build --scale N` generates it.
func scaled(b *testing.B, scale int) *atlas.Dataset {
	b.Helper()
	if scale == 1 {
		return embedded(b)
	}
	ds, err := generate.Dataset(geodata.Sources(), generate.Options{Seed: generate.DefaultSeed, Scale: scale})
	if err != nil {
		b.Fatal(err)
	}
	if len(ds.CountryShapes) == 0 {
		e := embedded(b)
		ds.CountryShapes, ds.RegionShapes, ds.DepartementShapes = e.CountryShapes, e.RegionShapes, e.DepartementShapes
	}
	return ds
}

// BenchmarkImport: import time of the embedded and the 100× dataset into an
// empty database (one transaction).
func BenchmarkImport(b *testing.B) {
	for _, scale := range []int{1, 100} {
		b.Run(fmt.Sprintf("x%d", scale), func(b *testing.B) {
			ds := scaled(b, scale)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				_, pool := migratedDB(b)
				b.StartTimer()
				st, err := postgis.Import(context.Background(), pool, ds, postgis.ImportOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(st.Rows), "rows")
			}
		})
	}
}

// BenchmarkRebuildAfterWrite: from the commit of one declaration to the new
// snapshot published by a running Source (NOTIFY, debounce, load, index).
func BenchmarkRebuildAfterWrite(b *testing.B) {
	pgtest.ServerURL(b)
	for _, scale := range []int{1, 100} {
		b.Run(fmt.Sprintf("x%d", scale), func(b *testing.B) {
			ds := scaled(b, scale)
			url, pool := migratedDB(b)
			if _, err := postgis.Import(context.Background(), pool, ds, postgis.ImportOptions{}); err != nil {
				b.Fatal(err)
			}
			loads := make(chan int64, 16)
			opt := postgisSourceOptions()
			opt.OnLoad = func(_ *index.Snapshot, rev int64, _ time.Duration) { loads <- rev }
			src := startSource(b, url, opt)
			waitLoaded(b, src, 5*time.Minute)
			<-loads
			store := postgis.NewStore(pool)
			p := adminPrincipal(b, pool)
			a := ds.Partnerships[0]
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				in := atlas.PartnershipInput{AuthorityID: a.AuthorityID, PartnerID: a.PartnerID, Kind: "amitie", StartYear: 2000 + i%100}
				if _, err := store.CreatePartnership(context.Background(), p, in); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				select {
				case <-loads:
				case <-time.After(5 * time.Minute):
					b.Fatal("no rebuild")
				}
			}
		})
	}
}
