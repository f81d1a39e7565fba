package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb/maptile"
)

// Load benchmark over loopback. It builds the atlas binary, starts it as a
// separate process (so its start-up time and memory are its own), and drives
// it and a fixed-body net/http server with the same client, in one run, so
// that the figures are ratios on the same noisy machine. The fixed-body
// server runs in its own process too (this test binary, started again with
// fixedServerEnv set), so that both servers are reached across processes;
// it is also measured inside the benchmark's process, where it shares the
// client's runtime, for comparison:
//
//	go test -run '^$' -bench BenchmarkLoad -benchtime 1x -v ./cmd/atlas/
//
// Requests are bounded (LOAD_REQUESTS, default 20000 per server) and so is
// time (LOAD_SECONDS, default 15 s per server); each server is measured in
// loadRounds turns with the others. The tile mix is z2–z12 around
// the endpoints of random partnerships (SEED to replay). ATLAS_DATA_100, when
// set to a dataset directory (atlas geodata build --scale 100 --out DIR),
// runs the same phases on it.

const loadWorkers = 8

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func BenchmarkLoad(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "atlas")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("build: %v", err)
	}
	datasets := []struct{ name, dir string }{{"embedded", ""}}
	if d := os.Getenv("ATLAS_DATA_100"); d != "" {
		datasets = append(datasets, struct{ name, dir string }{"100x", d})
	}
	for _, d := range datasets {
		b.Run(d.name, func(b *testing.B) { loadDataset(b, bin, d.dir) })
	}
}

func loadDataset(b *testing.B, bin, dir string) {
	seed := uint64(envInt("SEED", int(time.Now().UnixNano()%1_000_000)))
	b.Logf("SEED=%d", seed)
	paths := tileMix(b, dir, seed, 4000)

	uncached := startServer(b, bin, dir, "0")
	cached := startServer(b, bin, dir, strconv.Itoa(512<<20))
	// Both warm their tile structures in the background after start-up:
	// measure nothing before they are done.
	settle(b, uncached.cmd)
	settle(b, cached.cmd)

	// The fixed-body server answers every request with a body of the mix's
	// mean tile size (empty tiles count as 0 B), so that both move the same
	// bytes and the ratio measures the work per request. The mean is
	// estimated on the first 400 tiles of the mix.
	total := 0
	sample := paths[:400]
	for _, p := range sample {
		total += fetchSize(b, uncached.url+p)
	}
	fixedBody := make([]byte, max(1, total/len(sample)))
	fixed := startFixedProcess(b, len(fixedBody))
	fixedIn := startFixed(b, fixedBody)

	n, limit := envInt("LOAD_REQUESTS", 20000), time.Duration(envInt("LOAD_SECONDS", 15))*time.Second
	drive(b, fixed, paths, len(paths), limit)      // warm up the client and the servers
	drive(b, cached.url, paths, len(paths), limit) // warm the cache
	// The servers are measured in turns, loadRounds times, each round on
	// the next stretch of the mix: a slow spell of the shared machine then
	// weighs on all of them alike, not on whichever ran during it.
	var fx, fxIn, un, ca result
	for r := range loadRounds {
		part := slices.Concat(paths[r*len(paths)/loadRounds:], paths[:r*len(paths)/loadRounds])
		fx = fx.merge(drive(b, fixed, part, n/loadRounds, limit/loadRounds))
		fxIn = fxIn.merge(drive(b, fixedIn, part, n/loadRounds, limit/loadRounds))
		un = un.merge(drive(b, uncached.url, part, n/loadRounds, limit/loadRounds))
		ca = ca.merge(drive(b, cached.url, part, n/loadRounds, limit/loadRounds))
	}
	gj := drive(b, uncached.url, []string{"/geojson/partnerships?country=JP&limit=10000", "/geojson/partnerships?country=BJ&limit=10000", "/geojson/partnerships?country=DE&limit=10000"}, 600, limit)

	b.Logf("fixed body %d B: %.0f req/s, p99 %v (in the benchmark's process: %.0f req/s)", len(fixedBody), fx.rps, fx.p99, fxIn.rps)
	b.Logf("uncached tiles: %.0f req/s (%.0f%% of fixed; %.0f%% of the in-process one), p50 %v p99 %v max %v, largest %d B", un.rps, 100*un.rps/fx.rps, 100*un.rps/fxIn.rps, un.p50, un.p99, un.max, un.largest)
	b.Logf("cached tiles:   %.0f req/s (%.0f%% of fixed; %.0f%% of the in-process one), p99 %v", ca.rps, 100*ca.rps/fx.rps, 100*ca.rps/fxIn.rps, ca.p99)
	b.Logf("one country's partnerships as GeoJSON: p50 %v p99 %v", gj.p50, gj.p99)
	b.Logf("start-up %v; RSS after load: uncached %d MB, cached %d MB (peak %d / %d MB)", uncached.startup,
		rss(uncached.cmd, "VmRSS")>>10, rss(cached.cmd, "VmRSS")>>10, rss(uncached.cmd, "VmHWM")>>10, rss(cached.cmd, "VmHWM")>>10)
	b.ReportMetric(100*un.rps/fx.rps, "uncached-%-of-fixed")
	b.ReportMetric(100*ca.rps/fx.rps, "cached-%-of-fixed")
	b.ReportMetric(float64(un.p99.Microseconds())/1000, "uncached-p99-ms")
	b.ReportMetric(float64(gj.p99.Microseconds())/1000, "geojson-country-p99-ms")
	b.ReportMetric(float64(uncached.startup.Milliseconds()), "startup-ms")
	b.ReportMetric(float64(rss(cached.cmd, "VmHWM")>>10), "peak-rss-MB")
	b.ReportMetric(float64(un.largest)/1024, "largest-tile-KB")
}

// tileMix returns n tile paths of all layers at z2–z12 around the endpoints
// of random partnerships (deterministic for a seed).
func tileMix(b *testing.B, dir string, seed uint64, n int) []string {
	var src = geodata.Dataset()
	if dir != "" {
		src = os.DirFS(dir)
	}
	ds, err := dataset.Load(src)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := index.New(ds)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	paths := make([]string, n)
	for i := range paths {
		p := rng.IntN(len(ds.Partnerships))
		a, pt := snap.PartnershipEnds(int32(p))
		pos := ds.Authorities[a].Point
		if rng.IntN(2) == 0 {
			pos = ds.Partners[pt].Point
		}
		t := maptile.At(pos, maptile.Zoom(2+rng.IntN(11)))
		paths[i] = fmt.Sprintf("/tiles/partnerships,authorities,partners,countries,regions,departements/%d/%d/%d.mvt", t.Z, t.X, t.Y)
	}
	return paths
}

type server struct {
	url     string
	cmd     *exec.Cmd
	startup time.Duration
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServer(b *testing.B, bin, dir, cache string) server {
	addr := freeAddr(b)
	args := []string{"serve", "--addr", addr, "--cache-size", cache, "--log-level", "warn"}
	if n, _ := strconv.ParseInt(cache, 10, 64); n > DefaultConfig().MemoryBudget/2 {
		// Room in the budget for the per-filter structures beside the tiles.
		args = append(args, "--memory-budget", strconv.FormatInt(n+DefaultConfig().MemoryBudget, 10))
	}
	if dir != "" {
		args = append(args, "--data", dir)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	url := "http://" + addr
	for time.Since(start) < 60*time.Second {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return server{url, cmd, time.Since(start)}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatalf("server on %s not ready after 60 s", addr)
	return server{}
}

// fixedHandler answers every request with body (with its length, as
// atlas answers: not chunked).
func fixedHandler(body []byte) http.Handler {
	size := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
		w.Header().Set("Content-Length", size)
		w.Write(body)
	})
}

// startFixed serves a fixed body in the benchmark's process.
func startFixed(b *testing.B, body []byte) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: fixedHandler(body)}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// fixedServerEnv, set to "ADDR SIZE", makes the test binary serve a fixed
// body of SIZE bytes on ADDR instead of running tests (see TestMain).
const fixedServerEnv = "ATLAS_LOAD_FIXED_SERVER"

func TestMain(m *testing.M) {
	if v := os.Getenv(fixedServerEnv); v != "" {
		var addr string
		var size int
		if _, err := fmt.Sscan(v, &addr, &size); err != nil {
			fmt.Fprintf(os.Stderr, "%s=%q: %v\n", fixedServerEnv, v, err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, http.ListenAndServe(addr, fixedHandler(make([]byte, size))))
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// startFixedProcess serves a fixed body of size bytes from its own process.
func startFixedProcess(b *testing.B, size int) string {
	addr := freeAddr(b)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d", fixedServerEnv, addr, size))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(5 * time.Millisecond) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return url
		}
	}
	b.Fatalf("fixed-body server on %s not ready after 10 s", addr)
	return ""
}

func fetchSize(b *testing.B, url string) int {
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return len(data)
}

// loadRounds is the number of turns in which the servers are measured.
const loadRounds = 3

// result is what a server answered in one or more drives: its figures are
// over all of them (requests per second of driving time).
type result struct {
	lat           []time.Duration // sorted
	elapsed       time.Duration
	rps           float64
	p50, p99, max time.Duration
	largest       int
}

func newResult(lat []time.Duration, elapsed time.Duration, largest int) result {
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return result{lat: lat, elapsed: elapsed, rps: float64(len(lat)) / elapsed.Seconds(),
		p50: at(0.5), p99: at(0.99), max: lat[len(lat)-1], largest: largest}
}

// merge returns the result of r's drives and o's.
func (r result) merge(o result) result {
	if len(r.lat) == 0 {
		return o
	}
	return newResult(slices.Concat(r.lat, o.lat), r.elapsed+o.elapsed, max(r.largest, o.largest))
}

// drive sends up to n requests (cycling through paths) with loadWorkers
// concurrent keep-alive clients, for at most limit.
func drive(b *testing.B, base string, paths []string, n int, limit time.Duration) result {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadWorkers, DisableCompression: true}}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	largest := 0
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < loadWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			big := 0
			buf := bufio.NewReaderSize(nil, 64<<10)
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+paths[i%len(paths)], nil)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					b.Errorf("GET %s: %v", req.URL, err)
					return
				}
				buf.Reset(resp.Body)
				m, _ := io.Copy(io.Discard, buf)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
					b.Errorf("GET %s = %d", req.URL, resp.StatusCode)
					return
				}
				mine = append(mine, time.Since(t0))
				big = max(big, int(m))
			}
			mu.Lock()
			lat = append(lat, mine...)
			largest = max(largest, big)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(lat) == 0 {
		b.Fatalf("no request completed against %s", base)
	}
	return newResult(lat, elapsed, largest)
}

// settle waits until the process has used no CPU for 300 ms (at most 60 s).
func settle(b *testing.B, cmd *exec.Cmd) {
	cpu := func() string {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
		if err != nil {
			return ""
		}
		// utime and stime, after the command name (which may hold spaces).
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		return f[11] + " " + f[12]
	}
	last, still := cpu(), 0
	for start := time.Now(); time.Since(start) < 60*time.Second && still < 3; {
		time.Sleep(100 * time.Millisecond)
		if now := cpu(); now == last {
			still++
		} else {
			last, still = now, 0
		}
	}
}

// rss reads a memory field (kB) of the process from /proc.
func rss(cmd *exec.Cmd, field string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}
