package httpapi_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
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

// TestExportAPD checks the apd_eur column of the countries and authorities
// exports end to end: each row's value is the one /geojson/{layer} gives
// the feature, the countries' sum is /api/apd?by=country's total over the
// same years without the unallocated lines, each authority's is its
// /api/apd?by=authority amount, and the French CSV, the GeoJSON export and
// the GeoPackage (an INTEGER column, read back) carry the same values. The
// layers' other filters (type) select the rows, not the APD's lines.
func TestExportAPD(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	dir := t.TempDir()
	for _, c := range []struct{ q, years string }{
		{"since=2015&until=2018", "since=2015&until=2018"},
		{"since=2015&until=2018&type=region", "since=2015&until=2018"},
		{"type=departement", ""},
	} {
		var byCountry, byAuthority apdTable
		getJSON(t, srv, "/api/apd?by=country&"+c.years, &byCountry)
		getJSON(t, srv, "/api/apd?by=authority&"+c.years, &byAuthority)
		received := map[string]int64{}
		var allocated int64
		for _, g := range byCountry.Groups {
			if g.Key != atlas.Unallocated {
				received[g.Key] = g.AmountEUR
				allocated += g.AmountEUR
			}
		}
		given := map[string]int64{}
		for _, g := range byAuthority.Groups {
			given[g.Key] = g.AmountEUR
		}
		if allocated == 0 || len(given) == 0 {
			t.Fatalf("%s: no APD in the embedded data (%+v)", c.q, byCountry.Total)
		}
		for _, layer := range []string{index.LayerCountries, index.LayerAuthorities} {
			want := received
			if layer == index.LayerAuthorities {
				want = given
			}
			var fc struct {
				Features []struct {
					ID         string         `json:"id"`
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			getJSON(t, srv, "/geojson/"+layer+"?limit=10000&"+c.q, &fc)
			geo := map[string]int64{}
			for _, f := range fc.Features {
				v, ok := f.Properties["apd_eur"].(float64)
				if !ok {
					t.Fatalf("%s?%s: feature %s has no apd_eur", layer, c.q, f.ID)
				}
				geo[f.ID] = int64(v)
			}
			check := func(format string, got map[string]int64) {
				t.Helper()
				if len(got) != len(geo) || len(got) == 0 {
					t.Errorf("%s %s?%s: %d rows, /geojson %d features", format, layer, c.q, len(got), len(geo))
				}
				var sum int64
				for id, v := range got {
					sum += v
					if v != geo[id] || v != want[id] {
						t.Errorf("%s %s?%s: %s apd_eur %d, /geojson %d, /api/apd %d", format, layer, c.q, id, v, geo[id], want[id])
					}
				}
				if layer == index.LayerCountries && sum != allocated {
					t.Errorf("%s countries?%s: apd_eur sums to %d, /api/apd?by=country&%s to %d without the unallocated lines", format, c.q, sum, c.years, allocated)
				}
				if sum == 0 {
					t.Errorf("%s %s?%s: no APD at all", format, layer, c.q)
				}
			}
			for _, lang := range []string{"en", "fr"} {
				rec := get(t, srv, "/export/"+layer+".csv?lang="+lang+"&"+c.q)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s.csv?%s: %d %s", layer, c.q, rec.Code, rec.Body)
				}
				r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\xEF\xBB\xBF"))))
				id, apd := "id", "apd_eur"
				if lang == "fr" {
					r.Comma, id, apd = ';', "Identifiant", "APD (€)"
					if layer == index.LayerCountries {
						id = "Code ISO"
					}
				} else if layer == index.LayerCountries {
					id = "iso2"
				}
				rows, err := r.ReadAll()
				if err != nil || len(rows) == 0 {
					t.Fatalf("%s.csv?lang=%s&%s: %v", layer, lang, c.q, err)
				}
				col := map[string]int{}
				for k, h := range rows[0] {
					col[h] = k
				}
				if _, ok := col[apd]; !ok {
					t.Fatalf("%s.csv?lang=%s: no %q column in %v", layer, lang, apd, rows[0])
				}
				got := map[string]int64{}
				for _, row := range rows[1:] {
					v, err := strconv.ParseInt(row[col[apd]], 10, 64)
					if err != nil {
						t.Fatalf("%s.csv?lang=%s: %s %q: %v", layer, lang, apd, row[col[apd]], err)
					}
					got[row[col[id]]] = v
				}
				check("CSV "+lang, got)
			}

			var exported struct {
				Features []struct {
					ID         string         `json:"id"`
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			getJSON(t, srv, "/export/"+layer+".geojson?"+c.q, &exported)
			got := map[string]int64{}
			for _, f := range exported.Features {
				v, _ := f.Properties["apd_eur"].(float64)
				got[f.ID] = int64(v)
			}
			check("GeoJSON export", got)

			rec := get(t, srv, "/export/"+layer+".gpkg?"+c.q)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s.gpkg?%s: %d %s", layer, c.q, rec.Code, rec.Body)
			}
			path := filepath.Join(dir, layer+".gpkg")
			if err := os.WriteFile(path, rec.Body.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			got, typ := gpkgAPD(t, path, layer)
			if typ != "INTEGER" {
				t.Errorf("%s.gpkg: apd_eur is %q, want INTEGER", layer, typ)
			}
			check("GeoPackage", got)
		}
	}
}

// gpkgAPD reads the apd_eur column of the GeoPackage table layer back, by
// feature id (iso2 for the countries), with the column's declared type.
func gpkgAPD(t *testing.T, path, layer string) (map[string]int64, string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var typ string
	if err := db.QueryRow(`SELECT type FROM pragma_table_info(?) WHERE name = 'apd_eur'`, layer).Scan(&typ); err != nil {
		t.Fatalf("%s.gpkg: no apd_eur column: %v", layer, err)
	}
	id := "id"
	if layer == index.LayerCountries {
		id = "iso2"
	}
	rows, err := db.Query(`SELECT "` + id + `", apd_eur FROM "` + layer + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out, typ
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
