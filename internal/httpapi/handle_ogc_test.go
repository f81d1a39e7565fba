package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

type featureCollection struct {
	Type           string            `json:"type"`
	NumberMatched  int               `json:"numberMatched"`
	NumberReturned int               `json:"numberReturned"`
	Links          []ogcapi.Link     `json:"links"`
	Features       []json.RawMessage `json:"features"`
}

var (
	oasOnce sync.Once
	oasVal  validator.Validator
	oasErr  error
)

// openAPIValidator validates responses against the document the server
// serves at /api.
func openAPIValidator(t testing.TB, h http.Handler) validator.Validator {
	t.Helper()
	oasOnce.Do(func() {
		rec := get(t, h, "/api")
		doc, err := libopenapi.NewDocument(rec.Body.Bytes())
		if err != nil {
			oasErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			oasErr = errs[0]
			return
		}
		if ok, verrs := v.ValidateDocument(); !ok {
			for _, e := range verrs {
				t.Logf("document: %s: %s", e.Message, e.Reason)
			}
			oasErr = io.ErrUnexpectedEOF
			return
		}
		oasVal = v
	})
	if oasErr != nil {
		t.Fatalf("OpenAPI document: %v", oasErr)
	}
	return oasVal
}

// checkResponse validates a recorded response against the OpenAPI document.
func checkResponse(t *testing.T, v validator.Validator, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://example.com"+path, nil)
	resp := rec.Result()
	resp.Body = io.NopCloser(bytes.NewReader(rec.Body.Bytes()))
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("GET %s (%d): %s: %s", path, rec.Code, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s: %s", se.FieldPath, se.Reason)
			}
		}
	}
}

func TestOGCResponsesMatchOpenAPI(t *testing.T) {
	h := atlastest.Handler(t, 8<<20)
	v := openAPIValidator(t, h)
	paths := []string{
		"/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/partnerships",
		"/ogc/collections/countries/queryables", "/ogc/collections/partnerships/queryables",
		"/ogc/collections/partnerships/items?limit=3", "/ogc/collections/authorities/items?limit=2&country=JP",
		"/ogc/collections/partnerships/items?limit=2&filter=" + url.QueryEscape("country = 'JP' AND kind IN ('jumelage','cooperation')"),
		"/ogc/collections/partnerships/items?limit=2&datetime=2000/..",
		"/ogc/collections/partnerships/items?filter=nope%20%3D", "/ogc/collections/nope",
		"/ogc/collections/partnerships/tiles", "/ogc/collections/partnerships/tiles/WebMercatorQuad",
		"/ogc/tiles", "/ogc/tiles/WebMercatorQuad", "/ogc/tileMatrixSets", "/ogc/tileMatrixSets/WebMercatorQuad",
		"/api/stats", "/api/layers", "/api/facets", "/api/search?q=lyon", "/tiles/partnerships.json",
		"/geojson/partners?limit=2", "/healthz", "/readyz", "/api/stats?by=nope",
	}
	snap := atlastest.Snapshot(t)
	pid := snap.FeatureID(index.LayerPartnerships, 0)
	paths = append(paths, "/api/partnerships/"+pid, "/ogc/collections/partnerships/items/"+pid, "/ogc/collections/countries/items/FR")
	for _, p := range paths {
		rec := get(t, h, p)
		if rec.Code >= 500 {
			t.Errorf("GET %s = %d", p, rec.Code)
		}
		checkResponse(t, v, p, rec)
	}
}

// TestOpenAPIDescribesEveryRoute checks that the OpenAPI document has every
// operation the router is built from (TestRoutesAreTheOperations holds the
// router to the same list), under its path and method.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc := ogcapi.OpenAPI("http://example.com")
	paths := doc.Paths
	for _, op := range ogcapi.Operations() {
		if _, ok := paths[op.Path][strings.ToLower(op.Method)]; !ok {
			t.Errorf("OpenAPI document lacks %s %s", op.Method, op.Path)
		}
	}
	if n := len(paths); n < 30 {
		t.Errorf("OpenAPI document has %d paths", n)
	}
}

func TestOGCLandingAndConformance(t *testing.T) {
	h := atlastest.Handler(t, 0)
	var landing struct{ Links []ogcapi.Link }
	getJSON(t, h, "/ogc", &landing)
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "service-doc", "conformance", "data"} {
		if !strings.HasPrefix(rels[rel], "http://example.com/ogc") {
			t.Errorf("landing page link %s = %q, want absolute under /ogc", rel, rels[rel])
		}
	}
	rec := get(t, h, "/api")
	if ct := rec.Header().Get("Content-Type"); ct != ogcapi.TypeOpenAPI {
		t.Errorf("/api Content-Type = %q", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), get(t, h, "/ogc/api").Body.Bytes()) {
		t.Errorf("/api and /ogc/api differ")
	}
	for _, p := range []string{"/ogc?f=html", "/ogc/collections?f=html", "/ogc/collections/partnerships/items?f=html&limit=5", "/ogc/conformance?f=html", "/api?f=html"} {
		rec := get(t, h, p)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "</html>") {
			t.Errorf("GET %s = %d %s", p, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := get(t, h, "/ogc/collections", "Accept", "text/html,application/xhtml+xml"); !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("a browser gets %s", rec.Header().Get("Content-Type"))
	}
}

func items(t *testing.T, h http.Handler, path string) featureCollection {
	t.Helper()
	var fc featureCollection
	getJSON(t, h, path, &fc)
	return fc
}

func TestOGCItems(t *testing.T) {
	h := atlastest.Handler(t, 0)
	snap := atlastest.Snapshot(t)
	all := items(t, h, "/ogc/collections/partnerships/items?limit=5")
	if all.NumberMatched != snap.Len(index.LayerPartnerships) || all.NumberReturned != 5 || len(all.Features) != 5 {
		t.Fatalf("numberMatched %d numberReturned %d, want %d 5", all.NumberMatched, all.NumberReturned, snap.Len(index.LayerPartnerships))
	}
	// limit is clamped, not rejected.
	big := items(t, h, "/ogc/collections/countries/items?limit=1000000")
	if big.NumberReturned != big.NumberMatched {
		t.Errorf("clamped limit: %d of %d", big.NumberReturned, big.NumberMatched)
	}
	// The facets and the equivalent CQL2 agree with /geojson.
	var gj featureCollection
	getJSON(t, h, "/geojson/partnerships?country=JP&kind=jumelage&limit=1", &gj)
	for _, q := range []string{
		"country=JP&kind=jumelage",
		"filter=" + url.QueryEscape("country = 'JP' AND kind = 'jumelage'"),
		"filter=" + url.QueryEscape("country IN ('JP') AND NOT (kind <> 'jumelage')"),
		"filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"and","args":[{"op":"=","args":[{"property":"country"},"JP"]},{"op":"like","args":[{"property":"kind"},"jum%"]}]}`),
		"country=JP&filter=" + url.QueryEscape("kind = 'jumelage' OR country = 'XX'"),
	} {
		fc := items(t, h, "/ogc/collections/partnerships/items?limit=1&"+q)
		if fc.NumberMatched != gj.NumberMatched || gj.NumberMatched == 0 {
			t.Errorf("%s: numberMatched %d, /geojson says %d", q, fc.NumberMatched, gj.NumberMatched)
		}
	}
	// datetime on start years.
	var y2000 featureCollection
	getJSON(t, h, "/geojson/partnerships?since=2000&until=2010&limit=1", &y2000)
	for _, q := range []string{"datetime=2000/2010", "datetime=2000-01-01T00:00:00Z/2010-12-31T00:00:00Z",
		"filter=" + url.QueryEscape("start_year BETWEEN 2000 AND 2010"),
		"filter=" + url.QueryEscape("T_INTERSECTS(start_year, INTERVAL('2000-06-01','2010-02-01'))"),
		"filter=" + url.QueryEscape("start_year >= 2000 AND NOT (start_year > 2010)")} {
		if fc := items(t, h, "/ogc/collections/partnerships/items?limit=1&"+q); fc.NumberMatched != y2000.NumberMatched {
			t.Errorf("%s: numberMatched %d, want %d", q, fc.NumberMatched, y2000.NumberMatched)
		}
	}
	open := items(t, h, "/ogc/collections/partnerships/items?limit=1&datetime=../..")
	known := items(t, h, "/ogc/collections/partnerships/items?limit=1&filter=start_year%20IS%20NOT%20NULL")
	if open.NumberMatched != known.NumberMatched || open.NumberMatched >= all.NumberMatched {
		t.Errorf("datetime=../.. keeps %d, known years %d of %d", open.NumberMatched, known.NumberMatched, all.NumberMatched)
	}
	// bbox agrees with /geojson, and S_INTERSECTS with the same polygon.
	var gb featureCollection
	getJSON(t, h, "/geojson/partners?bbox=-10,35,30,60&limit=1", &gb)
	for _, q := range []string{"bbox=-10,35,30,60", "bbox=-10,35,0,30,60,0",
		"filter=" + url.QueryEscape("S_INTERSECTS(geometry, BBOX(-10,35,30,60))"),
		"filter=" + url.QueryEscape("S_INTERSECTS(geometry, POLYGON((-10 35, 30 35, 30 60, -10 60, -10 35)))")} {
		if fc := items(t, h, "/ogc/collections/partners/items?limit=1&"+q); fc.NumberMatched != gb.NumberMatched {
			t.Errorf("%s: numberMatched %d, want %d", q, fc.NumberMatched, gb.NumberMatched)
		}
	}
	// Array functions on themes.
	var gt featureCollection
	getJSON(t, h, "/geojson/partnerships?theme=sante,tourisme&limit=1", &gt)
	for _, q := range []string{"filter=" + url.QueryEscape("A_OVERLAPS(themes, ('sante','tourisme'))"),
		"filter=" + url.QueryEscape("theme IN ('sante','tourisme')"),
		"filter=" + url.QueryEscape("theme = 'sante' OR theme = 'tourisme'")} {
		if fc := items(t, h, "/ogc/collections/partnerships/items?limit=1&"+q); fc.NumberMatched != gt.NumberMatched {
			t.Errorf("%s: numberMatched %d, want %d", q, fc.NumberMatched, gt.NumberMatched)
		}
	}
	both := items(t, h, "/ogc/collections/partnerships/items?limit=1&filter="+url.QueryEscape("A_CONTAINS(themes, ('sante','tourisme'))"))
	one := items(t, h, "/ogc/collections/partnerships/items?limit=1&filter="+url.QueryEscape("theme = 'sante'"))
	if both.NumberMatched > one.NumberMatched {
		t.Errorf("A_CONTAINS both %d > sante %d", both.NumberMatched, one.NumberMatched)
	}
	// Paging walks the whole collection with next links.
	seen := map[string]bool{}
	next := "/ogc/collections/departements/items?limit=17"
	for next != "" {
		fc := items(t, h, next)
		for _, f := range fc.Features {
			var x struct{ ID string }
			json.Unmarshal(f, &x)
			seen[x.ID] = true
		}
		next = ""
		for _, l := range fc.Links {
			if l.Rel == "next" {
				next = strings.TrimPrefix(l.Href, "http://example.com")
			}
		}
	}
	if len(seen) != snap.Len(index.LayerDepartements) {
		t.Errorf("paging saw %d départements, want %d", len(seen), snap.Len(index.LayerDepartements))
	}
}

func TestOGCItemsErrors(t *testing.T) {
	h := atlastest.Handler(t, 0)
	posRe := regexp.MustCompile(`position \d+`)
	for q, param := range map[string]string{
		"nope=1":            "nope",
		"limit=0":           "limit",
		"bbox=1,2,3":        "bbox",
		"datetime=yester":   "datetime",
		"filter-lang=sql":   "filter-lang",
		"f=xml":             "f",
		"filter=country%3D": "filter",
		"filter=" + url.QueryEscape("country = 'JP' AND nope = 1"):                 "filter",
		"filter=" + url.QueryEscape("start_year = 'x'"):                            "filter",
		"filter=" + url.QueryEscape("S_CROSSES(geometry, POINT(1 2))"):             "filter",
		"filter-lang=cql2-json&filter=" + url.QueryEscape(`{"op":"=","args":[1]}`): "filter",
		// the costly ones: their caps are named
		"filter=" + url.QueryEscape("partner_name LIKE '"+strings.Repeat("%", 20000)+"'"):  "filter",
		"filter=" + url.QueryEscape("country IN ("+strings.Repeat("'JP', ", 1000)+"'BJ')"): "filter",
	} {
		rec := get(t, h, "/ogc/collections/partnerships/items?"+q)
		var p problem
		json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != 400 || p.Param != param {
			t.Errorf("%s: %d param %q (%s), want 400 %q", q, rec.Code, p.Param, p.Detail, param)
		}
		if param == "filter" && !posRe.MatchString(p.Detail) {
			t.Errorf("%s: the error does not name a position: %s", q, p.Detail)
		}
	}
	if rec := get(t, h, "/ogc/collections/partnerships/items/nope"); rec.Code != 404 {
		t.Errorf("unknown feature: %d", rec.Code)
	}
}

func TestOGCTilesSameAsCore(t *testing.T) {
	h := atlastest.Handler(t, 0)
	a := get(t, h, "/tiles/partnerships/2/2/1.mvt?country=JP")
	b := get(t, h, "/ogc/collections/partnerships/tiles/WebMercatorQuad/2/1/2?country=JP")
	if a.Code != 200 || b.Code != 200 || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) || a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Errorf("core %d and OGC %d tiles differ", a.Code, b.Code)
	}
	all := []string{}
	for _, l := range index.Layers() {
		all = append(all, l.ID)
	}
	c := get(t, h, "/tiles/"+strings.Join(all, ",")+"/1/1/0.mvt")
	d := get(t, h, "/ogc/tiles/WebMercatorQuad/1/0/1")
	if c.Code != 200 || !bytes.Equal(c.Body.Bytes(), d.Body.Bytes()) {
		t.Errorf("dataset tile differs from the multi-layer core tile")
	}
	var ts struct{ Links []ogcapi.Link }
	getJSON(t, h, "/ogc/collections/partnerships/tiles/WebMercatorQuad", &ts)
	found := false
	for _, l := range ts.Links {
		found = found || (l.Rel == "item" && l.Templated && strings.HasSuffix(l.Href, "/{tileMatrix}/{tileRow}/{tileCol}"))
	}
	if !found {
		t.Errorf("tileset lacks the templated item link: %+v", ts.Links)
	}
	if rec := get(t, h, "/ogc/tiles/WorldCRS84Quad/0/0/0"); rec.Code != 404 {
		t.Errorf("unknown tile matrix set: %d", rec.Code)
	}
}

// needTool returns the path of an external tool, skipping the test when it
// is absent unless ATLAS_REQUIRE_SERVICES=1.
func needTool(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if os.Getenv("ATLAS_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s not found (install gdal-bin and python3-owslib)", path)
		}
		t.Skipf("%s not found", path)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=60", "CPL_DEBUG=OFF")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var featureCountRe = regexp.MustCompile(`(?m)^Layer name: (\S+)$|^Feature Count: (\d+)$`)

// featureCounts runs ogrinfo -so -al and returns Feature Count by layer.
func featureCounts(t *testing.T, ogrinfo string, args ...string) map[string]int {
	out := run(t, ogrinfo, append([]string{"-ro", "-so", "-al", "-oo", "PAGE_SIZE=1000"}, args...)...)
	counts := map[string]int{}
	layer := ""
	for _, m := range featureCountRe.FindAllStringSubmatch(out, -1) {
		if m[1] != "" {
			layer = m[1]
			continue
		}
		n, _ := strconv.Atoi(m[2])
		counts[layer] = n
	}
	return counts
}

func TestGDALReadsOGCAPI(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo")
	srv := atlastest.NewServer(t)
	h := http.Handler(atlastest.Handler(t, 0))
	matched := func(layer, q string) int {
		return items(t, h, "/ogc/collections/"+layer+"/items?limit=1&"+q).NumberMatched
	}
	counts := featureCounts(t, ogrinfo, "OAPIF:"+srv.URL+"/ogc")
	if len(counts) != len(index.Layers())+len(ogcapi.MoneyCollections()) {
		t.Fatalf("ogrinfo lists %d collections: %v", len(counts), counts)
	}
	for _, l := range index.Layers() {
		if want := matched(l.ID, ""); counts[l.ID] != want {
			t.Errorf("ogrinfo: %s has %d features, numberMatched %d", l.ID, counts[l.ID], want)
		}
	}
	// With an attribute filter: GDAL 3.6 evaluates -where on the pages it
	// reads (later versions send it as a cql2-text filter); its count must
	// equal our numberMatched for the same CQL2 filter.
	where := "country = 'JP' AND kind = 'jumelage'"
	got := featureCounts(t, ogrinfo, "OAPIF:"+srv.URL+"/ogc", "partnerships", "-where", where)
	if want := matched("partnerships", "filter="+url.QueryEscape(where)); got["partnerships"] != want || want == 0 {
		t.Errorf("ogrinfo -where %q: %d features, numberMatched %d", where, got["partnerships"], want)
	}
	// A second filter, on start years, through the collection URL.
	where = "provenance = 'synthetic' AND authority_type IN ('region', 'departement')"
	got = featureCounts(t, ogrinfo, "OAPIF:"+srv.URL+"/ogc/collections/partnerships", "-where", where)
	if want := matched("partnerships", "filter="+url.QueryEscape(where)); got["partnerships"] != want || want == 0 {
		t.Errorf("ogrinfo -where %q: %v, numberMatched %d", where, got, want)
	}
	// One of our tiles through the MVT driver.
	resp, err := http.Get(srv.URL + "/ogc/collections/countries/tiles/WebMercatorQuad/2/1/2")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("tile: %v %v", err, resp)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	dir := t.TempDir()
	path := dir + "/2/2/1.pbf"
	os.MkdirAll(dir+"/2/2", 0o755)
	os.WriteFile(path, data, 0o644)
	out := run(t, ogrinfo, "-ro", "-so", "-al", "MVT:"+path)
	if !strings.Contains(out, "Layer name: countries") || !regexp.MustCompile(`Feature Count: [1-9]`).MatchString(out) {
		t.Errorf("ogrinfo MVT:\n%s", out)
	}
}

func TestOWSLibPagesThroughCollection(t *testing.T) {
	python := needTool(t, "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import owslib.ogcapi.features").Run(); err != nil {
		if os.Getenv("ATLAS_REQUIRE_SERVICES") == "1" {
			t.Fatalf("OWSLib missing: %v", err)
		}
		t.Skip("OWSLib missing")
	}
	srv := atlastest.NewServer(t)
	const script = `
import sys, json
from owslib.ogcapi.features import Features
api = Features(sys.argv[1])
ids = [c["id"] for c in api.collections()["collections"]]
coll = sys.argv[2]
seen, offset, total = set(), 0, None
while True:
    page = api.collection_items(coll, limit=int(sys.argv[3]), offset=offset)
    total = page["numberMatched"]
    seen.update(f["id"] for f in page["features"])
    offset += page["numberReturned"]
    if not any(l["rel"] == "next" for l in page["links"]):
        break
print(json.dumps({"collections": ids, "seen": len(seen), "matched": total, "conformance": len(api.conformance()["conformsTo"])}))
`
	out := run(t, python, "-c", script, srv.URL+"/ogc", "partnerships", "1000")
	var res struct {
		Collections []string
		Seen        int
		Matched     int
		Conformance int
	}
	if err := json.Unmarshal([]byte(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]), &res); err != nil {
		t.Fatalf("OWSLib output %q: %v", out, err)
	}
	snap := atlastest.Snapshot(t)
	if res.Seen != snap.Len(index.LayerPartnerships) || res.Matched != res.Seen || len(res.Collections) != len(index.Layers())+len(ogcapi.MoneyCollections()) {
		t.Errorf("OWSLib: %+v, want %d partnerships", res, snap.Len(index.LayerPartnerships))
	}
}

// BenchmarkOGCItemsPage measures one page of 1000 partnerships at several
// offsets, over loopback, and the time to the first byte.
func BenchmarkOGCItemsPage(b *testing.B) {
	srv := httptest.NewServer(atlastest.Handler(b, 0))
	defer srv.Close()
	n := atlastest.Snapshot(b).Len(index.LayerPartnerships)
	for _, off := range []int{0, n / 2, n - 1000} {
		u := srv.URL + "/ogc/collections/partnerships/items?limit=1000&offset=" + strconv.Itoa(off)
		b.Run("offset="+strconv.Itoa(off), func(b *testing.B) {
			var ttfb time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				resp, err := http.Get(u)
				if err != nil {
					b.Fatal(err)
				}
				buf := make([]byte, 1)
				if _, err := resp.Body.Read(buf); err != nil {
					b.Fatal(err)
				}
				ttfb += time.Since(start)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			b.ReportMetric(float64(ttfb.Microseconds())/float64(b.N)/1000, "ms-first-byte")
		})
	}
}
