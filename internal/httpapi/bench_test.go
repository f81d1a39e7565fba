package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

// BenchmarkGeoJSON writes one country's partnerships (the whole filtered set)
// through the handler, without conditional-request short cuts.
func BenchmarkGeoJSON(b *testing.B) {
	srv := atlastest.Handler(b, 0)
	for _, q := range []string{"country=JP", "country=BJ", "country=DE", "theme=tourisme"} {
		path := "/geojson/partnerships?limit=10000&" + q
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d", path, rec.Code)
				}
				n = rec.Body.Len()
			}
			b.ReportMetric(float64(n)/1024, "KB/response")
		})
	}
}

// BenchmarkStats computes a grouped count through the handler.
// BenchmarkDirectory measures the directory's answers through the HTTP
// layer (JSON encoding included).
func BenchmarkDirectory(b *testing.B) {
	srv := atlastest.Handler(b, 0)
	for name, path := range map[string]string{
		"fiche-lyon":         "/api/authorities/69123",
		"fiche-partner":      "/api/partners/3186084",
		"who-cooperates-DE":  "/api/countries/DE/authorities",
		"priority-countries": "/api/analyses/priority-countries",
		"coordination":       "/api/analyses/coordination",
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d", path, rec.Code)
				}
			}
		})
	}
}

func BenchmarkStats(b *testing.B) {
	srv := atlastest.Handler(b, 0)
	for _, q := range []string{"by=country&unit=partnerships", "by=theme&unit=projects&kind=cooperation", "by=region&unit=authorities&since=2000"} {
		path := "/api/stats?" + q
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s = %d", path, rec.Code)
				}
			}
		})
	}
}

// BenchmarkTileCached serves a cached tile through the whole handler: the
// per-request overhead of routing, parsing, ETag and headers (the body goes
// to a writer that discards it).
func BenchmarkTileCached(b *testing.B) {
	srv := atlastest.Handler(b, 64<<20)
	path := "/tiles/partnerships,authorities,partners,countries,regions,departements/6/32/22.mvt"
	req := httptest.NewRequest(http.MethodGet, path, nil)
	srv.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{header: http.Header{}}
		srv.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.n == 0 {
			b.Fatalf("GET %s = %d, %d B", path, w.status, w.n)
		}
	}
}

// discardWriter is a ResponseWriter that keeps the status and counts bytes.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(b)
	return len(b), nil
}

// apdQueries are the /api/apd tables BenchmarkAPD asks for: the README's
// by=country, alone and with a filter on the lines.
var apdQueries = []string{"by=country", "by=country&country=SN", "by=country&theme=eau-assainissement&since=2015"}

// BenchmarkAPD serves /api/apd?by=country on the embedded data: cold, the
// first request on a snapshot (its ledger is built: the declared lines
// indexed, then the table summed); warm, the same request again (the
// ledger's memo answers; routing, parsing and JSON included); and
// new-filter, a filter not asked for before on a built ledger (the table
// is summed over the lines: each iteration asks for another set of years).
func BenchmarkAPD(b *testing.B) {
	benchAPD(b, atlastest.Snapshot(b))
}

// BenchmarkAPD100x is BenchmarkAPD at 100× (ATLAS_DATA_100=DIR, built by
// `atlas geodata build --scale 100 --out DIR`). That build has no money
// side, so the embedded declarations are copied 100 times onto its
// collectivités (see apd100x): 100× the declared lines.
func BenchmarkAPD100x(b *testing.B) {
	benchAPD(b, apd100x(b))
}

// benchAPD runs BenchmarkAPD's cases on snap. A cold iteration gets a new
// server (without the web pages), and the garbage of the previous one is
// collected, before its timer starts.
func benchAPD(b *testing.B, snap *index.Snapshot) {
	newServer := func() http.Handler {
		h, err := httpapi.New(index.NewLive(snap), tiles.NewRenderer(tiles.Options{}), httpapi.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	lines := 0
	for _, d := range snap.Dataset().APD {
		lines += len(d.Lines)
	}
	serve := func(b *testing.B, h http.Handler, path string) {
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.status != http.StatusOK || w.n == 0 {
			b.Fatalf("GET %s = %d, %d B", path, w.status, w.n)
		}
	}
	for _, q := range apdQueries {
		path := "/api/apd?" + q
		b.Run("cold/"+q, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				h := newServer() // a server that has not built a ledger yet
				runtime.GC()
				b.StartTimer()
				serve(b, h, path)
			}
			b.ReportMetric(float64(lines), "lines")
		})
		b.Run("warm/"+q, func(b *testing.B) {
			h := newServer()
			serve(b, h, path)
			b.ReportAllocs()
			for b.Loop() {
				serve(b, h, path)
			}
		})
	}
	b.Run("new-filter/by=country&year=…", func(b *testing.B) {
		h := newServer()
		serve(b, h, "/api/apd?by=country")
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			serve(b, h, "/api/apd?by=country&year="+yearSet(i))
		}
	})
}

// yearSet returns the i-th set of the years 2003–2020 that holds 2003 to
// 2005 (a comma-separated list): every i below 2^15 gives another one.
func yearSet(i int) string {
	var b []byte
	for y := 2003; y <= 2020; y++ {
		if y <= 2005 || i&(1<<(y-2006)) != 0 {
			if len(b) > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(y), 10)
		}
	}
	return string(b)
}

var (
	apd100xOnce sync.Once
	apd100xSnap *index.Snapshot
)

// apd100x returns the snapshot of the 100× dataset in ATLAS_DATA_100 with
// the embedded APD declarations copied 100 times: copy k of collectivité
// j's declarations goes to one of the 100× dataset's collectivités (the
// (j·100+k)-th, or the next one free for all of j's years), so that no two
// copies share an authority and year and each keeps its lines. Copies that
// find no free collectivité are left out; the benchmark's lines metric
// counts the lines kept.
func apd100x(b *testing.B) *index.Snapshot {
	dir := os.Getenv("ATLAS_DATA_100")
	if dir == "" {
		b.Skip("ATLAS_DATA_100 not set")
	}
	apd100xOnce.Do(func() {
		ds, err := dataset.Load(os.DirFS(dir))
		if err != nil {
			b.Fatal(err)
		}
		var declarers []string
		years := map[string][]int{}
		for _, d := range atlastest.Snapshot(b).Dataset().APD {
			if years[d.AuthorityID] == nil {
				declarers = append(declarers, d.AuthorityID)
			}
			years[d.AuthorityID] = append(years[d.AuthorityID], d.Year)
		}
		n := len(ds.Authorities)
		taken := map[[2]int]bool{} // authority index, year
		target := map[string][]string{}
		for j, id := range declarers {
			for k := 0; k < 100; k++ {
				for probe := 0; probe < n; probe++ {
					a := (j*100 + k + probe) % n
					free := true
					for _, y := range years[id] {
						free = free && !taken[[2]int{a, y}]
					}
					if free {
						for _, y := range years[id] {
							taken[[2]int{a, y}] = true
						}
						target[id] = append(target[id], ds.Authorities[a].ID)
						break
					}
				}
			}
		}
		ds.APD = nil
		for _, d := range atlastest.Snapshot(b).Dataset().APD {
			for _, to := range target[d.AuthorityID] {
				d.AuthorityID = to
				ds.APD = append(ds.APD, d) // the lines are shared, read only
			}
		}
		if apd100xSnap, err = index.New(ds); err != nil {
			b.Fatal(err)
		}
	})
	if apd100xSnap == nil {
		b.Fatal("100× snapshot with APD: not built")
	}
	return apd100xSnap
}
