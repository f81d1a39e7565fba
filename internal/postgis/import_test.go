package postgis_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/postgis"
)

func TestImportAndLoadEqualsFiles(t *testing.T) {
	ds := embedded(t)
	_, pool := migratedDB(t)
	ctx := context.Background()
	var calls int
	var last int64
	st, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{Progress: func(done, total int64) {
		calls++
		if done < last || done > total {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted != st.Rows || last != st.Rows || calls < 10 {
		t.Fatalf("stats %+v, last progress %d, %d calls", st, last, calls)
	}
	got, rev, err := postgis.LoadDataset(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if rev != st.Revision || rev <= 0 {
		t.Fatalf("revision %d, import said %d", rev, st.Revision)
	}
	if !reflect.DeepEqual(got, ds) {
		t.Fatal("the dataset loaded from the database differs from the files")
	}
	// Insert mode refuses a database that holds data.
	if _, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{}); !errors.Is(err, postgis.ErrNotEmpty) {
		t.Fatalf("second insert import: %v", err)
	}
}

func TestImportUpsertAndReplace(t *testing.T) {
	ds := embedded(t)
	_, pool := importedDB(t)
	ctx := context.Background()
	// Upsert a copy with one changed partnership and one new one.
	mod := *ds
	mod.Partnerships = append([]atlas.Partnership(nil), ds.Partnerships...)
	mod.Partnerships[10].Active = !mod.Partnerships[10].Active
	extra := mod.Partnerships[0]
	extra.ID = "NEW-1"
	mod.Partnerships = append([]atlas.Partnership{extra}, mod.Partnerships...) // first in the input, but new
	st, err := postgis.Import(ctx, pool, &mod, postgis.ImportOptions{Mode: postgis.ImportUpsert})
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted != 1 || st.Updated != 1 {
		t.Fatalf("upsert: %+v, want 1 inserted and 1 updated", st)
	}
	got, _, err := postgis.LoadDataset(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	n := len(got.Partnerships)
	if n != len(ds.Partnerships)+1 || got.Partnerships[n-1].ID != "NEW-1" || !reflect.DeepEqual(got.Partnerships[10], mod.Partnerships[11]) {
		t.Fatal("upsert: existing rows must keep their order and new rows come last")
	}
	// Replace: exactly the input again.
	if _, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: postgis.ImportReplace}); err != nil {
		t.Fatal(err)
	}
	got, _, err = postgis.LoadDataset(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ds) {
		t.Fatal("replace: the database differs from the input")
	}
}

// TestImportCancelledLeavesNothing cancels the import half-way through: the
// transaction rolls back and the database is as before.
func TestImportCancelledLeavesNothing(t *testing.T) {
	ds := embedded(t)
	_, pool := migratedDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{Progress: func(done, total int64) {
		if done > total/2 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("cancelled import succeeded")
	}
	bg := context.Background()
	for _, tbl := range []string{"atlas_countries", "atlas_authorities", "atlas_partners", "atlas_partnerships", "atlas_projects", "atlas_boundaries"} {
		var n int
		if err := pool.QueryRow(bg, `SELECT count(*) FROM `+tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%s holds %d rows after a cancelled import", tbl, n)
		}
	}
	var rev int64
	pool.QueryRow(bg, `SELECT rev FROM atlas_revision`).Scan(&rev)
	if rev != 0 {
		t.Fatalf("revision %d after a cancelled import", rev)
	}
	// And the database is usable: the same import now succeeds.
	if _, err := postgis.Import(bg, pool, ds, postgis.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}
