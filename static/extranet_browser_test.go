package static_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/atlas-cooperation/atlas/static"
)

// dbServer serves the embedded dataset imported into a fresh database, with
// the write API, as in production (prepare, when given, changes the
// dataset before the import); token creates a token of spec.
func dbServer(t *testing.T, prepare ...func(*atlas.Dataset)) (srv *httptest.Server, token func(postgis.TokenSpec) string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	pool, err := postgis.NewPool(ctx, url, postgis.DefaultPoolConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := postgis.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range prepare {
		f(ds)
	}
	if _, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	src := postgis.NewSource(postgis.SourceOptions{URL: url, Pool: postgis.DefaultPoolConfig(), MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, PingEvery: time.Second})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); src.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-src.Loaded():
	case <-time.After(time.Minute):
		t.Fatal("no snapshot from the database")
	}
	h, err := httpapi.New(src, tiles.NewRenderer(tiles.Options{}), httpapi.Options{Static: static.FS(), Declarations: postgis.NewStore(pool)})
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(h)
	t.Cleanup(srv.Close)
	token = func(spec postgis.TokenSpec) string {
		tok, err := postgis.CreateToken(ctx, pool, spec)
		if err != nil {
			t.Fatal(err)
		}
		return tok.Secret
	}
	return srv, token
}

// On the database, as in production: the ministry publishes a request of
// the bourse-projets and Lyon writes its fiche, each with its token; once
// the server has refreshed, the public map shows the request and Lyon's
// public fiche shows its contact.
func TestBrowserWritesReachThePublicPages(t *testing.T) {
	srv, token := dbServer(t)
	send := func(method, path, tok, body string, want int) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if b, _ := io.ReadAll(resp.Body); resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	send("POST", "/api/bourse", token(postgis.TokenSpec{Ministry: true}), `{"name":"Ouidah","country":"BJ","point":[2.08506,6.36307],
		"themes":["culture-patrimoine"],"description":"Ouidah cherche un partenaire français pour son patrimoine.","languages":["fr"],"valid_until":"2099-06-30"}`, http.StatusCreated)
	send("PUT", "/api/authorities/69123/fiche", token(postgis.TokenSpec{Authority: "69123"}), `{"service":"Direction des relations internationales",
		"role":"Chargé·e de mission Afrique","email":"international@lyon.exemple.fr"}`, http.StatusOK)

	b := newBrowserAt(t, srv.URL)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/bourse")
	tb.waitFor("bourse", `window.atlasDirectoryReady === true`, 30*time.Second)
	tb.waitMapIdle("")
	// The server refreshes in the background: reload until it has.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		tb.eval(`atlasMap.getLayer('bourse-circle') ? atlasMap.queryRenderedFeatures({layers: ['bourse-circle']}).length : 0`, &n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			tb.screenshot("bourse-db-timeout")
			t.Fatal("the ministry's request never reached the public map")
		}
		time.Sleep(500 * time.Millisecond)
		tb.navigate("/bourse")
		tb.waitFor("bourse", `window.atlasDirectoryReady === true`, 30*time.Second)
		tb.waitMapIdle("")
	}
	tb.screenshot("bourse-db")
	tb.navigate("/collectivites/69123")
	tb.waitFor("fiche", `window.atlasDirectoryReady === true`, 30*time.Second)
	var contact string
	tb.eval(`document.querySelector('[aria-labelledby=h-contact]').innerText`, &contact)
	if !strings.Contains(contact, "Chargé·e de mission Afrique") || !strings.Contains(contact, "international@lyon.exemple.fr") {
		t.Errorf("Lyon's public fiche after its write: %q", contact)
	}
	tb.checkClean()
}
