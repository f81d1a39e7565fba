package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

// TestWritesNeedADatabase: without a declarations store every write route
// answers 501 with a problem saying so; reads are unaffected.
func TestWritesNeedADatabase(t *testing.T) {
	srv := atlastest.NewServer(t)
	for _, c := range []struct{ method, path string }{
		{"POST", "/api/partnerships"}, {"PUT", "/api/partnerships/FRTW00001"}, {"DELETE", "/api/partnerships/FRTW00001"},
		{"POST", "/api/projects"}, {"PUT", "/api/projects/PRJ-000001"}, {"DELETE", "/api/projects/PRJ-000001"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(`{}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Detail string }
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotImplemented || !strings.Contains(p.Detail, "database") {
			t.Errorf("%s %s: %d %q", c.method, c.path, resp.StatusCode, p.Detail)
		}
	}
	if resp, err := http.Get(srv.URL + "/api/partnerships/FRTW00001"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("read: %v", err)
	}
}

// fakeDecl accepts one token and records calls.
type fakeDecl struct {
	httpapi.Declarations
	created []atlas.PartnershipInput
}

func (f *fakeDecl) Authenticate(_ context.Context, token string) (atlas.Principal, error) {
	switch token {
	case "good":
		return atlas.Principal{TokenID: 1, Authority: "31555"}, nil
	case "down": // the database is down
		return atlas.Principal{}, fmt.Errorf("%w: dial tcp 127.0.0.1:5432: connection refused", atlas.ErrUnavailable)
	}
	return atlas.Principal{}, atlas.ErrUnauthenticated
}

func (f *fakeDecl) CreatePartnership(_ context.Context, p atlas.Principal, in atlas.PartnershipInput) (atlas.PartnershipRecord, error) {
	if in.AuthorityID != p.Authority {
		return atlas.PartnershipRecord{}, atlas.ErrForbidden
	}
	if in.Kind != "jumelage" {
		return atlas.PartnershipRecord{}, atlas.FieldErrors{{Field: "kind", Reason: "unknown kind"}}
	}
	f.created = append(f.created, in)
	return atlas.PartnershipRecord{ID: "DECL-000001", AuthorityID: in.AuthorityID, Kind: in.Kind, Active: true, Provenance: "real"}, nil
}

func TestDeclarationStatuses(t *testing.T) {
	f := &fakeDecl{}
	h, err := httpapi.New(index.NewLive(atlastest.Snapshot(t)), tiles.NewRenderer(tiles.Options{}), httpapi.Options{Declarations: f})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, c := range []struct {
		name, token, ctype, body string
		want                     int
		param                    string
	}{
		{"no token", "", "application/json", `{}`, 401, ""},
		{"bad token", "bad", "application/json", `{}`, 401, ""},
		{"wrong scope", "good", "application/json", `{"authority_id":"75056","kind":"jumelage"}`, 403, ""},
		{"invalid field", "good", "application/json", `{"authority_id":"31555","kind":"x"}`, 422, "kind"},
		{"unknown field", "good", "application/json", `{"authority_id":"31555","color":"x"}`, 400, "color"},
		{"wrong type", "good", "application/json", `{"start_year":"2020"}`, 400, "start_year"},
		{"malformed", "good", "application/json", `{"authority_id":`, 400, "body"},
		{"trailing data", "good", "application/json", `{} {}`, 400, "body"},
		{"not json", "good", "text/plain", `{}`, 415, ""},
		{"not UTF-8", "good", "application/json", "{\"authority_id\":\"31555\",\"kind\":\"jumelage\",\"title\":\"Coop\xe9ration\"}", 400, "body"},
		{"database down", "down", "application/json", `{"authority_id":"31555","kind":"jumelage"}`, 503, ""},
		{"created", "good", "application/json", `{"authority_id":"31555","kind":"jumelage"}`, 201, ""},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/partnerships", strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ctype)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Param string }
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode != c.want || p.Param != c.param {
			t.Errorf("%s: got %d param %q, want %d %q", c.name, resp.StatusCode, p.Param, c.want, c.param)
		}
		if c.want == 503 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", c.name)
		}
		if c.want == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
		if c.want == 201 && !strings.HasSuffix(resp.Header.Get("Location"), "/api/partnerships/DECL-000001") {
			t.Errorf("Location %q", resp.Header.Get("Location"))
		}
	}
	if len(f.created) != 1 {
		t.Fatalf("%d creates reached the store, want 1", len(f.created))
	}
	_ = errors.New
}

// TestWriteRateLimits: failed authentications are logged and, past the
// limit, answered 429 for that address only without reaching the store;
// writes are limited per token.
func TestWriteRateLimits(t *testing.T) {
	logs := &syncBuffer{}
	f := &fakeDecl{}
	h, err := httpapi.New(index.NewLive(atlastest.Snapshot(t)), tiles.NewRenderer(tiles.Options{}), httpapi.Options{
		Declarations: f, AuthFailuresPerMinute: 3, WritesPerSecond: 0.001, WriteBurst: 2,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	post := func(addr, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/partnerships", strings.NewReader(`{"authority_id":"31555","kind":"jumelage"}`))
		req.RemoteAddr = addr + ":40000"
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i, tok := range []string{"guess1", "", "guess2"} {
		if rec := post("192.0.2.7", tok); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, rec.Code)
		}
	}
	for _, tok := range []string{"guess3", "good"} { // "good" has not authenticated yet
		rec := post("192.0.2.7", tok)
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("after 3 failures, token %q: %d, want 429", tok, rec.Code)
		}
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q, want 1–60 s", rec.Header().Get("Retry-After"))
		}
	}
	if n := strings.Count(logs.String(), `"msg":"authentication failed"`); n != 3 {
		t.Errorf("%d failures logged, want 3:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), `"client":"192.0.2.7"`) {
		t.Errorf("the log lacks the client address:\n%s", logs.String())
	}
	// Another address is not affected; its token may write twice.
	for i := range 2 {
		if rec := post("198.51.100.3", "good"); rec.Code != http.StatusCreated {
			t.Fatalf("write %d from another address: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := post("198.51.100.3", "good")
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "this token") {
		t.Fatalf("third write with the token: %d %s, want 429", rec.Code, rec.Body)
	}
	if len(f.created) != 2 {
		t.Fatalf("%d writes reached the store, want 2", len(f.created))
	}
	// Now that it has authenticated, the token gets past the block of the
	// guesser's address (to its own write limit, spent above); a guess
	// still does not.
	if rec := post("192.0.2.7", "good"); rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "this token") {
		t.Errorf("known token from the blocked address: %d %s, want its own token limit", rec.Code, rec.Body)
	}
	if rec := post("192.0.2.7", "guess4"); rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "failed authentications") {
		t.Errorf("a guess from the blocked address: %d %s", rec.Code, rec.Body)
	}
}
