package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// TestIncrementalRefresh makes writes of every kind under a running Source
// and checks, after each, that the snapshot it published (derived from the
// previous one and the change log, or read in full when the log cannot say)
// is the one a full read of the database gives.
func TestIncrementalRefresh(t *testing.T) {
	url, pool := importedDB(t)
	src := startSource(t, url, postgisSourceOptions())
	waitLoaded(t, src, time.Minute)
	ctx := context.Background()
	store := postgis.NewStore(pool)
	p := adminPrincipal(t, pool)
	var newID, projID string

	steps := []struct {
		name        string
		incremental bool
		write       func() error
	}{
		{"create a partnership and its project", true, func() error {
			rec, err := store.CreatePartnership(ctx, p, atlas.PartnershipInput{AuthorityID: "31555", PartnerID: "3186084", Kind: "cooperation", StartYear: 2024})
			if err != nil {
				return err
			}
			newID = rec.ID
			pr, err := store.CreateProject(ctx, p, atlas.ProjectInput{PartnershipID: newID, Title: "Eau potable", Themes: []string{"eau-assainissement"}, StartYear: 2024})
			projID = pr.ID
			return err
		}},
		{"move a real partnership's arc", true, func() error {
			_, err := pool.Exec(ctx, `UPDATE atlas_partnerships SET partner_id = '3186084' WHERE ord = 7`)
			return err
		}},
		{"retitle and rethink projects", true, func() error {
			_, err := pool.Exec(ctx, `UPDATE atlas_projects SET title = title || ' (2e phase)', themes = '{culture-patrimoine}' WHERE ord IN (0, 3, 5)`)
			return err
		}},
		{"one transaction, several statements", true, func() error {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, `UPDATE atlas_projects SET start_year = 2025 WHERE id = $1`, projID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE atlas_partnerships SET start_year = 2023, kind = 'jumelage' WHERE id = $1`, newID); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}},
		{"delete a partnership and its project", true, func() error {
			return store.DeletePartnership(ctx, p, newID)
		}},
		{"delete a real project", true, func() error {
			_, err := pool.Exec(ctx, `DELETE FROM atlas_projects WHERE ord = 1`)
			return err
		}},
		{"rename an authority (read in full)", false, func() error {
			_, err := pool.Exec(ctx, `UPDATE atlas_authorities SET name = name || ' (test)' WHERE id = '31555'`)
			return err
		}},
		{"touch every partnership (read in full)", false, func() error {
			_, err := pool.Exec(ctx, `UPDATE atlas_partnerships SET active = NOT active WHERE ord % 2 = 0`)
			return err
		}},
		{"declare a year's APD (the money side read again)", true, func() error {
			_, err := store.PutAPD(ctx, p, "31555", 2024, atlas.APDInput{Status: "declared", Lines: []atlas.APDLineInput{
				{AmountEUR: 12000, Country: "SN", Sector: "14030", Channel: "direct"}}})
			return err
		}},
		{"rename a call and move a partnership, one transaction", true, func() error {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, `UPDATE atlas_calls SET title = title || ' (rectifié)' WHERE id = (SELECT min(id) FROM atlas_calls)`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE atlas_partnerships SET start_year = 1991 WHERE ord = 12`); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}},
		{"after a full read, incremental again", true, func() error {
			_, err := pool.Exec(ctx, `UPDATE atlas_partnerships SET start_year = 1990 WHERE ord = 11`)
			return err
		}},
	}
	for _, st := range steps {
		before := src.Stats()
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		var rev int64
		if err := pool.QueryRow(ctx, `SELECT rev FROM atlas_revision`).Scan(&rev); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, st.name+": published", func() bool { return src.Revision() == rev })
		ds, _, err := postgis.LoadDataset(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		want, err := index.New(ds)
		if err != nil {
			t.Fatal(err)
		}
		if got := src.Current().Version(); got != want.Version() {
			t.Fatalf("%s: published version %s, a full read gives %s", st.name, got, want.Version())
		}
		after := src.Stats()
		if incr := after.Incremental > before.Incremental; incr != st.incremental {
			t.Errorf("%s: incremental refresh %v, want %v (stats %+v)", st.name, incr, st.incremental, after)
		}
		t.Logf("%s: revision %d, %d refreshes, last took %s", st.name, rev, after.Reloads-before.Reloads, after.LastReload.Round(time.Millisecond))
	}
}

// TestChangeLog checks what the triggers record: one row per revision,
// the ids of the partnerships and projects touched, full for the rest.
func TestChangeLog(t *testing.T) {
	_, pool := importedDB(t)
	ctx := context.Background()
	var rev0 int64
	if err := pool.QueryRow(ctx, `SELECT rev FROM atlas_revision`).Scan(&rev0); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE atlas_partnerships SET start_year = 2001 WHERE ord IN (1, 2)`,
		`UPDATE atlas_partnerships SET start_year = 2002 WHERE false`, // no row: no revision
		`UPDATE atlas_countries SET name_en = name_en WHERE iso2 = 'JP'`,
		`DELETE FROM atlas_projects WHERE ord = 0`,
		`UPDATE atlas_partnerships SET active = active`, // every row: full
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	rows, err := pool.Query(ctx, `SELECT rev - $1, tbl, "full", cardinality(ids) FROM atlas_changes WHERE rev > $1 ORDER BY rev`, rev0)
	if err != nil {
		t.Fatal(err)
	}
	type change struct {
		rev  int64
		tbl  string
		full bool
		ids  int
	}
	var got []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.rev, &c.tbl, &c.full, &c.ids); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []change{
		{1, "atlas_partnerships", false, 2},
		{2, "atlas_countries", true, 0},
		{3, "atlas_projects", false, 1},
		{4, "atlas_partnerships", true, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("change log %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("change log %+v, want %+v", got, want)
		}
	}
}
