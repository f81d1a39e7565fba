package postgis_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// session sends a request with the session cookie sid (and csrf in
// X-CSRF-Token when not empty), and extra headers.
func session(t *testing.T, base, method, path, sid, csrf, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if sid != "" {
		req.AddCookie(&http.Cookie{Name: "atlas_session", Value: sid})
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(data, &out)
	return resp, out
}

// The extranet signs in with a token once and then writes with its
// session cookie and CSRF token; a write without the CSRF token, with
// another's, or from another origin is refused and writes nothing; signing
// out or revoking the token ends the session.
func TestExtranetSessions(t *testing.T) {
	srv, _, token, count, pool := moneyServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	paris := token(postgis.TokenSpec{Authority: "75056"})
	ctx := context.Background()

	// Bad sign-ins.
	for name, c := range map[string]struct {
		body string
		want int
	}{
		"unknown token": {`{"token":"atlas_` + strings.Repeat("B", 43) + `"}`, http.StatusUnauthorized},
		"no token":      {`{"token":""}`, http.StatusBadRequest},
		"not JSON":      {`token=x`, http.StatusBadRequest},
		"unknown field": {`{"token":"x","admin":true}`, http.StatusBadRequest},
	} {
		if resp, p := session(t, srv.URL, "POST", "/api/session", "", "", c.body); resp.StatusCode != c.want {
			t.Errorf("%s: %d %v, want %d", name, resp.StatusCode, p, c.want)
		}
	}
	if resp, _ := session(t, srv.URL, "POST", "/api/session", "", "", `{"token":"`+toulouse+`"}`, "Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in from another origin: %d", resp.StatusCode)
	}

	signIn := func(tok string) (string, string) {
		t.Helper()
		resp, rec := session(t, srv.URL, "POST", "/api/session", "", "", `{"token":"`+tok+`"}`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("sign-in: %d %v", resp.StatusCode, rec)
		}
		var c *http.Cookie
		for _, k := range resp.Cookies() {
			if k.Name == "atlas_session" {
				c = k
			}
		}
		if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/" || c.MaxAge != 8*3600 {
			t.Fatalf("session cookie %+v", c)
		}
		if strings.Contains(c.Value, tok) || strings.HasPrefix(c.Value, postgis.TokenPrefix) {
			t.Fatal("the cookie holds the token")
		}
		csrf, _ := rec["csrf_token"].(string)
		if len(csrf) < 40 || rec["expires"] == "" {
			t.Fatalf("session answer %v", rec)
		}
		return c.Value, csrf
	}
	sid, csrf := signIn(toulouse)
	if n := count(`SELECT count(*) FROM atlas_sessions`); n != 1 {
		t.Fatalf("%d sessions stored", n)
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM atlas_sessions WHERE hash = sha256(convert_to($1, 'UTF8'))`, sid).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("the session id's hash is not what is stored: %d %v", stored, err)
	}

	resp, rec := session(t, srv.URL, "GET", "/api/session", sid, "", "")
	if resp.StatusCode != http.StatusOK || rec["authority_id"] != "31555" || rec["authority_name"] != "Toulouse" || rec["csrf_token"] != csrf {
		t.Fatalf("GET /api/session: %d %v", resp.StatusCode, rec)
	}
	// A session id is not a bearer token.
	if code, _ := call(t, srv, "GET", "/api/apd/declarations", sid, ""); code != http.StatusUnauthorized {
		t.Errorf("session id as a bearer token: %d", code)
	}

	const path = "/api/apd/31555/2024"
	before := count(`SELECT count(*) FROM atlas_apd`)
	parisSID, parisCSRF := signIn(paris)
	for name, c := range map[string]struct {
		csrf   string
		header []string
	}{
		"no CSRF token":     {"", nil},
		"wrong CSRF token":  {csrf[:len(csrf)-2] + "AA", nil},
		"another's CSRF":    {parisCSRF, nil},
		"from another site": {csrf, []string{"Origin", "https://evil.example"}},
		"malformed origin":  {csrf, []string{"Origin", "null"}},
	} {
		if resp, p := session(t, srv.URL, "PUT", path, sid, c.csrf, apdBody("draft", 1000), c.header...); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d %v, want 403", name, resp.StatusCode, p)
		}
	}
	if n := count(`SELECT count(*) FROM atlas_apd`); n != before {
		t.Fatal("a refused write changed the data")
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE status = 403 AND reason LIKE '%X-CSRF-Token%'`); n < 4 {
		t.Errorf("%d refused writes audited", n)
	}
	// Paris's session writes only for Paris.
	if resp, _ := session(t, srv.URL, "PUT", path, parisSID, parisCSRF, apdBody("draft", 1000)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another collectivité's session: %d", resp.StatusCode)
	}
	// With the cookie, its CSRF token and this site's origin, the write lands.
	resp, rec = session(t, srv.URL, "PUT", path, sid, csrf, apdBody("draft", 1000), "Origin", srv.URL)
	if resp.StatusCode != http.StatusOK || rec["status"] != "draft" {
		t.Fatalf("write with the session: %d %v", resp.StatusCode, rec)
	}
	if resp, rec := session(t, srv.URL, "GET", path, sid, "", ""); resp.StatusCode != http.StatusOK || rec["total_eur"] != float64(1000) {
		t.Fatalf("read with the session: %d %v", resp.StatusCode, rec)
	}

	// Signing out needs the CSRF token, ends the session and clears the cookie.
	if resp, _ := session(t, srv.URL, "DELETE", "/api/session", sid, "", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token: %d", resp.StatusCode)
	}
	resp, _ = session(t, srv.URL, "DELETE", "/api/session", sid, csrf, "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if c := resp.Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("sign-out cookies %v", c)
	}
	if resp, _ := session(t, srv.URL, "GET", path, sid, "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after sign-out: %d", resp.StatusCode)
	}

	// Revoking the token ends its sessions.
	var parisToken int64
	if err := pool.QueryRow(ctx, `SELECT t.id FROM atlas_tokens t JOIN atlas_sessions x ON x.token_id = t.id`).Scan(&parisToken); err != nil {
		t.Fatal(err)
	}
	if ok, err := postgis.RevokeToken(ctx, pool, parisToken); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if resp, _ := session(t, srv.URL, "GET", "/api/session", parisSID, "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session of a revoked token: %d", resp.StatusCode)
	}
	// An expired session is refused.
	sid, _ = signIn(toulouse)
	if _, err := pool.Exec(ctx, `UPDATE atlas_sessions SET created_at = now() - interval '9 hours', expires_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	if resp, _ := session(t, srv.URL, "GET", "/api/session", sid, "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("expired session: %d", resp.StatusCode)
	}
}
