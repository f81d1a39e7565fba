package postgis_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// postKeyed sends a POST with an Idempotency-Key and returns its status and
// decoded body.
func postKeyed(t *testing.T, url, token, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

// TestIdempotencyKey: a POST repeated with its Idempotency-Key answers the
// first record and creates no other, even when the repeats race; the key
// with another body is refused (422); another token's same key is its own.
func TestIdempotencyKey(t *testing.T) {
	srv, _, token, count := declServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	adminTok := token(postgis.TokenSpec{Admin: true})
	body := `{"authority_id":"31555","partner_id":"3186084","kind":"cooperation","start_year":2023}`
	rows := `SELECT count(*) FROM atlas_partnerships`
	before := count(rows)

	code, first := postKeyed(t, srv.URL+"/api/partnerships", toulouse, "6f1c0c1e-retry-1", body)
	if code != http.StatusCreated {
		t.Fatalf("first POST: %d %v", code, first)
	}
	// The same request again, several at once (a client retrying on a
	// timeout): the same record, no new row.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			code, again := postKeyed(t, srv.URL+"/api/partnerships", toulouse, "6f1c0c1e-retry-1", body)
			if code != http.StatusCreated || again["id"] != first["id"] {
				t.Errorf("repeat: %d %v, want 201 with id %v", code, again, first["id"])
			}
		})
	}
	wg.Wait()
	if n := count(rows); n != before+1 {
		t.Fatalf("%d rows created, want 1", n-before)
	}
	// Whitespace does not make another request.
	if code, again := postKeyed(t, srv.URL+"/api/partnerships", toulouse, "6f1c0c1e-retry-1", strings.ReplaceAll(body, ",", ", ")); code != http.StatusCreated || again["id"] != first["id"] {
		t.Errorf("same body, other spacing: %d %v", code, again)
	}
	// The key with another body, or for another operation, is refused.
	other := strings.Replace(body, "2023", "2024", 1)
	if code, p := postKeyed(t, srv.URL+"/api/partnerships", toulouse, "6f1c0c1e-retry-1", other); code != http.StatusUnprocessableEntity || p["param"] != "Idempotency-Key" {
		t.Errorf("key reused with another body: %d %v, want 422 on Idempotency-Key", code, p)
	}
	project := `{"partnership_id":"` + first["id"].(string) + `","title":"Eau potable","themes":["eau-assainissement"],"start_year":2024}`
	if code, p := postKeyed(t, srv.URL+"/api/projects", toulouse, "6f1c0c1e-retry-1", project); code != http.StatusUnprocessableEntity {
		t.Errorf("key reused for a project: %d %v, want 422", code, p)
	}
	// Another token's key is its own; a new key is a new record.
	if code, p := postKeyed(t, srv.URL+"/api/partnerships", adminTok, "6f1c0c1e-retry-1", body); code != http.StatusCreated || p["id"] == first["id"] {
		t.Errorf("admin with the same key: %d %v, want a new record", code, p)
	}
	if code, p := postKeyed(t, srv.URL+"/api/partnerships", toulouse, "6f1c0c1e-retry-2", body); code != http.StatusCreated || p["id"] == first["id"] {
		t.Errorf("a new key: %d %v, want a new record", code, p)
	}
	if n := count(rows); n != before+3 {
		t.Fatalf("%d rows created, want 3", n-before)
	}
	for _, bad := range []string{strings.Repeat("k", 256), "clé"} {
		if code, p := postKeyed(t, srv.URL+"/api/partnerships", toulouse, bad, body); code != http.StatusBadRequest || p["param"] != "Idempotency-Key" {
			t.Errorf("key %.20q: %d %v, want 400 on Idempotency-Key", bad, code, p)
		}
	}
	if n := count(`SELECT count(*) FROM atlas_idempotency`); n != 3 {
		t.Errorf("%d keys stored, want 3", n)
	}
}
