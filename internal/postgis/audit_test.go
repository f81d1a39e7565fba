package postgis_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestAuditTrail: a write's audit row says where it came from (request id,
// client address, user agent, request), a refused one is recorded with its
// status, and the trail is append-only.
func TestAuditTrail(t *testing.T) {
	dbURL, pool := importedDB(t)
	src := startSource(t, dbURL, postgisSourceOptions())
	waitLoaded(t, src, time.Minute)
	h, err := httpapi.New(src, tiles.NewRenderer(tiles.Options{}), httpapi.Options{Declarations: postgis.NewStore(pool)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tok, err := postgis.CreateToken(context.Background(), pool, postgis.TokenSpec{Authority: "31555"})
	if err != nil {
		t.Fatal(err)
	}
	toulouse := tok.Secret
	send := func(tok, id, body string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/api/partnerships", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "extranet-test/1.0")
		req.Header.Set("X-Request-Id", id)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send(toulouse, "audit-create-1", `{"authority_id":"31555","partner_id":"3186084","kind":"amitie"}`); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	if code := send("atlas_"+strings.Repeat("Z", 43), "audit-401-1", `{}`); code != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", code)
	}
	if code := send(toulouse, "audit-403-1", `{"authority_id":"75056","partner_id":"3186084","kind":"amitie"}`); code != http.StatusForbidden {
		t.Fatalf("another authority: %d", code)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	type row struct {
		action, client, ua, request, reason string
		status                              *int
		token                               *int64
	}
	get := func(id string) row {
		var r row
		err := conn.QueryRow(ctx, `SELECT action, client_addr, user_agent, request, reason, status, token_id FROM atlas_audit WHERE request_id = $1`, id).
			Scan(&r.action, &r.client, &r.ua, &r.request, &r.reason, &r.status, &r.token)
		if err != nil {
			t.Fatalf("audit row of %s: %v", id, err)
		}
		return r
	}
	if r := get("audit-create-1"); r.action != "create" || r.client != "127.0.0.1" || r.ua != "extranet-test/1.0" || r.request != "POST /api/partnerships" || r.token == nil || r.status != nil {
		t.Errorf("create row: %+v", r)
	}
	if r := get("audit-401-1"); r.action != "rejected" || r.status == nil || *r.status != 401 || r.token != nil || r.reason == "" {
		t.Errorf("401 row: %+v", r)
	}
	if r := get("audit-403-1"); r.action != "rejected" || r.status == nil || *r.status != 403 || r.token == nil || !strings.Contains(r.reason, "forbidden") {
		t.Errorf("403 row: %+v", r)
	}
	// Append-only, whoever asks.
	for _, q := range []string{`UPDATE atlas_audit SET reason = 'x'`, `DELETE FROM atlas_audit`, `TRUNCATE atlas_audit`} {
		_, err := conn.Exec(ctx, q)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("%s: %v, want insufficient_privilege", q, err)
		}
	}
}

// TestImportAuditsDeclaredRecords: an upsert that reverts a declared change
// and a replace that drops declared records write audit rows (via import,
// before and after); the records nobody declared leave none.
func TestImportAuditsDeclaredRecords(t *testing.T) {
	_, pool := importedDB(t)
	ctx := context.Background()
	store := postgis.NewStore(pool)
	p := adminPrincipal(t, pool)
	ds := embedded(t)
	pship := ds.Partnerships[0]
	if _, err := store.UpdatePartnership(ctx, p, pship.ID, atlas.PartnershipInput{AuthorityID: pship.AuthorityID, PartnerID: pship.PartnerID,
		Kind: "cooperation", StartYear: 1999, Active: &pship.Active, Provenance: string(pship.Provenance)}); err != nil {
		t.Fatal(err)
	}
	rec, err := store.CreatePartnership(ctx, p, atlas.PartnershipInput{AuthorityID: "31555", PartnerID: "3186084", Kind: "cooperation", StartYear: 2024})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := store.CreateProject(ctx, p, atlas.ProjectInput{PartnershipID: rec.ID, Title: "Eau potable", Themes: []string{"eau-assainissement"}, StartYear: 2024})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		action, table, id, request string
		before, after              *string
	}
	importRows := func() []row {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT action, table_name, record_id, request, before::text, after::text FROM atlas_audit
			WHERE via = 'import' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.action, &r.table, &r.id, &r.request, &r.before, &r.after); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}

	// Upsert the files again: the declared change to the real partnership
	// is reverted (audited); the declared new ones, absent from the files,
	// stay.
	st, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: postgis.ImportUpsert})
	if err != nil {
		t.Fatal(err)
	}
	got := importRows()
	if st.Audited != 1 || len(got) != 1 || got[0].action != "update" || got[0].id != pship.ID || got[0].request != "import --upsert" {
		t.Fatalf("upsert: audited %d, rows %+v", st.Audited, got)
	}
	if b, a := *got[0].before, *got[0].after; !strings.Contains(b, `"start_year": 1999`) || strings.Contains(a, `"start_year": 1999`) || !strings.Contains(a, `"kind": "`+string(pship.Kind)+`"`) {
		t.Errorf("upsert audit before %s after %s", b, a)
	}
	// Again: nothing changes, nothing is audited.
	if st, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: postgis.ImportUpsert}); err != nil || st.Audited != 0 {
		t.Fatalf("second upsert: audited %d, %v", st.Audited, err)
	}
	// Replace: the declared partnership and project go, audited with what
	// they were.
	st, err = postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: postgis.ImportReplace})
	if err != nil {
		t.Fatal(err)
	}
	got = importRows()[1:]
	want := map[string]string{"partnerships/" + rec.ID: "delete", "projects/" + pr.ID: "delete"}
	if st.Audited != 2 || len(got) != 2 {
		t.Fatalf("replace: audited %d, rows %+v", st.Audited, got)
	}
	for _, r := range got {
		if want[r.table+"/"+r.id] != r.action || r.after != nil || r.before == nil || !strings.Contains(*r.before, r.id) || r.request != "import --replace" {
			t.Errorf("replace audit row %+v", r)
		}
	}
	// The trail stays append-only for the import's rows too.
	if _, err := pool.Exec(ctx, `DELETE FROM atlas_audit WHERE via = 'import'`); err == nil {
		t.Error("an import's audit row could be deleted")
	}
}
