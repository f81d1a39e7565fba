package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

func get(t testing.TB, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func getJSON(t testing.TB, h http.Handler, path string, v any) {
	t.Helper()
	rec := get(t, h, path)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: decode: %v", path, err)
	}
}

type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Param  string `json:"param"`
}

func TestStatuses(t *testing.T) {
	srv := atlastest.Handler(t, 1<<20)
	tests := map[string]struct {
		path      string
		want      int
		wantParam string
	}{
		"world tile":                       {"/tiles/partnerships/0/0/0.mvt", http.StatusOK, ""},
		"multi-layer world tile":           {"/tiles/partnerships,authorities,partners,countries/0/0/0.mvt", http.StatusOK, ""},
		"empty tile in the Pacific":        {"/tiles/authorities/10/10/500.mvt", http.StatusNoContent, ""},
		"x beyond zoom 1":                  {"/tiles/partnerships/1/2/0.mvt", http.StatusBadRequest, "x"},
		"negative y":                       {"/tiles/partnerships/1/0/-1.mvt", http.StatusBadRequest, "y"},
		"zoom too deep":                    {"/tiles/partnerships/40/0/0.mvt", http.StatusBadRequest, "z"},
		"z not a number":                   {"/tiles/partnerships/a/0/0.mvt", http.StatusBadRequest, "z"},
		"unknown layer":                    {"/tiles/nope/0/0/0.mvt", http.StatusNotFound, ""},
		"unknown layer in list":            {"/tiles/partnerships,nope/0/0/0.mvt", http.StatusNotFound, ""},
		"unknown country":                  {"/tiles/partnerships/0/0/0.mvt?country=ZZ", http.StatusBadRequest, "country"},
		"unknown theme":                    {"/geojson/partnerships?theme=sport", http.StatusBadRequest, "theme"},
		"since after until":                {"/api/stats?since=2010&until=2000", http.StatusBadRequest, "since"},
		"malformed bbox":                   {"/geojson/partners?bbox=1,2,3", http.StatusBadRequest, "bbox"},
		"limit over the maximum":           {"/geojson/partnerships?limit=1000000", http.StatusBadRequest, "limit"},
		"negative offset":                  {"/geojson/partnerships?offset=-1", http.StatusBadRequest, "offset"},
		"unknown parameter on tiles":       {"/tiles/partnerships/0/0/0.mvt?colour=red", http.StatusBadRequest, "colour"},
		"unknown parameter on stats":       {"/api/stats?by=country&foo=1", http.StatusBadRequest, "foo"},
		"unknown stats grouping":           {"/api/stats?by=planet", http.StatusBadRequest, "by"},
		"unknown stats unit":               {"/api/stats?unit=euros", http.StatusBadRequest, "unit"},
		"unknown geojson layer":            {"/geojson/rivers", http.StatusNotFound, ""},
		"unknown route":                    {"/nope", http.StatusNotFound, ""},
		"unknown partnership":              {"/api/partnerships/NOPE", http.StatusNotFound, ""},
		"search too short":                 {"/api/search?q=a", http.StatusBadRequest, "q"},
		"tilejson":                         {"/tiles/partnerships,authorities.json?country=JP", http.StatusOK, ""},
		"tilejson unknown layer":           {"/tiles/nope.json", http.StatusNotFound, ""},
		"layers":                           {"/api/layers", http.StatusOK, ""},
		"facets":                           {"/api/facets", http.StatusOK, ""},
		"health":                           {"/healthz", http.StatusOK, ""},
		"ready":                            {"/readyz", http.StatusOK, ""},
		"stats csv":                        {"/api/stats?by=theme&unit=projects&format=csv", http.StatusOK, ""},
		"stats unknown format":             {"/api/stats?format=xml", http.StatusBadRequest, "format"},
		"geojson of every layer, filtered": {"/geojson/countries?country=JP&limit=5", http.StatusOK, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec := get(t, srv, tc.path)
			if rec.Code != tc.want {
				t.Fatalf("GET %s = %d, want %d; body %s", tc.path, rec.Code, tc.want, rec.Body)
			}
			if rec.Code >= 400 {
				if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("error Content-Type %q", ct)
				}
				var p problem
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != tc.want || p.Detail == "" {
					t.Fatalf("problem body %s (%v)", rec.Body, err)
				}
				if p.Param != tc.wantParam {
					t.Errorf("problem param %q, want %q (detail %q)", p.Param, tc.wantParam, p.Detail)
				}
			}
		})
	}
}

func decodeTile(t testing.TB, body []byte, tile maptile.Tile) mvt.Layers {
	t.Helper()
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("decode tile %v: %v", tile, err)
	}
	layers.ProjectToWGS84(tile)
	return layers
}

func TestTileFeatures(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	tile := maptile.New(16, 11, 5) // western Europe at z5
	path := "/tiles/partnerships,authorities,partners,countries/5/16/11.mvt?country=DE&kind=cooperation,amitie"
	rec := get(t, srv, path)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("Content-Type %q", ct)
	}
	layers := decodeTile(t, rec.Body.Bytes(), tile)
	byName := map[string]*mvt.Layer{}
	for _, l := range layers {
		byName[l.Name] = l
		if l.Extent != 4096 {
			t.Errorf("layer %s extent %d", l.Name, l.Extent)
		}
	}
	for _, name := range []string{"partnerships", "authorities", "partners", "countries"} {
		if byName[name] == nil || len(byName[name].Features) == 0 {
			t.Fatalf("layer %s missing or empty", name)
		}
	}
	individual := 0
	for _, f := range byName["partnerships"].Features {
		p := f.Properties
		if p["cluster"] == true {
			continue
		}
		individual++
		if p["country"] != "DE" || (p["kind"] != "cooperation" && p["kind"] != "amitie") {
			t.Fatalf("filtered arc with country %v kind %v", p["country"], p["kind"])
		}
		for _, k := range []string{"id", "authority_id", "authority_name", "authority_type", "partner_id", "partner_name", "country_name", "provenance"} {
			if s, _ := p[k].(string); s == "" {
				t.Fatalf("arc %v lacks %s", p["id"], k)
			}
		}
	}
	if individual == 0 {
		t.Fatal("no individual arc at z5 for Germany's cooperations")
	}
	for _, f := range byName["partners"].Features {
		if f.Properties["cluster"] != true && f.Properties["country"] != "DE" {
			t.Fatalf("partner outside the filter: %v", f.Properties)
		}
	}
}

// tilesCovering returns the z tiles that the geometry's bound touches.
func tilesCovering(g orb.Geometry, z maptile.Zoom) []maptile.Tile {
	b := g.Bound()
	min := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z)
	max := maptile.At(orb.Point{b.Max[0], b.Min[1]}, z)
	last := maptile.Tile{X: 1<<z - 1, Y: 1<<z - 1}
	max.X, max.Y = minU(max.X, last.X), minU(max.Y, last.Y)
	var out []maptile.Tile
	for x := min.X; x <= max.X; x++ {
		for y := min.Y; y <= max.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}

// TestFilterAgreesAcrossEndpoints checks that a filter selects the same
// partnerships in GeoJSON, stats and tiles.
func TestFilterAgreesAcrossEndpoints(t *testing.T) {
	srv := atlastest.Handler(t, 64<<20)
	for _, filter := range []string{"country=JP", "country=BJ", "theme=numerique&kind=cooperation", "country=SN&since=2000&until=2010"} {
		t.Run(filter, func(t *testing.T) {
			var fc struct {
				NumberMatched int                `json:"numberMatched"`
				Features      []*geojson.Feature `json:"features"`
			}
			getJSON(t, srv, "/geojson/partnerships?limit=10000&"+filter, &fc)
			var st struct {
				Total  int `json:"total"`
				Groups []struct {
					Count int `json:"count"`
				} `json:"groups"`
			}
			getJSON(t, srv, "/api/stats?by=kind&unit=partnerships&"+filter, &st)
			if fc.NumberMatched == 0 || fc.NumberMatched != len(fc.Features) || st.Total != fc.NumberMatched {
				t.Fatalf("GeoJSON total %d (%d features), stats total %d", fc.NumberMatched, len(fc.Features), st.Total)
			}
			sum := 0
			for _, g := range st.Groups {
				sum += g.Count
			}
			if sum != st.Total {
				t.Fatalf("kind groups sum to %d, total %d", sum, st.Total)
			}
			want := map[string]bool{}
			covering := map[maptile.Tile]bool{}
			for _, f := range fc.Features {
				want[f.ID.(string)] = true
				for _, tl := range tilesCovering(f.Geometry, 5) {
					covering[tl] = true
				}
			}
			got := map[string]bool{}
			for tl := range covering {
				path := "/tiles/partnerships/5/" + itoa(int(tl.X)) + "/" + itoa(int(tl.Y)) + ".mvt?" + filter
				rec := get(t, srv, path)
				if rec.Code == http.StatusNoContent {
					continue
				}
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s = %d", path, rec.Code)
				}
				for _, l := range decodeTile(t, rec.Body.Bytes(), tl) {
					for _, f := range l.Features {
						if f.Properties["cluster"] == true {
							t.Fatalf("aggregated arc at z5 for %s", filter)
						}
						id, _ := f.Properties["id"].(string)
						if !want[id] {
							t.Fatalf("tile %v has arc %q outside the filter", tl, id)
						}
						got[id] = true
					}
				}
			}
			if len(got) != len(want) {
				t.Fatalf("tiles at z5 hold %d distinct arcs, GeoJSON %d", len(got), len(want))
			}
		})
	}
}

func minU(a, b uint32) uint32 {
	if a < b {
		return a
	}
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestPublishedFigures(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var st statsTable
	getJSON(t, srv, "/api/stats?by=country&unit=projects&kind=cooperation,amitie", &st)
	want := []struct {
		key   string
		count int
	}{{"DE", 321}, {"ML", 265}, {"BF", 240}, {"SN", 222}, {"PL", 211}, {"GB", 172}, {"MG", 166}, {"MA", 160}, {"IT", 145}, {"ES", 135}}
	if len(st.Groups) < len(want) {
		t.Fatalf("only %d countries", len(st.Groups))
	}
	for i, w := range want {
		if g := st.Groups[i]; g.Key != w.key || g.Count != w.count {
			t.Errorf("rank %d: %s %d, want %s %d", i+1, g.Key, g.Count, w.key, w.count)
		}
	}
	if st.Groups[0].Label != "Allemagne" {
		t.Errorf("DE label %q", st.Groups[0].Label)
	}
	if st.Groups[len(want)].Count >= 135 {
		t.Errorf("11th country %s has %d projects", st.Groups[len(want)].Key, st.Groups[len(want)].Count)
	}
	countGroups := func(path string) int {
		getJSON(t, srv, path, &st)
		return len(st.Groups)
	}
	total := func(path string) int {
		getJSON(t, srv, path, &st)
		return st.Total
	}
	checks := map[string]struct{ got, want int }{
		"partnerships":                    {total("/api/stats?unit=partnerships"), 11600},
		"countries":                       {countGroups("/api/stats?by=country&unit=partnerships"), 135},
		"French authorities":              {total("/api/stats?unit=authorities"), 4770},
		"foreign authorities":             {total("/api/stats?unit=partners"), 8300},
		"économie durable projects":       {total("/api/stats?unit=projects&theme=economie-durable"), 1063},
		"économie durable countries":      {countGroups("/api/stats?by=country&unit=projects&theme=economie-durable"), 94},
		"économie durable authorities":    {total("/api/stats?unit=authorities&theme=economie-durable"), 402},
		"tourisme projects":               {total("/api/stats?unit=projects&theme=tourisme"), 180},
		"tourisme countries":              {countGroups("/api/stats?by=country&unit=projects&theme=tourisme"), 50},
		"tourisme authorities":            {total("/api/stats?unit=authorities&theme=tourisme"), 96},
		"numérique projects":              {total("/api/stats?unit=projects&theme=numerique"), 77},
		"numérique authorities":           {total("/api/stats?unit=authorities&theme=numerique"), 56},
		"numérique partners":              {total("/api/stats?unit=partners&theme=numerique"), 71},
		"culture-patrimoine at least 109": {min(total("/api/stats?unit=projects&theme=culture-patrimoine"), 109), 109},
	}
	for name, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", name, c.got, c.want)
		}
	}
}

func TestConditionalRequests(t *testing.T) {
	srv := atlastest.Handler(t, 1<<20)
	for _, path := range []string{"/tiles/partnerships/2/2/1.mvt?country=SN", "/geojson/partners?country=JP", "/api/stats?by=theme", "/tiles/countries.json", "/static/index.html"} {
		t.Run(path, func(t *testing.T) {
			first := get(t, srv, path)
			tag := first.Header().Get("ETag")
			if first.Code != http.StatusOK || tag == "" {
				t.Fatalf("GET %s = %d, ETag %q", path, first.Code, tag)
			}
			again := get(t, srv, path, "If-None-Match", tag)
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Fatalf("conditional GET = %d with %d bytes", again.Code, again.Body.Len())
			}
			other := get(t, srv, path, "If-None-Match", `"something-else"`)
			if other.Code != http.StatusOK {
				t.Fatalf("GET with stale ETag = %d", other.Code)
			}
		})
	}
	// Another filter gives another ETag.
	a := get(t, srv, "/geojson/partners?country=JP").Header().Get("ETag")
	b := get(t, srv, "/geojson/partners?country=BJ").Header().Get("ETag")
	if a == b {
		t.Fatal("two filters share an ETag")
	}
}

func TestGzip(t *testing.T) {
	srv := atlastest.Handler(t, 1<<20)
	for _, path := range []string{"/tiles/partnerships,countries/1/1/0.mvt", "/geojson/partnerships?country=JP"} {
		plain := get(t, srv, path)
		zipped := get(t, srv, path, "Accept-Encoding", "gzip")
		if zipped.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: no gzip", path)
		}
		if plain.Header().Get("ETag") == zipped.Header().Get("ETag") {
			t.Errorf("%s: gzip and identity variants share an ETag", path)
		}
		zr, err := gzip.NewReader(zipped.Body)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, plain.Body.Bytes()) {
			t.Fatalf("%s: gunzipped body differs", path)
		}
	}
}

func TestGeoJSONPaging(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var all struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	getJSON(t, srv, "/geojson/partnerships?country=DE&limit=10000", &all)
	var paged []string
	next := "/geojson/partnerships?country=DE&limit=97"
	for next != "" {
		var page struct {
			NumberMatched  int `json:"numberMatched"`
			NumberReturned int `json:"numberReturned"`
			Features       []struct {
				ID string `json:"id"`
			} `json:"features"`
			Links []struct{ Href, Rel string } `json:"links"`
		}
		getJSON(t, srv, next, &page)
		if page.NumberMatched != all.NumberMatched || page.NumberReturned != len(page.Features) {
			t.Fatalf("page counts %d/%d, total %d", page.NumberReturned, len(page.Features), page.NumberMatched)
		}
		for _, f := range page.Features {
			paged = append(paged, f.ID)
		}
		next = ""
		for _, l := range page.Links {
			if l.Rel == "next" {
				u, _ := url.Parse(l.Href)
				next = u.RequestURI()
			}
		}
	}
	if len(paged) != all.NumberMatched {
		t.Fatalf("paged %d features, total %d", len(paged), all.NumberMatched)
	}
	for i, f := range all.Features {
		if paged[i] != f.ID {
			t.Fatalf("order differs at %d: %s vs %s", i, paged[i], f.ID)
		}
	}
}

// TestPageBeyondTheEnd checks pages that start past the last feature, up to
// the largest offset an int holds (where offset+limit would overflow): an
// empty page that still counts every match and links back to the last one.
func TestPageBeyondTheEnd(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	for _, base := range []string{"/geojson/partnerships?country=DE&", "/ogc/collections/partnerships/items?country=DE&"} {
		var all struct {
			NumberMatched int `json:"numberMatched"`
		}
		getJSON(t, srv, base+"limit=1", &all)
		if all.NumberMatched == 0 {
			t.Fatalf("%s: no match to page through", base)
		}
		for _, off := range []string{strconv.Itoa(all.NumberMatched), "9223372036854775807"} {
			var page struct {
				NumberMatched  int                    `json:"numberMatched"`
				NumberReturned int                    `json:"numberReturned"`
				Features       []any                  `json:"features"`
				Links          []struct{ Rel string } `json:"links"`
			}
			getJSON(t, srv, base+"limit=1000&offset="+off, &page)
			if page.NumberMatched != all.NumberMatched || page.NumberReturned != 0 || len(page.Features) != 0 {
				t.Errorf("%soffset=%s: matched %d returned %d (%d features), want %d, 0", base, off, page.NumberMatched, page.NumberReturned, len(page.Features), all.NumberMatched)
			}
			if !slices.ContainsFunc(page.Links, func(l struct{ Rel string }) bool { return l.Rel == "prev" }) {
				t.Errorf("%soffset=%s: no prev link", base, off)
			}
			if slices.ContainsFunc(page.Links, func(l struct{ Rel string }) bool { return l.Rel == "next" }) {
				t.Errorf("%soffset=%s: a next link past the end", base, off)
			}
		}
	}
}

func TestAntimeridianArcs(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var fc struct {
		Features []*geojson.Feature `json:"features"`
	}
	// Every partnership from France to Oceania or the Pacific side of the Americas.
	getJSON(t, srv, "/geojson/partnerships?limit=10000&bbox=-180,-60,-150,70", &fc)
	split := 0
	for _, f := range fc.Features {
		ml, ok := f.Geometry.(orb.MultiLineString)
		if !ok {
			continue
		}
		split++
		for i, part := range ml {
			if len(part) < 2 {
				t.Fatalf("%v: degenerate part", f.ID)
			}
			for _, p := range part {
				if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					t.Fatalf("%v: point %v out of range", f.ID, p)
				}
			}
			if i > 0 {
				end, start := ml[i-1][len(ml[i-1])-1], part[0]
				if math.Abs(end[0]) != 180 || start[0] != -end[0] || start[1] != end[1] {
					t.Fatalf("%v: parts meet at %v / %v", f.ID, end, start)
				}
			}
		}
	}
	if split == 0 {
		t.Fatal("no arc crosses the antimeridian")
	}
}

func TestTileJSONCarriesFilter(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var doc struct {
		TileJSON     string   `json:"tilejson"`
		Tiles        []string `json:"tiles"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	getJSON(t, srv, "/tiles/partnerships,partners.json?theme=tourisme&country=MA", &doc)
	if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 {
		t.Fatalf("doc %+v", doc)
	}
	if !strings.HasSuffix(doc.Tiles[0], "/tiles/partnerships,partners/{z}/{x}/{y}.mvt?country=MA&theme=tourisme") {
		t.Fatalf("tiles URL %q", doc.Tiles[0])
	}
	ids := []string{doc.VectorLayers[0].ID, doc.VectorLayers[1].ID}
	if !slices.Equal(ids, []string{"partnerships", "partners"}) || doc.VectorLayers[0].Fields["start_year"] != "Number" {
		t.Fatalf("vector_layers %+v", doc.VectorLayers)
	}
}

func TestPartnershipDetail(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, srv, "/geojson/partnerships?kind=cooperation&theme=sante&limit=1", &fc)
	if len(fc.Features) != 1 {
		t.Fatal("no cooperation on health")
	}
	var p struct {
		ID        string   `json:"id"`
		Themes    []string `json:"themes"`
		Authority struct {
			ID string `json:"id"`
		} `json:"authority"`
		Projects []struct {
			Themes []string `json:"themes"`
		} `json:"projects"`
	}
	getJSON(t, srv, "/api/partnerships/"+fc.Features[0].ID, &p)
	if p.ID != fc.Features[0].ID || p.Authority.ID != fc.Features[0].Properties["authority_id"] || len(p.Projects) == 0 {
		t.Fatalf("detail %+v", p)
	}
	union := map[string]bool{}
	for _, pr := range p.Projects {
		for _, th := range pr.Themes {
			union[th] = true
		}
	}
	if len(union) != len(p.Themes) || !union["sante"] {
		t.Fatalf("themes %v, projects' themes %v", p.Themes, union)
	}
}

// /readyz reports the memory budget and what each cache holds of it, once
// tiles have been drawn.
func TestReadyReportsTheMemoryBudget(t *testing.T) {
	h := atlastest.Handler(t, 1<<20)
	for _, p := range []string{"/tiles/partnerships/4/8/5.mvt?country=JP", "/tiles/partnerships/4/8/5.mvt?country=JP", "/tiles/partnerships/4/8/5.mvt"} {
		if rec := get(t, h, p); rec.Code != 200 {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
	}
	var out struct {
		Status string
		Memory struct {
			Budget, Used, Pinned int64
			Caches               []struct {
				Name                         string
				Bytes, Entries, Hits, Misses int64
			}
		}
	}
	getJSON(t, h, "/readyz", &out)
	m := out.Memory
	if out.Status != "ready" || m.Budget <= 0 || m.Used <= 0 || m.Pinned <= 0 || m.Pinned > m.Used {
		t.Fatalf("readyz: %+v", out)
	}
	got := map[string]bool{}
	var sum int64
	for _, c := range m.Caches {
		got[c.Name] = true
		sum += c.Bytes
	}
	for _, want := range []string{"tiles", "tile-structures", "selections"} {
		if !got[want] {
			t.Errorf("no cache %q in %+v", want, m.Caches)
		}
	}
	if sum != m.Used {
		t.Errorf("the caches hold %d bytes, the budget says %d", sum, m.Used)
	}
}

// What the standard library would drop in silence is rejected, naming the
// parameter: a bad % escape (country=JP% answered every country), a
// semicolon, too many parameters, a NUL byte; a country page or print format
// the atlas does not have is 404; a static Range past the end gets a
// problem body.
func TestMalformedRequests(t *testing.T) {
	h := atlastest.Handler(t, 0)
	many := strings.Repeat("a=1&", 10001) + "country=JP"
	for _, c := range []struct {
		path  string
		code  int
		param string
	}{
		{"/geojson/partners?country=JP%", 400, "country"},
		{"/geojson/partners?limit=1&country=JP%2", 400, "country"},
		{"/geojson/partners?country=JP;kind=jumelage", 400, "country"},
		{"/geojson/partners?" + many, 400, ""},
		{"/geojson/partners?partner_id=a%00b", 400, "partner_id"},
		{"/api/partnerships/a%00b", 400, ""},
		{"/tiles/partnerships/2/2/1.mvt?country=J%00P", 400, "country"},
		{"/atlas/ZZ", 404, ""},
		{"/atlas/JP.gif", 404, ""},
	} {
		rec := get(t, h, c.path)
		var p problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != c.code || p.Param != c.param ||
			rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %.60s: %d param %q (%s), want %d naming %q", c.path, rec.Code, p.Param, rec.Body, c.code, c.param)
		}
	}
	for _, ok := range []string{"/atlas/JP", "/atlas/bj", "/geojson/partners?limit=1&country=JP%2CBJ"} {
		if rec := get(t, h, ok); rec.Code != 200 {
			t.Errorf("GET %s: %d", ok, rec.Code)
		}
	}
	if rec := get(t, h, "/atlas/ZZ", "Accept", "text/html,application/xhtml+xml"); rec.Code != 404 ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "country-title") {
		t.Errorf("a browser asking for an unknown country page: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	rec := get(t, h, "/", "Range", "bytes=99999999-")
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 416 || p.Param != "Range" {
		t.Errorf("a Range past the end: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, h, "/", "Range", "bytes=0-9"); rec.Code != 206 || rec.Body.Len() != 10 {
		t.Errorf("a Range in the file: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}
