package postgis_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/jackc/pgx/v5/pgxpool"
)

// declServer serves the write API (and reads) of a fresh imported database.
func declServer(t *testing.T) (*httptest.Server, *postgis.Source, func(postgis.TokenSpec) string, func(string) int) {
	t.Helper()
	srv, src, token, count, _ := declServerPool(t)
	return srv, src, token, count
}

// declServerPool is declServer with the database's pool.
func declServerPool(t *testing.T) (*httptest.Server, *postgis.Source, func(postgis.TokenSpec) string, func(string) int, *pgxpool.Pool) {
	t.Helper()
	dbURL, pool := importedDB(t)
	return serveDB(t, dbURL, pool)
}

// serveDB serves the write API on the database at dbURL (its pool), with
// a function that creates a token and one that counts the rows a query
// selects.
func serveDB(t *testing.T, dbURL string, pool *pgxpool.Pool) (*httptest.Server, *postgis.Source, func(postgis.TokenSpec) string, func(string) int, *pgxpool.Pool) {
	t.Helper()
	src := startSource(t, dbURL, postgisSourceOptions())
	waitLoaded(t, src, time.Minute)
	h, err := httpapi.New(src, tiles.NewRenderer(tiles.Options{}), httpapi.Options{Declarations: postgis.NewStore(pool),
		// These tests send hundreds of writes on purpose: the rate limits
		// are tested in httpapi.
		WritesPerSecond: 1e6, WriteBurst: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	token := func(spec postgis.TokenSpec) string {
		tok, err := postgis.CreateToken(context.Background(), pool, spec)
		if err != nil {
			t.Fatal(err)
		}
		return tok.Secret
	}
	count := func(q string) int {
		var n int
		if err := pool.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return srv, src, token, count, pool
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func TestTokenScopes(t *testing.T) {
	srv, src, token, count := declServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	paris := token(postgis.TokenSpec{Authority: "75056"})
	adminTok := token(postgis.TokenSpec{Admin: true})
	own := `{"authority_id":"31555","partner_id":"3186084","kind":"cooperation","start_year":2023}`
	before := count(`SELECT count(*) FROM atlas_partnerships`)

	for name, c := range map[string]struct {
		token string
		want  int
	}{
		"no token":          {"", http.StatusUnauthorized},
		"unknown token":     {"atlas_" + strings.Repeat("A", 43), http.StatusUnauthorized},
		"malformed token":   {"' OR 1=1 --", http.StatusUnauthorized},
		"another authority": {paris, http.StatusForbidden},
	} {
		if code, _ := call(t, srv, "POST", "/api/partnerships", c.token, own); code != c.want {
			t.Errorf("%s: POST got %d, want %d", name, code, c.want)
		}
	}
	if n := count(`SELECT count(*) FROM atlas_partnerships`); n != before {
		t.Fatal("a refused write changed the data")
	}
	code, rec := call(t, srv, "POST", "/api/partnerships", toulouse, own)
	if code != http.StatusCreated {
		t.Fatalf("own write: %d %v", code, rec)
	}
	id := rec["id"].(string)
	// Paris may not update or delete Toulouse's partnership, nor add a project to it.
	if code, _ := call(t, srv, "PUT", "/api/partnerships/"+id, paris, strings.Replace(own, "31555", "75056", 1)); code != http.StatusForbidden {
		t.Errorf("foreign update: %d", code)
	}
	if code, _ := call(t, srv, "DELETE", "/api/partnerships/"+id, paris, ""); code != http.StatusForbidden {
		t.Errorf("foreign delete: %d", code)
	}
	proj := `{"partnership_id":"` + id + `","title":"Eau potable","themes":["eau-assainissement"],"start_year":2024}`
	if code, _ := call(t, srv, "POST", "/api/projects", paris, proj); code != http.StatusForbidden {
		t.Errorf("foreign project: %d", code)
	}
	// Toulouse may not move its partnership to another authority.
	if code, _ := call(t, srv, "PUT", "/api/partnerships/"+id, toulouse, strings.Replace(own, "31555", "75056", 1)); code != http.StatusForbidden {
		t.Errorf("moving to another authority: %d", code)
	}
	code, prj := call(t, srv, "POST", "/api/projects", toulouse, proj)
	if code != http.StatusCreated {
		t.Fatalf("own project: %d %v", code, prj)
	}
	// Validation names the field.
	for body, field := range map[string]string{
		`{"authority_id":"31555","partner_id":"3186084","kind":"twinning"}`:                        "kind",
		`{"authority_id":"31555","partner_id":"3186084","kind":"amitie","start_year":1800}`:        "start_year",
		`{"authority_id":"31555","partner_id":"nope","kind":"amitie"}`:                             "partner_id",
		`{"authority_id":"31555","partner_id":"3186084","kind":"amitie","provenance":"synthetic"}`: "provenance",
	} {
		code, p := call(t, srv, "POST", "/api/partnerships", toulouse, body)
		if code != http.StatusUnprocessableEntity || p["param"] != field {
			t.Errorf("%s: got %d %v, want 422 naming %s", body, code, p, field)
		}
	}
	for body, field := range map[string]string{
		`{"partnership_id":"` + id + `","title":"x","themes":["sport"]}`:                                             "themes",
		`{"partnership_id":"` + id + `","title":"x","themes":["sante","sante"]}`:                                     "themes",
		`{"partnership_id":"` + id + `","title":"","themes":["sante"]}`:                                              "title",
		`{"partnership_id":"` + id + `","title":"x","themes":["sante","tourisme","numerique","eau-assainissement"]}`: "themes",
	} {
		code, p := call(t, srv, "POST", "/api/projects", toulouse, body)
		if code != http.StatusUnprocessableEntity || p["param"] != field {
			t.Errorf("%s: got %d %v, want 422 naming %s", body, code, p, field)
		}
	}
	if code, p := call(t, srv, "POST", "/api/partnerships", toulouse, `{"authority_id":"31555","colour":"red"}`); code != http.StatusBadRequest || p["param"] != "colour" {
		t.Errorf("unknown field: %d %v", code, p)
	}
	// The admin may write for anyone; every write is audited.
	if code, _ := call(t, srv, "DELETE", "/api/partnerships/"+id, adminTok, ""); code != http.StatusNoContent {
		t.Errorf("admin delete: %d", code)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE action <> 'rejected'`); n != 4 { // create, create project, delete project, delete
		t.Errorf("%d audit rows of writes, want 4", n)
	}
	// The refused ones are there too: three without a valid token (no
	// token recorded), the others refused to Paris's token.
	if n := count(`SELECT count(*) FROM atlas_audit WHERE action = 'rejected' AND status = 401 AND token_id IS NULL`); n != 3 {
		t.Errorf("%d audit rows of 401s, want 3", n)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE action = 'rejected' AND status = 403 AND token_id IS NOT NULL AND authority_id = '75056'`); n < 1 {
		t.Errorf("no audit row of Paris's 403s")
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE action = 'delete' AND table_name = 'partnerships' AND before->>'authority_id' = '31555' AND after IS NULL`); n != 1 {
		t.Error("the delete audit row lacks its before image")
	}
	// The replica follows, and reads stay public.
	eventually(t, 5*time.Second, "replica back to the imported data", func() bool {
		_, err := src.Current().Lookup("partnerships", id)
		return err != nil
	})
	if code, _ := call(t, srv, "GET", "/api/partnerships/FRTW00001", "", ""); code != http.StatusOK {
		t.Errorf("public read: %d", code)
	}
}

// TestInjectionStoredAsData: SQL in every field is stored and served back
// as plain text, or rejected by validation; the schema is untouched.
func TestInjectionStoredAsData(t *testing.T) {
	srv, src, token, count := declServer(t)
	adminTok := token(postgis.TokenSpec{Admin: true})
	evil := []string{`'; DROP TABLE atlas_partnerships; --`, `" OR "1"="1`, `$1`, `\x00`, `); DELETE FROM atlas_tokens; --`, `%' --`}
	for _, e := range evil {
		js, _ := json.Marshal(e)
		// Reference and enumerated fields: rejected, naming the field.
		for _, field := range []string{"authority_id", "partner_id", "kind", "provenance"} {
			body := map[string]any{"authority_id": "31555", "partner_id": "3186084", "kind": "amitie"}
			body[field] = e
			b, _ := json.Marshal(body)
			code, p := call(t, srv, "POST", "/api/partnerships", adminTok, string(b))
			if code != http.StatusUnprocessableEntity || p["param"] != field {
				t.Errorf("%s=%s: got %d %v", field, js, code, p)
			}
		}
		if code, _ := call(t, srv, "PUT", "/api/partnerships/"+url.PathEscape(e), adminTok, `{}`); code != http.StatusNotFound && code != http.StatusUnprocessableEntity {
			t.Errorf("PUT id %s: %d", js, code)
		}
	}
	code, rec := call(t, srv, "POST", "/api/partnerships", adminTok, `{"authority_id":"31555","partner_id":"3186084","kind":"amitie"}`)
	if code != http.StatusCreated {
		t.Fatal(code)
	}
	id := rec["id"].(string)
	for _, e := range evil {
		if e == `\x00` {
			continue
		}
		b, _ := json.Marshal(map[string]any{"partnership_id": id, "title": e, "themes": []string{"sante"}})
		code, p := call(t, srv, "POST", "/api/projects", adminTok, string(b))
		if code != http.StatusCreated || p["title"] != e {
			t.Errorf("title %q: %d %v", e, code, p)
		}
	}
	if code, p := call(t, srv, "POST", "/api/projects", adminTok, `{"partnership_id":"`+id+`","title":"a\u0000b","themes":["sante"]}`); code != http.StatusUnprocessableEntity || p["param"] != "title" {
		t.Errorf("NUL in title: %d %v", code, p)
	}
	for _, tbl := range []string{"atlas_partnerships", "atlas_tokens", "atlas_projects"} {
		if count(`SELECT count(*) FROM `+tbl) == 0 {
			t.Fatalf("%s emptied", tbl)
		}
	}
	// Served back verbatim once the replica has reloaded.
	eventually(t, 5*time.Second, "titles served", func() bool {
		i, err := src.Current().Lookup("partnerships", id)
		return err == nil && len(src.Current().PartnershipProjects(i)) == len(evil)-1
	})
	// Read filters: injection attempts are refused as unknown values.
	for _, e := range evil {
		for _, p := range []string{"country", "theme", "type", "kind", "provenance", "authority", "partner", "since", "until", "bbox"} {
			resp, err := http.Get(srv.URL + "/api/stats?" + p + "=" + url.QueryEscape(e))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("filter %s=%q: %d", p, e, resp.StatusCode)
			}
		}
	}
}
