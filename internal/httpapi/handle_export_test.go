package httpapi_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

func TestExportStatuses(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	for path, want := range map[string]struct {
		code  int
		param string
	}{
		"/export/partnerships.geojson?country=DE":            {http.StatusOK, ""},
		"/export/partnerships.csv?lang=fr&bom=true":          {http.StatusOK, ""},
		"/export/departements.gpkg?country=JP":               {http.StatusOK, ""},
		"/export/partnerships.csv?colour=red":                {http.StatusBadRequest, "colour"},
		"/export/partnerships.csv?limit=10&offset=20":        {http.StatusOK, ""},
		"/export/partnerships.csv?limit=0":                   {http.StatusBadRequest, "limit"},
		"/export/partnerships.geojson?limit=10":              {http.StatusBadRequest, "limit"},
		"/export/partnerships.geojson?lang=fr":               {http.StatusBadRequest, "lang"},
		"/export/partnerships.csv?lang=de":                   {http.StatusBadRequest, "lang"},
		"/export/partnerships.csv?bom=maybe":                 {http.StatusBadRequest, "bom"},
		"/export/partnerships.csv?country=ZZ":                {http.StatusBadRequest, "country"},
		"/export/partnerships.geojson?since=2010&until=2000": {http.StatusBadRequest, "since"},
		"/export/rivers.csv":                                 {http.StatusNotFound, ""},
		"/export/partnerships.xlsx":                          {http.StatusNotFound, ""},
		"/export/partnerships":                               {http.StatusNotFound, ""},
	} {
		rec := get(t, srv, path)
		if rec.Code != want.code {
			t.Errorf("GET %s = %d, want %d: %s", path, rec.Code, want.code, rec.Body)
			continue
		}
		if want.param != "" {
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Param != want.param {
				t.Errorf("GET %s: problem %+v (%v), want param %q", path, p, err, want.param)
			}
		}
	}
	// The country page still answers next to the print route.
	if rec := get(t, srv, "/atlas/JP"); rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("GET /atlas/JP = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestExportCSVHeaders(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	rec := get(t, srv, "/export/partnerships.csv?country=jp&lang=fr", "Accept-Encoding", "gzip")
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if got := h.Get("Content-Disposition"); got != `attachment; filename="atlas-partnerships-country-JP.csv"` {
		t.Errorf("Content-Disposition %q", got)
	}
	if h.Get("Content-Type") != "text/csv; charset=utf-8" || h.Get("Content-Encoding") != "gzip" || h.Get("ETag") == "" {
		t.Errorf("headers %v", h)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The French CSV: a BOM, then ";" between fields.
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	body, bom := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || !bom {
		t.Fatalf("BOM %v, %v", bom, err)
	}
	snap := atlastest.Snapshot(t)
	ids, _, _ := snap.Items("partnerships", atlas.Filter{Countries: []string{"JP"}})
	if len(rows) != len(ids)+1 || rows[0][0] != "Identifiant" {
		t.Errorf("%d rows (header %v), want %d", len(rows), rows[0], len(ids)+1)
	}
	// Conditional request.
	again := get(t, srv, "/export/partnerships.csv?lang=fr&country=JP", "Accept-Encoding", "gzip", "If-None-Match", h.Get("ETag"))
	if again.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.Code)
	}
}

func TestExportGeoPackageHTTP(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	rec := get(t, srv, "/export/authorities.gpkg?country=DE", "Accept-Encoding", "gzip")
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Content-Encoding") != "" || h.Get("Content-Type") != "application/geopackage+sqlite3" || h.Get("Content-Length") != itoa(rec.Body.Len()) {
		t.Errorf("headers %v (body %d bytes)", h, rec.Body.Len())
	}
	if !strings.HasPrefix(rec.Body.String(), "SQLite format 3\x00") {
		t.Errorf("not SQLite: %q", rec.Body.String()[:16])
	}
}

// firstByte runs a GET over loopback and returns the time to the first body
// byte, the total time and the body size.
func firstByte(tb testing.TB, url string, gz bool) (ttfb, total time.Duration, n int64) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	start := time.Now()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s", url, resp.Status)
	}
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	if _, err := br.Peek(1); err != nil {
		tb.Fatal(err)
	}
	ttfb = time.Since(start)
	n, err = io.Copy(io.Discard, br)
	if err != nil {
		tb.Fatal(err)
	}
	return ttfb, time.Since(start), n
}

func TestExportStreams(t *testing.T) {
	srv := httptest.NewServer(atlastest.Handler(t, 0))
	defer srv.Close()
	ttfb, total, n := firstByte(t, srv.URL+"/export/partnerships.geojson", false)
	t.Logf("all partnerships: first byte %v, total %v, %d bytes", ttfb, total, n)
	if ttfb > total/2 && total > 100*time.Millisecond {
		t.Errorf("first byte at %v of %v: not streamed", ttfb, total)
	}
	// A client that goes away stops the export.
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/export/partnerships.csv", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Read(make([]byte, 10))
	cancel()
	resp.Body.Close()
}

var (
	bigOnce sync.Once
	bigSrv  *httptest.Server
)

// benchServer serves the embedded dataset, or the 100× dataset in the
// directory named by ATLAS_DATA_100 (skipping when unset).
func benchServer(b *testing.B, big bool) *httptest.Server {
	if !big {
		srv := httptest.NewServer(atlastest.Handler(b, 0))
		b.Cleanup(srv.Close)
		return srv
	}
	dir := os.Getenv("ATLAS_DATA_100")
	if dir == "" {
		b.Skip("ATLAS_DATA_100 not set")
	}
	bigOnce.Do(func() {
		ds, err := dataset.Load(os.DirFS(dir))
		if err != nil {
			b.Fatal(err)
		}
		snap, err := index.New(ds)
		if err != nil {
			b.Fatal(err)
		}
		h, err := httpapi.New(index.NewLive(snap), tiles.NewRenderer(tiles.Options{}), httpapi.Options{})
		if err != nil {
			b.Fatal(err)
		}
		bigSrv = httptest.NewServer(h)
	})
	return bigSrv
}

func benchExport(b *testing.B, big bool, path string, gz bool) {
	srv := benchServer(b, big)
	firstByte(b, srv.URL+path, gz) // warm the selection cache
	var ttfb, total time.Duration
	var n int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t1, t2, m := firstByte(b, srv.URL+path, gz)
		ttfb += t1
		total += t2
		n = m
	}
	b.ReportMetric(float64(ttfb.Microseconds())/1000/float64(b.N), "ms-first-byte")
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-total")
	b.ReportMetric(float64(n)/1e6, "MB")
}

// BenchmarkExportGeoJSONGermany: the full GeoJSON export of the
// partnerships with Germany on the embedded data, identity and gzip.
func BenchmarkExportGeoJSONGermany(b *testing.B) {
	b.Run("identity", func(b *testing.B) { benchExport(b, false, "/export/partnerships.geojson?country=DE", false) })
	b.Run("gzip", func(b *testing.B) { benchExport(b, false, "/export/partnerships.geojson?country=DE", true) })
}

// BenchmarkExportGeoJSONGermany100x: the same on a 100× dataset
// (ATLAS_DATA_100=DIR, built by `atlas geodata build --scale 100 --out DIR`).
func BenchmarkExportGeoJSONGermany100x(b *testing.B) {
	b.Run("identity", func(b *testing.B) { benchExport(b, true, "/export/partnerships.geojson?country=DE", false) })
	b.Run("gzip", func(b *testing.B) { benchExport(b, true, "/export/partnerships.geojson?country=DE", true) })
	b.Run("csv", func(b *testing.B) { benchExport(b, true, "/export/partnerships.csv?country=DE", false) })
}
