package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
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
