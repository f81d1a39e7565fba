package httpapi_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/paulmach/orb/maptile"
)

var update = flag.Bool("update", false, "rewrite the golden files of this package's tests")

// goldenFile holds one line per request of goldenRequests: the SHA-256 of
// the response (status, the headers that make it, body), its status and
// the request. It pins every answer of the server on the embedded data, so
// that a change meant to move code, not behaviour, proves it moved nothing:
//
//	go test ./internal/httpapi -run TestGoldenResponses           # compare
//	go test ./internal/httpapi -run TestGoldenResponses -update   # accept a change of the data or the answers
const goldenFile = "testdata/golden/responses.txt"

// goldenHeaders are the response headers hashed with the body.
var goldenHeaders = []string{"Content-Type", "Content-Encoding", "Content-Disposition", "ETag", "Cache-Control", "Vary", "Location", "Link", "Content-Crs", "Allow", "Retry-After", "WWW-Authenticate"}

// gpkgTime matches the timestamps a GeoPackage records (its contents'
// last_change), the only part of any answer that depends on the clock.
var gpkgTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`)

// goldenRequest is one request of the sample: a path and whether it asks
// for gzip.
type goldenRequest struct {
	path string
	gzip bool
}

func (g goldenRequest) String() string {
	if g.gzip {
		return g.path + " [gzip]"
	}
	return g.path
}

// goldenRequests returns the sample: about 2,000 requests across every read
// route, with filters, paging, both encodings, the HTML views and errors.
// It is deterministic (a fixed seed) so that the golden file is stable.
func goldenRequests(t testing.TB) []goldenRequest {
	snap := atlastest.Snapshot(t)
	rng := rand.New(rand.NewPCG(12, 2026))
	var out []goldenRequest
	add := func(p string) { out = append(out, goldenRequest{path: p}) }
	addGz := func(p string) { out = append(out, goldenRequest{path: p, gzip: true}) }

	filters := []string{"", "country=JP", "theme=culture-patrimoine", "type=commune&since=2000", "kind=cooperation,amitie",
		"provenance=real", "country=BJ,SN&theme=eau-assainissement", "until=1990", "authority=reg-84", "bbox=-5,40,10,52",
		"since=1900&until=2030", "type=region,departement&kind=cooperation"}
	layerSets := []string{"partnerships", "authorities", "partners", "countries", "regions", "departements",
		"partnerships,authorities,partners", "partnerships,authorities,partners,countries,regions,departements"}
	ds := snap.Dataset()

	// Tiles: around random partnership ends, z0–z14, every layer set.
	for i := 0; i < 1500; i++ {
		ps := ds.Partnerships[rng.IntN(len(ds.Partnerships))]
		pt := snap.Point("partners", mustLookup(t, snap, "partners", ps.PartnerID))
		if rng.IntN(2) == 0 {
			pt = snap.Point("authorities", mustLookup(t, snap, "authorities", ps.AuthorityID))
		}
		z := maptile.Zoom(rng.IntN(15))
		tile := maptile.At(pt, z)
		p := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layerSets[rng.IntN(len(layerSets))], tile.Z, tile.X, tile.Y)
		if f := filters[rng.IntN(len(filters))]; f != "" && rng.IntN(3) > 0 {
			p += "?" + f
		}
		if rng.IntN(4) == 0 {
			addGz(p)
		} else {
			add(p)
		}
	}
	for _, ls := range layerSets {
		for _, f := range filters[:4] {
			add("/tiles/" + ls + ".json?" + f)
		}
	}

	// GeoJSON layers with filters and paging.
	for _, l := range []string{"partnerships", "authorities", "partners", "countries", "regions", "departements"} {
		for _, f := range filters {
			q := url.Values{}
			if f != "" {
				q, _ = url.ParseQuery(f)
			}
			q.Set("limit", fmt.Sprint([]int{1, 7, 100, 1000}[rng.IntN(4)]))
			if rng.IntN(2) == 0 {
				q.Set("offset", fmt.Sprint(rng.IntN(500)))
			}
			add("/geojson/" + l + "?" + q.Encode())
		}
		addGz("/geojson/" + l + "?limit=50")
	}

	// Stats: every grouping and unit, with filters and CSV.
	for _, by := range []string{"country", "region", "departement", "type", "theme", "kind", "year"} {
		for _, unit := range []string{"partnerships", "projects", "authorities", "partners"} {
			for _, f := range []string{"", "country=DE", "theme=sante&type=commune"} {
				p := "/api/stats?by=" + by + "&unit=" + unit
				if f != "" {
					p += "&" + f
				}
				add(p)
			}
			add("/api/stats?by=" + by + "&unit=" + unit + "&format=csv&kind=cooperation")
		}
	}
	add("/api/stats")
	add("/api/facets")
	add("/api/layers")
	add("/api/sources")
	addGz("/api/facets")
	for _, q := range []string{"lyon", "saint-etienne", "Bamako", "kyo", "é", "zzzz", "pa&limit=3", "mun&limit=50"} {
		add("/api/search?q=" + q)
	}
	for i := 0; i < 60; i++ {
		add("/api/partnerships/" + url.PathEscape(ds.Partnerships[rng.IntN(len(ds.Partnerships))].ID))
	}

	// OGC API: documents, items (facets, bbox, datetime, CQL2), features, tiles.
	for _, p := range []string{"/ogc", "/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/tiles", "/ogc/tiles/WebMercatorQuad",
		"/ogc/tileMatrixSets", "/ogc/tileMatrixSets/WebMercatorQuad", "/api", "/ogc/api"} {
		add(p)
		add(p + "?f=html")
	}
	cql := []string{
		"country = 'JP' AND start_year >= 2000",
		"authority_name LIKE 'Saint%'",
		"partner_name LIKE '%burg' OR country IN ('DE', 'AT')",
		"NOT (kind = 'jumelage')",
		"start_year BETWEEN 1990 AND 2005",
		"start_year IS NULL",
		"S_INTERSECTS(geometry, BBOX(-5, 40, 10, 52))",
		"S_INTERSECTS(geometry, POLYGON((0 40, 10 40, 10 50, 0 50, 0 40)))",
		"S_DISJOINT(geometry, POINT(2.35 48.85))",
		"T_AFTER(start_year, DATE('2010-01-01'))",
		"T_DURING(start_year, INTERVAL('2000-01-01', '2004-12-31'))",
		"A_CONTAINS(themes, ('sante'))",
		"A_OVERLAPS(themes, ('tourisme', 'numerique'))",
		"active = false",
		"projects > 2",
	}
	for _, l := range []string{"partnerships", "authorities", "partners", "countries", "regions", "departements"} {
		base := "/ogc/collections/" + l
		for _, s := range []string{"", "?f=html", "/queryables", "/queryables?f=html", "/tiles", "/tiles/WebMercatorQuad",
			"/items?limit=5", "/items?limit=20&offset=40", "/items?f=html&limit=3", "/items?bbox=-5,40,10,52&limit=10",
			"/items?datetime=2000/2010&limit=10", "/items?country=JP&limit=10"} {
			add(base + s)
		}
		id := snap.FeatureID(l, int32(rng.IntN(snap.Len(l))))
		add(base + "/items/" + url.PathEscape(id))
		add(base + "/items/" + url.PathEscape(id) + "?f=html")
		add(base + "/tiles/WebMercatorQuad/3/2/4")
	}
	for _, f := range cql {
		add("/ogc/collections/partnerships/items?limit=25&filter=" + url.QueryEscape(f))
	}
	for _, f := range []string{"name LIKE 'Lyon%'", "type = 'region'", "S_INTERSECTS(geometry, BBOX(0, 42, 8, 50))"} {
		add("/ogc/collections/authorities/items?limit=25&filter=" + url.QueryEscape(f))
	}
	add("/ogc/collections/partnerships/items?limit=10&filter-lang=cql2-json&filter=" +
		url.QueryEscape(`{"op":"and","args":[{"op":"=","args":[{"property":"country"},"SN"]},{"op":">=","args":[{"property":"start_year"},1995]}]}`))
	addGz("/ogc/collections/partnerships/items?limit=100")

	// Exports and print maps.
	for _, l := range []string{"partnerships", "authorities", "partners", "countries", "regions"} {
		for _, f := range []string{"country=JP", "theme=tourisme&type=commune"} {
			add("/export/" + l + ".geojson?" + f)
			add("/export/" + l + ".csv?" + f)
			add("/export/" + l + ".gpkg?" + f)
		}
	}
	add("/export/partnerships.csv?country=DE&lang=fr&bom=true")
	addGz("/export/partnerships.geojson?country=SN")
	for _, p := range []string{"/atlas/BJ.svg", "/atlas/JP.svg?theme=culture-patrimoine", "/atlas/DE.pdf", "/atlas/SN.png?width=800px&height=600px&dpi=72"} {
		add(p)
	}

	// Pages and assets (not /readyz: it reports the caches' counters).
	for _, p := range []string{"/", "/embed", "/embed?country=JP", "/atlas/JP", "/atlas/bj", "/healthz", "/static/js/atlas.js", "/static/css/atlas.css"} {
		add(p)
	}
	addGz("/static/js/core.js")

	// Errors.
	for _, p := range []string{"/tiles/partnerships/1/2/0.mvt", "/tiles/nope/0/0/0.mvt", "/geojson/partnerships?country=ZZ",
		"/api/stats?by=planet", "/api/stats?foo=1", "/geojson/partners?bbox=1,2,3", "/ogc/collections/partnerships/items?filter=" + url.QueryEscape("country = "),
		"/ogc/collections/nope", "/api/partnerships/NOPE", "/nope", "/export/partnerships.shp", "/atlas/ZZ.pdf", "/geojson/partnerships?limit=1000000",
		"/ogc/collections/partnerships/items?filter=" + url.QueryEscape("nope = 1"), "/ogc/collections/partnerships/items?datetime=2010/2000"} {
		add(p)
	}

	// Directory: fiches, who cooperates, analyses, and their refusals.
	for i := 0; i < 20; i++ {
		add("/api/authorities/" + url.PathEscape(ds.Authorities[rng.IntN(len(ds.Authorities))].ID))
		add("/api/partners/" + url.PathEscape(ds.Partners[rng.IntN(len(ds.Partners))].ID))
	}
	for _, p := range []string{"/api/countries/JP/authorities", "/api/countries/ml/authorities?kind=cooperation", "/api/countries/DE/authorities?format=csv",
		"/api/countries/BJ/authorities?theme=eau-assainissement,sante&format=csv", "/api/analyses/priority-countries",
		"/api/analyses/priority-countries?format=csv&since=2000", "/api/analyses/coordination", "/api/analyses/coordination?radius=10&limit=5",
		"/api/analyses/coordination?country=BJ,BF&format=csv", "/api/authorities/NOPE", "/api/partners/NOPE", "/api/countries/ZZ/authorities",
		"/api/countries/FR/authorities", "/api/countries/JP/authorities?country=DE", "/api/analyses/coordination?radius=0",
		"/api/analyses/coordination?limit=5000", "/api/analyses/priority-countries?format=xml", "/api/authorities/69123?x=1"} {
		add(p)
	}

	// The money side (empty in the embedded data) and its refusals.
	for _, p := range []string{"/api/apd", "/api/apd?by=country&since=2015", "/api/apd?by=sector&format=csv", "/api/apd?by=year&format=csv&lang=fr",
		"/api/apd/sectors", "/api/calls", "/api/calls?status=open&format=csv", "/api/calls/NOPE", "/api/calls/NOPE/applications",
		"/api/apd?by=planet", "/api/apd?sector=99999", "/api/apd?refugees=1", "/api/calls?status=soon",
		"/ogc/collections/apd", "/ogc/collections/calls?f=html", "/ogc/collections/apd/queryables", "/ogc/collections/apd/items?since=2018",
		"/ogc/collections/calls/items", "/ogc/collections/calls/items/NOPE", "/ogc/collections/apd/tiles"} {
		add(p)
	}
	return out
}

func mustLookup(t testing.TB, snap interface {
	Lookup(layer, id string) (int32, error)
}, layer, id string) int32 {
	t.Helper()
	i, err := snap.Lookup(layer, id)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// responseHash hashes what a client receives: status, the golden headers
// and the body (GeoPackage timestamps blanked).
func responseHash(rec *httptest.ResponseRecorder) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\n", rec.Code)
	for _, k := range goldenHeaders {
		if v := rec.Header().Values(k); len(v) > 0 {
			fmt.Fprintf(h, "%s: %s\n", k, strings.Join(v, ", "))
		}
	}
	body := rec.Body.Bytes()
	switch ct := rec.Header().Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/geopackage"):
		body = gpkgTime.ReplaceAll(body, []byte("0000-00-00T00:00:00.000Z"))
	case ct == "application/pdf":
		body = nil // its font programs and creation date hold the clock: a weak ETag
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// TestGoldenResponses compares every answer of the sample with the golden
// file: a refactoring must leave each one byte for byte as it was.
func TestGoldenResponses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the golden sample renders about 2,000 responses")
	}
	srv := atlastest.Handler(t, 0)
	reqs := goldenRequests(t)
	var got bytes.Buffer
	for _, g := range reqs {
		req := httptest.NewRequest(http.MethodGet, g.path, nil)
		if g.gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		fmt.Fprintf(&got, "%s %d %s\n", responseHash(rec), rec.Code, g)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d responses)", goldenFile, len(reqs))
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	wantLines := lines(want)
	gotLines := lines(got.Bytes())
	if len(wantLines) != len(gotLines) {
		t.Fatalf("the sample has %d requests, the golden file %d: the sample changed (run with -update if that is meant)", len(gotLines), len(wantLines))
	}
	bad := 0
	for i := range gotLines {
		if gotLines[i] != wantLines[i] {
			if bad < 20 {
				t.Errorf("response %d changed:\n got %s\nwant %s", i, gotLines[i], wantLines[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d responses differ from %s (run with -update if the change is meant)", bad, len(gotLines), goldenFile)
	}
}

func lines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
