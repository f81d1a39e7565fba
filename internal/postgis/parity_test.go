package postgis_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/httpapi"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/atlas-cooperation/atlas/static"
)

// parityFilters is the filter matrix of the parity test, including values
// that must be refused the same way.
var parityFilters = []string{
	"",
	"country=JP",
	"country=DE,SN&theme=tourisme,sante&kind=cooperation",
	"theme=culture-patrimoine",
	"type=commune&kind=jumelage",
	"type=region,departement",
	"provenance=real",
	"provenance=synthetic&since=2000&until=2015",
	"since=2010",
	"bbox=-10,35,30,60",
	"bbox=-180,-60,-150,70",
	"authority=31555",
	"partner=3186084",
	"country=ZZ",
	"theme=sport",
	"country=JP';DROP TABLE atlas_partnerships;--",
}

// parityPaths returns every endpoint family under every filter.
func parityPaths() []string {
	var paths []string
	for _, f := range parityFilters {
		q := ""
		if f != "" {
			q = "?" + f
		}
		amp := "?"
		if f != "" {
			amp = "?" + f + "&"
		}
		paths = append(paths,
			"/tiles/partnerships/0/0/0.mvt"+q,
			"/tiles/partnerships,authorities,partners,countries/3/4/2.mvt"+q,
			"/tiles/partnerships,countries,regions,departements/5/16/11.mvt"+q,
			"/tiles/authorities,partners/6/32/22.mvt"+q,
			"/tiles/partnerships,authorities.json"+q,
			"/geojson/partnerships"+amp+"limit=50",
			"/geojson/partnerships"+amp+"limit=50&offset=100",
			"/geojson/authorities"+amp+"limit=100",
			"/geojson/partners"+amp+"limit=100",
			"/geojson/countries"+amp+"limit=5",
			"/geojson/regions"+amp+"limit=3",
			"/geojson/departements"+amp+"limit=3&offset=10",
			"/api/stats"+q,
			"/api/stats"+amp+"by=country&unit=projects",
			"/api/stats"+amp+"by=theme&unit=authorities",
			"/api/stats"+amp+"by=year&unit=partnerships&format=csv",
			"/api/stats"+amp+"by=region&unit=partners&format=csv",
		)
	}
	paths = append(paths, "/api/layers", "/api/facets", "/api/search?q=paris", "/api/search?q=tokyo&limit=5",
		"/api/search?q='%20OR%201=1--", "/api/partnerships/FRTW00001", "/api/partnerships/SYN-000003",
		"/api/partnerships/NOPE", "/api/partnerships/x'%3BDROP%20TABLE%20atlas_partnerships", "/readyz", "/nope",
		"/api/authorities/69123", "/api/authorities/reg-53", "/api/partners/3186084", "/api/authorities/NOPE",
		"/api/countries/DE/authorities", "/api/countries/BJ/authorities?theme=eau-assainissement&format=csv",
		"/api/analyses/priority-countries", "/api/analyses/priority-countries?kind=cooperation&format=csv",
		"/api/analyses/coordination", "/api/analyses/coordination?country=SN,ML&radius=50&format=csv",
		"/api/bourse", "/api/bourse?format=geojson&country=BJ", "/api/bourse/NOPE", "/api/authorities/69123/bourse", "/api/bourse/tiles/0/0/0.mvt")
	return paths
}

// TestParityWithEmbeddedStore imports the embedded dataset, serves it from
// the database and compares every endpoint with the embedded store: status,
// Content-Type, ETag and body bytes, plain and gzip.
func TestParityWithEmbeddedStore(t *testing.T) {
	url, _ := importedDB(t)
	src := startSource(t, url, postgisSourceOptions())
	waitLoaded(t, src, time.Minute)

	want := httptest.NewServer(atlastest.Handler(t, 64<<20))
	defer want.Close()
	h, err := httpapi.New(src, tiles.NewRenderer(tiles.Options{CacheBytes: 64 << 20}), httpapi.Options{Static: static.FS()})
	if err != nil {
		t.Fatal(err)
	}
	got := httptest.NewServer(h)
	defer got.Close()
	if a, b := atlastest.Snapshot(t).Version(), src.Current().Version(); a != b {
		t.Fatalf("data version: files %s, database %s", a, b)
	}
	n := 0
	for _, path := range parityPaths() {
		for _, gz := range []bool{false, true} {
			a, b := fetch(t, want.URL+path, gz), fetch(t, got.URL+path, gz)
			if path == "/readyz" {
				// The memory section reports each server's own cache history.
				a.body, b.body = withoutMemory(t, a), withoutMemory(t, b)
			}
			if a.status != b.status || a.ctype != b.ctype || a.etag != b.etag || !bytes.Equal(a.body, b.body) {
				t.Errorf("%s (gzip %v): embedded %d %q %s %d bytes; database %d %q %s %d bytes",
					path, gz, a.status, a.ctype, a.etag, len(a.body), b.status, b.ctype, b.etag, len(b.body))
			}
			n++
		}
	}
	t.Logf("%d responses identical", n)
}

// withoutMemory returns a /readyz body without its memory section, failing
// the test if that section is missing.
func withoutMemory(t *testing.T, r response) []byte {
	t.Helper()
	body := r.body
	if r.gzip {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("/readyz: %v", err)
	}
	if _, ok := v["memory"]; !ok {
		t.Fatalf("/readyz has no memory section: %s", body)
	}
	delete(v, "memory")
	out, _ := json.Marshal(v)
	return out
}

type response struct {
	status      int
	ctype, etag string
	body        []byte
	gzip        bool // the body is gzip-encoded
}

func fetch(t *testing.T, url string, gz bool) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Host = "atlas.test" // links and ETags derive from the host: the same for both servers
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := rawTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("ETag"), body,
		resp.Header.Get("Content-Encoding") == "gzip"}
}

// rawTransport neither asks for gzip nor decompresses.
var rawTransport = &http.Transport{DisableCompression: true}
