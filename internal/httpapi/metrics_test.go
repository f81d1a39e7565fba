package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/cache"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// scrape fetches /metrics and parses it as Prometheus text.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := get(t, h, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics = %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("/metrics Content-Type = %q", ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bufio.NewReader(rec.Body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// sample returns the value of the sample of family name whose labels
// include want, and whether there is one.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	snap := atlastest.Snapshot(t)
	live, budget := index.NewLive(snap), cache.NewBudget(64<<20)
	live.UseBudget(budget)
	logs := &syncBuffer{}
	h, err := httpapi.New(live, tiles.NewRenderer(tiles.Options{CacheBytes: 1 << 20, Budget: budget}),
		httpapi.Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	tile := "/tiles/partnerships/5/16/11.mvt"
	for range 3 {
		if rec := get(t, h, tile); rec.Code != http.StatusOK {
			t.Fatalf("%s = %d", tile, rec.Code)
		}
	}
	get(t, h, "/geojson/partners?country=JP&limit=5")
	get(t, h, "/geojson/partners?country=ZZ")               // 400, parameter
	get(t, h, "/geojson/partners?country=JP%")              // 400, query
	get(t, h, "/no/such/path/"+strings.Repeat("x", 40))     // 404, unmatched
	get(t, h, "/api/partnerships/"+strings.Repeat("N", 30)) // 404, matched

	fams := scrape(t, h)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"atlas_http_requests_total", map[string]string{"route": "/tiles/{layers}/{z}/{x}/{y}.mvt", "method": "GET", "code": "200"}, 3},
		{"atlas_http_request_duration_seconds", map[string]string{"route": "/tiles/{layers}/{z}/{x}/{y}.mvt"}, 3},
		{"atlas_http_requests_total", map[string]string{"route": "/geojson/{layer}", "code": "200"}, 1},
		{"atlas_http_requests_total", map[string]string{"route": "/geojson/{layer}", "code": "400"}, 1},
		// checkRequest answers before any route matches.
		{"atlas_http_requests_total", map[string]string{"route": "unmatched", "code": "400"}, 1},
		{"atlas_http_requests_total", map[string]string{"route": "unmatched", "code": "404"}, 1},
		{"atlas_http_requests_total", map[string]string{"route": "/api/partnerships/{id}", "code": "404"}, 1},
		{"atlas_http_rejected_total", map[string]string{"code": "400", "reason": "invalid_request"}, 2},
		{"atlas_http_rejected_total", map[string]string{"code": "404", "reason": "not_found"}, 2},
		// The tile cache: one miss then two hits.
		{"atlas_cache_hits_total", map[string]string{"cache": "tiles"}, 2},
		{"atlas_cache_misses_total", map[string]string{"cache": "tiles"}, 1},
		{"atlas_cache_entries", map[string]string{"cache": "tiles"}, 1},
		{"atlas_memory_budget_bytes", nil, 64 << 20},
		{"atlas_snapshot_info", map[string]string{"version": snap.Version()}, 1},
		// The scrape itself is in flight.
		{"atlas_http_requests_in_flight", nil, 1},
	}
	for _, c := range checks {
		got, ok := sample(fams, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes", "atlas_cache_bytes", "atlas_cache_evictions_total", "atlas_memory_used_bytes", "atlas_memory_pinned_bytes"} {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	// However many distinct paths were asked, the labels stay the
	// operations': no path of the requests above became a label.
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "xxxx") || strings.Contains(l.GetValue(), "NNNN") {
					t.Errorf("%s has a label from a request path: %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}

	// Request ids: made here, or the client's when usable, on the
	// response and in the logs.
	rec := get(t, h, "/api/stats")
	made := rec.Header().Get("X-Request-Id")
	if made == "" {
		t.Fatal("no X-Request-Id on the response")
	}
	if again := get(t, h, "/api/stats").Header().Get("X-Request-Id"); again == made {
		t.Errorf("two requests got the same id %q", made)
	}
	if got := get(t, h, "/api/stats", "X-Request-Id", "proxy-42.a_b").Header().Get("X-Request-Id"); got != "proxy-42.a_b" {
		t.Errorf("client id not kept: got %q", got)
	}
	for _, bad := range []string{strings.Repeat("a", 65), "a b", "ü", `"}`} {
		if got := get(t, h, "/api/stats", "X-Request-Id", bad).Header().Get("X-Request-Id"); got == bad || got == "" {
			t.Errorf("client id %q: response id %q, want a new one", bad, got)
		}
	}
	found := false
	for line := range strings.SplitSeq(logs.String(), "\n") {
		var m map[string]any
		if line == "" || json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["msg"] == "request" && m["uri"] == "/api/stats" && m["request_id"] == made {
			found = true
		}
	}
	if !found {
		t.Errorf("no request log with request_id %q in:\n%s", made, logs.String())
	}
}
