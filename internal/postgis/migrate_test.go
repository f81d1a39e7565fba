package postgis_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMigrateFromEmptyAndRerun(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	applied, err := postgis.Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{}
	for v := 1; v <= postgis.SchemaVersion(); v++ {
		want = append(want, v)
	}
	if !slices.Equal(applied, want) {
		t.Fatalf("applied %v, want %v", applied, want)
	}
	for _, tbl := range []string{"atlas_countries", "atlas_authorities", "atlas_partners", "atlas_partnerships", "atlas_projects", "atlas_boundaries", "atlas_tokens", "atlas_audit", "atlas_revision"} {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, tbl).Scan(&ok); err != nil || !ok {
			t.Fatalf("table %s missing (%v)", tbl, err)
		}
	}
	// Re-run: nothing to do, nothing changed.
	again, err := postgis.Migrate(ctx, conn)
	if err != nil || len(again) != 0 {
		t.Fatalf("re-run applied %v, %v", again, err)
	}
	var n int
	conn.QueryRow(ctx, `SELECT count(*) FROM atlas_schema_migrations`).Scan(&n)
	if n != postgis.SchemaVersion() {
		t.Fatalf("%d migration rows", n)
	}
	// A newer schema is refused.
	if _, err := conn.Exec(ctx, `INSERT INTO atlas_schema_migrations (version, name) VALUES ($1, 'future')`, postgis.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := postgis.Migrate(ctx, conn); !errors.Is(err, postgis.ErrSchemaTooNew) {
		t.Fatalf("newer schema: got %v", err)
	}
}

// TestMigrateConcurrent: replicas starting together apply the schema once.
func TestMigrateConcurrent(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	total := make(chan int, 4)
	for range 4 {
		go func() {
			conn, err := pgx.Connect(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(ctx)
			a, err := postgis.Migrate(ctx, conn)
			total <- len(a)
			errs <- err
		}()
	}
	sum := 0
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		sum += <-total
	}
	if sum != postgis.SchemaVersion() {
		t.Fatalf("migrations applied %d times in all, want %d", sum, postgis.SchemaVersion())
	}
}
