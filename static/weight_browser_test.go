package static_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// maxEmbedFirstView is the most the first view of /embed?country=JP may
// weigh on the wire, cold cache: page, CSS, JS, glyphs, tiles, stats.
const maxEmbedFirstView = 450 << 10

// wire counts what the server sends: every byte written to its connections
// (status lines, headers, bodies as encoded, chunk framing), and the body
// bytes by kind of path for the breakdown. The map's tiles are fetched by
// MapLibre's web workers, which the page's Network events do not see, so
// the count is taken on the server's side.
type wire struct {
	sent   atomic.Int64
	mu     sync.Mutex
	bodies map[string]int64
}

func (w *wire) reset() {
	w.sent.Store(0)
	w.mu.Lock()
	w.bodies = map[string]int64{}
	w.mu.Unlock()
}

// breakdown lists the body bytes by kind of path.
func (w *wire) breakdown() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for k, n := range w.bodies {
		out = append(out, fmt.Sprintf("%s %.1f KB", k, float64(n)/1024))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

type countingListener struct {
	net.Listener
	w *wire
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.w}, nil
}

type countingConn struct {
	net.Conn
	w *wire
}

func (c countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.w.sent.Add(int64(n))
	return n, err
}

type bodyCounter struct {
	http.ResponseWriter
	n int64
}

func (b *bodyCounter) Write(p []byte) (int, error) {
	n, err := b.ResponseWriter.Write(p)
	b.n += int64(n)
	return n, err
}

func (b *bodyCounter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// newWeighedBrowser is a browser on a server of the embedded data whose
// bytes sent are counted.
func newWeighedBrowser(t *testing.T) (*browser, *wire) {
	t.Helper()
	w := &wire{bodies: map[string]int64{}}
	h := atlastest.HandlerOn(t, atlastest.Snapshot(t), 64<<20)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		bc := &bodyCounter{ResponseWriter: rw}
		h.ServeHTTP(bc, r)
		k := r.URL.Path
		switch {
		case strings.HasPrefix(k, "/tiles/"):
			k = "/tiles/…"
		case strings.HasPrefix(k, "/static/glyphs/"):
			k = "/static/glyphs/…"
		}
		w.mu.Lock()
		w.bodies[k] += bc.n
		w.mu.Unlock()
	}))
	srv.Listener = countingListener{srv.Listener, w}
	srv.Start()
	t.Cleanup(srv.Close)
	return newBrowserAt(t, srv.URL), w
}

// coldNavigate empties the browser's cache and the counts, then opens path.
func (tb *tab) coldNavigate(w *wire, path string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		tb.t.Fatalf("clear cache: %v", err)
	}
	w.reset()
	tb.navigate(path)
}

// TestBrowserFirstView weighs the embed page's first view on the wire (cold
// cache, asserted) and writes the navigation → first rendered arcs times of
// /embed?country=JP and /atlas/JP to the artefacts (never asserted: the
// machine's load decides them). Each page is opened with an empty cache in
// a browser that has already drawn one map.
func TestBrowserFirstView(t *testing.T) {
	b, w := newWeighedBrowser(t)
	bench := map[string]float64{}
	// Chromium's first WebGL context (SwiftShader, GPU process) costs about a
	// second once per browser: a first page takes it, so the figures are the
	// pages' own. The cache is emptied before each measure.
	warm := b.tab(t, 800, 500)
	warm.navigate("/embed?country=BJ")
	warm.waitMapIdle("")

	t.Run("embed JP", func(t *testing.T) {
		tb := b.tab(t, 800, 500)
		tb.coldNavigate(w, "/embed?country=JP")
		tb.waitMapIdle("")
		tb.waitFor("first partnerships", `window.atlasPerf && atlasPerf.firstPartnerships`, 30*time.Second)
		var first float64
		tb.eval(`atlasPerf.firstPartnerships`, &first)
		bench["embed_jp_first_arcs_ms"] = first
		sent := w.sent.Load()
		bench["embed_jp_wire_bytes"] = float64(sent)
		t.Logf("/embed?country=JP first view: %.1f KB on the wire, first arcs at %.0f ms; bodies: %s", float64(sent)/1024, first, w.breakdown())
		if sent > maxEmbedFirstView {
			t.Errorf("/embed?country=JP first view weighs %.1f KB on the wire, more than %d KB; bodies: %s", float64(sent)/1024, maxEmbedFirstView>>10, w.breakdown())
		}
		tb.checkClean()
	})

	t.Run("country JP", func(t *testing.T) {
		tb := b.tab(t, 1400, 800)
		tb.coldNavigate(w, "/atlas/JP")
		tb.waitMapIdle("window.atlasMaps && atlasMaps[0]")
		tb.waitMapIdle("window.atlasMaps && atlasMaps[1]")
		tb.waitFor("first partnerships", `window.atlasPerf && atlasPerf.firstPartnerships`, 30*time.Second)
		var first float64
		tb.eval(`atlasPerf.firstPartnerships`, &first)
		bench["country_jp_first_arcs_ms"] = first
		sent := w.sent.Load()
		bench["country_jp_wire_bytes"] = float64(sent)
		t.Logf("/atlas/JP first view: %.1f KB on the wire, first arcs at %.0f ms; bodies: %s", float64(sent)/1024, first, w.breakdown())
		tb.checkClean()
	})

	p := filepath.Join(b.arts, "first-view.json")
	data, _ := json.MarshalIndent(bench, "", "  ")
	_ = os.WriteFile(p, data, 0o644)
	t.Logf("first view (ms since navigation start, bytes on the wire): %s -> %s", data, p)
}
