package httpapi_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// statsTable is an /api/stats answer.
type statsTable struct {
	Total  int `json:"total"`
	Groups []struct {
		Key   string `json:"key"`
		Label string `json:"label"`
		Count int    `json:"count"`
	} `json:"groups"`
}

func (st statsTable) count(key string) int {
	for _, g := range st.Groups {
		if g.Key == key {
			return g.Count
		}
	}
	return 0
}

// TestRealShareAcrossEndpoints checks the real share and the sources of the
// real rows: the provenance and source tables agree with the GeoJSON layer,
// the partnership API, the CSV export and the tiles.
func TestRealShareAcrossEndpoints(t *testing.T) {
	srv := atlastest.Handler(t, 64<<20)
	var prov statsTable
	getJSON(t, srv, "/api/stats?by=provenance&unit=partnerships", &prov)
	real, synthetic := prov.count("real"), prov.count("synthetic")
	if real+synthetic != prov.Total || prov.Total != 11600 || len(prov.Groups) != 2 {
		t.Fatalf("by provenance: %+v", prov)
	}
	// The merged lists make more of the atlas real than the first list's
	// 3,439 rows (see geodata/PROVENANCE.md for the figure and why).
	if real < 5000 || real > 5800 {
		t.Errorf("%d real partnerships, want 5,000–5,800", real)
	}

	var fc struct {
		NumberMatched int                `json:"numberMatched"`
		Features      []*geojson.Feature `json:"features"`
	}
	getJSON(t, srv, "/geojson/partnerships?limit=10000&provenance=real", &fc)
	if fc.NumberMatched != real || len(fc.Features) != real {
		t.Fatalf("GeoJSON: %d real (%d features), stats %d", fc.NumberMatched, len(fc.Features), real)
	}
	perSource := map[string]int{}
	sourcesOf := map[string][]string{}
	var merged string // a row documented by more than one list
	for _, f := range fc.Features {
		raw, _ := f.Properties["sources"].([]any)
		if len(raw) == 0 {
			t.Fatalf("real partnership %v has no sources", f.ID)
		}
		var ss []string
		for _, s := range raw {
			ss = append(ss, s.(string))
			perSource[s.(string)]++
		}
		sourcesOf[f.ID.(string)] = ss
		if len(ss) > 1 && merged == "" {
			merged = f.ID.(string)
		}
	}
	var bySource statsTable
	getJSON(t, srv, "/api/stats?by=source&unit=partnerships", &bySource)
	if bySource.Total != 11600 || bySource.count("") != synthetic {
		t.Errorf("by source: total %d, without source %d, want 11600 and %d", bySource.Total, bySource.count(""), synthetic)
	}
	for _, src := range atlas.Sources() {
		if perSource[src] == 0 || bySource.count(src) != perSource[src] {
			t.Errorf("source %s: stats %d, GeoJSON %d", src, bySource.count(src), perSource[src])
		}
	}

	// The synthetic rows carry none.
	getJSON(t, srv, "/geojson/partnerships?limit=50&provenance=synthetic", &fc)
	for _, f := range fc.Features {
		if _, ok := f.Properties["sources"]; ok {
			t.Fatalf("synthetic %v has sources %v", f.ID, f.Properties["sources"])
		}
	}

	// The partnership API.
	if merged == "" {
		t.Fatal("no real row documented by two lists")
	}
	var one struct {
		Sources []string `json:"sources"`
	}
	getJSON(t, srv, "/api/partnerships/"+merged, &one)
	if !slices.Equal(one.Sources, sourcesOf[merged]) {
		t.Errorf("/api/partnerships/%s: sources %v, GeoJSON %v", merged, one.Sources, sourcesOf[merged])
	}

	// The CSV export of the Italian partnerships: a sources column.
	rec := get(t, srv, "/export/partnerships.csv?country=IT&provenance=real")
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "sources")
	if col < 0 || len(rows) < 100 {
		t.Fatalf("CSV header %v, %d rows", rows[0], len(rows))
	}
	it := 0
	for _, r := range rows[1:] {
		if want := strings.Join(sourcesOf[r[0]], "|"); r[col] != want {
			t.Fatalf("CSV %s: sources %q, GeoJSON %q", r[0], r[col], want)
		}
		if strings.Contains(r[col], atlas.SourceWikipediaIT) {
			it++
		}
	}
	if it == 0 {
		t.Error("no Italian partnership from Italian Wikipedia")
	}

	// A tile far enough in to draw single arcs: the same sources, |-joined.
	tl := maptile.At([2]float64{2.35, 48.86}, 9) // Paris
	path := "/tiles/partnerships/9/" + itoa(int(tl.X)) + "/" + itoa(int(tl.Y)) + ".mvt?provenance=real&country=IT"
	tile := get(t, srv, path)
	if tile.Code != 200 {
		t.Fatalf("GET %s = %d", path, tile.Code)
	}
	n := 0
	for _, l := range decodeTile(t, tile.Body.Bytes(), tl) {
		for _, f := range l.Features {
			id, _ := f.Properties["id"].(string)
			if id == "" {
				continue
			}
			if got, want := f.Properties["sources"], strings.Join(sourcesOf[id], "|"); got != want {
				t.Fatalf("tile arc %s: sources %v, GeoJSON %q", id, got, want)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("%s draws no single arc", path)
	}
}
