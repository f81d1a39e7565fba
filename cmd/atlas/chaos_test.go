package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
	"github.com/jackc/pgx/v5"
)

// BenchmarkChaos (make chaos) runs, on loopback, a real PostgreSQL, two
// replicas of atlas serve on it, a mixed read load on both, hostile
// requests, one write a second and a database restart half-way, for
// ATLAS_CHAOS_DURATION (default 2m). It prints the answers by kind, p50 and
// p99 per route, the replicas' resident size over time and whether every
// write reached both replicas; it fails on a 5xx other than the documented
// 503s (with Retry-After), on a lost write, or on a replica above
// chaosMaxRSS.
func BenchmarkChaos(b *testing.B) {
	duration := 2 * time.Minute
	if v := os.Getenv("ATLAS_CHAOS_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second {
			b.Fatalf("ATLAS_CHAOS_DURATION=%q: want a duration of at least 10s", v)
		}
		duration = d
	}
	bin := filepath.Join(b.TempDir(), "atlas")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("build: %v", err)
	}
	c := pgtest.StartCluster(b)
	ctx := context.Background()
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return c.URL
		}
		return ""
	}
	for _, args := range [][]string{{"migrate"}, {"import"}} {
		if err := run(ctx, args, env, io.Discard, io.Discard); err != nil {
			b.Fatalf("atlas %s: %v", args[0], err)
		}
	}
	conn, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := postgis.CreateToken(ctx, conn, postgis.TokenSpec{Authority: "31555", Label: "chaos"})
	conn.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	replicas := []*exec.Cmd{}
	urls := []string{}
	for range 2 {
		addr := freeAddr(b)
		cmd := exec.Command(bin, "serve", "--addr", addr, "--database-url", c.URL, "--log-level", "error")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
		replicas, urls = append(replicas, cmd), append(urls, "http://"+addr)
	}
	for _, u := range urls {
		waitReady(b, u)
	}

	reads := chaosReads(b)
	rec := newChaosRecorder()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	runCtx, stop := context.WithTimeout(ctx, duration)
	defer stop()
	var wg sync.WaitGroup
	// Readers: 4 clients, both replicas.
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for runCtx.Err() == nil {
				r := reads[rng.IntN(len(reads))]
				rec.do(runCtx, client, urls[rng.IntN(2)], "GET", r.route, r.path, "", nil)
			}
		})
	}
	// Hostile requests: one client, from the writer's address (loopback),
	// once the writer's token has authenticated on both replicas (each
	// remembers the tokens it authenticated), as a running extranet
	// client's has.
	firstWrite := make(chan struct{})
	wg.Go(func() {
		select {
		case <-firstWrite:
		case <-runCtx.Done():
			return
		}
		hostile := chaosHostile()
		for i := 0; runCtx.Err() == nil; i++ {
			h := hostile[i%len(hostile)]
			route := "hostile"
			if h.emptyOK {
				route = "hostile-empty-page"
			}
			rec.do(runCtx, client, urls[i%2], h.method, route, h.path, h.body, h.header)
		}
	})
	// One write a second, retried with its Idempotency-Key until it
	// lands (503 while the database is down).
	var written []string
	var writeRetries atomic.Int64
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for n := 0; runCtx.Err() == nil; n++ {
			body := fmt.Sprintf(`{"authority_id":"31555","partner_id":"3186084","kind":"cooperation","start_year":%d}`, 1960+n%60)
			key := fmt.Sprintf("chaos-%d", n)
			for attempt := 0; ; attempt++ {
				status, loc := rec.do(context.Background(), client, urls[n%2], "POST", "write", "/api/partnerships", body,
					map[string]string{"Authorization": "Bearer " + tok.Secret, "Content-Type": "application/json", "Idempotency-Key": key})
				if status == http.StatusCreated {
					written = append(written, loc[strings.LastIndexByte(loc, '/')+1:])
					if len(written) == 2 { // one on each replica
						close(firstWrite)
					}
					break
				}
				if status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests || attempt > 120 {
					b.Errorf("write %d: %d", n, status)
					break
				}
				writeRetries.Add(1)
				time.Sleep(500 * time.Millisecond)
			}
			select {
			case <-runCtx.Done():
			case <-tick.C:
			}
		}
	})
	// Resident size of each replica, every second.
	var rssMu sync.Mutex
	var rssSamples [][2]int // kB per replica
	wg.Go(func() {
		for runCtx.Err() == nil {
			rssMu.Lock()
			rssSamples = append(rssSamples, [2]int{rss(replicas[0], "VmRSS"), rss(replicas[1], "VmRSS")})
			rssMu.Unlock()
			select {
			case <-runCtx.Done():
			case <-time.After(time.Second):
			}
		}
	})
	// The database restart, half-way.
	time.Sleep(duration / 2)
	down := time.Now()
	c.Stop()
	time.Sleep(3 * time.Second)
	c.Start()
	b.Logf("database down for %s at %s", time.Since(down).Round(time.Millisecond), (duration / 2).Round(time.Second))
	wg.Wait()

	// Every write reaches both replicas.
	lost := 0
	for _, u := range urls {
		for _, id := range written {
			ok := false
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
				resp, err := client.Get(u + "/api/partnerships/" + id)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						ok = true
						break
					}
				}
			}
			if !ok {
				lost++
				b.Errorf("write %s never reached %s", id, u)
			}
		}
	}
	rec.report(b)
	maxRSS := [2]int{}
	for i, s := range rssSamples {
		if i%10 == 0 || i == len(rssSamples)-1 {
			b.Logf("RSS at %3ds: %d / %d MB", i, s[0]>>10, s[1]>>10)
		}
		maxRSS = [2]int{max(maxRSS[0], s[0]), max(maxRSS[1], s[1])}
	}
	b.Logf("writes: %d landed (%d retries while the database was away), %d lost; peak RSS %d / %d MB",
		len(written), writeRetries.Load(), lost, maxRSS[0]>>10, maxRSS[1]>>10)
	for i, m := range maxRSS {
		if m>>10 > chaosMaxRSS {
			b.Errorf("replica %d peaked at %d MB resident, over %d MB", i, m>>10, chaosMaxRSS)
		}
	}
	if len(written) < int(duration/time.Second)/2 {
		b.Errorf("only %d writes landed in %s", len(written), duration)
	}
	b.ReportMetric(float64(max(maxRSS[0], maxRSS[1])>>10), "peak-rss-MB")
	b.ReportMetric(float64(len(written)), "writes")
	b.ReportMetric(float64(lost), "lost-writes")
}

// chaosMaxRSS is the resident size a replica must stay under (MB). It is
// above the 300 MB the embedded server keeps under because, while requests
// finish on the previous snapshot, two snapshots' structures live at once,
// with the garbage of the refresh: peaks of 226–244 MB measured in 60 s
// runs with a write a second. It catches what grows without bound: before
// the budget kept only the published snapshot's entries, structures built
// by requests that outlived their snapshot stayed pinned and the replicas
// grew past 1 GB in a minute.
var chaosMaxRSS = envInt("ATLAS_CHAOS_MAX_RSS_MB", 400)

func waitReady(b *testing.B, url string) {
	for start := time.Now(); time.Since(start) < 2*time.Minute; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	b.Fatalf("%s not ready after 2 minutes", url)
}

type chaosRead struct{ route, path string }

// chaosReads is the read mix, half tiles at z2–z12 (a third of them
// filtered by year, reported as tiles-since), half GeoJSON, stats, OGC items with CQL2
// and exports.
func chaosReads(b *testing.B) []chaosRead {
	var out []chaosRead
	for i, p := range tileMix(b, "", 3, 24) {
		route := "tiles"
		if i%3 == 0 {
			p += fmt.Sprintf("?since=%d", 1950+i%70)
			route = "tiles-since"
		}
		out = append(out, chaosRead{route, p})
	}
	for _, cc := range []string{"JP", "SN", "DE", "BJ", "MA", "PL"} {
		out = append(out,
			chaosRead{"geojson", "/geojson/partnerships?country=" + cc + "&limit=200"},
			chaosRead{"stats", "/api/stats?by=theme&unit=projects&country=" + cc},
			chaosRead{"ogc-items", "/ogc/collections/partnerships/items?limit=100&filter=country%20%3D%20%27" + cc + "%27%20AND%20start_year%20%3E%3D%201990"},
			chaosRead{"export", "/export/partnerships.csv?country=" + cc},
		)
	}
	return out
}

type chaosRequest struct {
	method, path, body string
	header             map[string]string
	emptyOK            bool // 200 is a right answer
}

// chaosHostile are requests a hostile client sends: each must be refused
// (4xx) or, for a costly route whose slots are full, 503 with Retry-After.
func chaosHostile() []chaosRequest {
	like := "%25" + strings.Repeat("a%25", 2000)
	return []chaosRequest{
		{method: "GET", path: "/geojson/partners?country=JP%"},
		// An offset past the end is an empty page (200), never a 500.
		{method: "GET", path: "/geojson/partnerships?offset=9223372036854775807", emptyOK: true},
		{method: "GET", path: "/ogc/collections/partnerships/items?offset=9223372036854775807", emptyOK: true},
		{method: "GET", path: "/ogc/collections/partners/items?filter=name%20LIKE%20%27" + like + "%27"},
		{method: "GET", path: "/api/partnerships/A%00B"},
		{method: "GET", path: "/tiles/partnerships/40/0/0.mvt"},
		{method: "GET", path: "/tiles/partnerships/3/1/1.mvt?since=1900&until=1800"},
		{method: "GET", path: "/api/stats?by=planet"},
		{method: "GET", path: "/atlas/ZZ.svg"},
		{method: "POST", path: "/api/partnerships", body: `{}`, header: map[string]string{"Authorization": "Bearer atlas_" + strings.Repeat("X", 43), "Content-Type": "application/json"}},
		{method: "POST", path: "/api/partnerships", body: "{\"title\":\"\xff\"}", header: map[string]string{"Content-Type": "application/json"}},
		{method: "DELETE", path: "/api/partnerships/FRTW00001"},
	}
}

// chaosRecorder counts the answers by route and status and keeps the
// latencies of each route.
type chaosRecorder struct {
	mu       sync.Mutex
	statuses map[string]map[int]int
	lat      map[string][]time.Duration
	bad      []string // 5xx other than 503 with Retry-After, transport errors
}

func newChaosRecorder() *chaosRecorder {
	return &chaosRecorder{statuses: map[string]map[int]int{}, lat: map[string][]time.Duration{}}
}

// do sends one request and records it; it returns the status and the
// Location header.
func (c *chaosRecorder) do(ctx context.Context, client *http.Client, base, method, route, path, body string, header map[string]string) (int, string) {
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, ""
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.mu.Lock()
			c.bad = append(c.bad, fmt.Sprintf("%s %s: %v", method, path, err))
			c.mu.Unlock()
		}
		return 0, ""
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(t0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.statuses[route] == nil {
		c.statuses[route] = map[int]int{}
	}
	c.statuses[route][resp.StatusCode]++
	c.lat[route] = append(c.lat[route], took)
	if resp.StatusCode >= 500 && (resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "") {
		c.bad = append(c.bad, fmt.Sprintf("%s %.120s: %d", method, path, resp.StatusCode))
	}
	if route == "hostile" && resp.StatusCode < 400 {
		c.bad = append(c.bad, fmt.Sprintf("%s %.120s: %d, want a refusal", method, path, resp.StatusCode))
	}
	return resp.StatusCode, resp.Header.Get("Location")
}

func (c *chaosRecorder) report(b *testing.B) {
	c.mu.Lock()
	defer c.mu.Unlock()
	routes := make([]string, 0, len(c.lat))
	for r := range c.lat {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		l := slices.Clone(c.lat[r])
		slices.Sort(l)
		codes := make([]string, 0, len(c.statuses[r]))
		for code, n := range c.statuses[r] {
			codes = append(codes, fmt.Sprintf("%d×%d", code, n))
		}
		sort.Strings(codes)
		b.Logf("%-10s %6d requests, p50 %8s p99 %8s; %s", r, len(l), l[len(l)/2].Round(10*time.Microsecond),
			l[len(l)*99/100].Round(10*time.Microsecond), strings.Join(codes, " "))
	}
	for i, s := range c.bad {
		if i == 20 {
			b.Errorf("… and %d more", len(c.bad)-20)
			break
		}
		b.Errorf("unexpected answer: %s", s)
	}
}
