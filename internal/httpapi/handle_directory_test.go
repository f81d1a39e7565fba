package httpapi_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
)

// The directory's answers agree with the map's: a country's collectivités
// are the authorities layer under the same filter, its CSV has a row for
// each, and every answer matches the OpenAPI document.
func TestDirectoryRoutes(t *testing.T) {
	h := atlastest.Handler(t, 16<<20)
	v := openAPIValidator(t, h)
	for _, p := range []string{"/api/authorities/69123", "/api/partners/3186084", "/api/countries/DE/authorities",
		"/api/countries/BJ/authorities?theme=eau-assainissement", "/api/analyses/priority-countries",
		"/api/analyses/coordination?limit=3", "/api/authorities/NOPE", "/api/analyses/coordination?radius=0"} {
		rec := get(t, h, p)
		if rec.Code >= 500 {
			t.Errorf("GET %s = %d", p, rec.Code)
		}
		checkResponse(t, v, p, rec)
	}

	for _, filter := range []string{"", "&theme=culture-patrimoine", "&kind=jumelage&type=commune"} {
		var who struct {
			Authorities  int `json:"authorities"`
			Partnerships int `json:"partnerships"`
		}
		decode(t, get(t, h, "/api/countries/DE/authorities?"+strings.TrimPrefix(filter, "&")), &who)
		var layer struct {
			NumberMatched int `json:"numberMatched"`
		}
		decode(t, get(t, h, "/geojson/authorities?limit=1&country=DE"+filter), &layer)
		var pships struct {
			NumberMatched int `json:"numberMatched"`
		}
		decode(t, get(t, h, "/geojson/partnerships?limit=1&country=DE"+filter), &pships)
		if who.Authorities != layer.NumberMatched || who.Partnerships != pships.NumberMatched || who.Authorities == 0 {
			t.Errorf("DE%s: %d authorities, %d partnerships; the layers have %d, %d", filter, who.Authorities, who.Partnerships, layer.NumberMatched, pships.NumberMatched)
		}
		rec := get(t, h, "/api/countries/DE/authorities?format=csv"+filter)
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("CSV: %v, %s", err, rec.Header().Get("Content-Type"))
		}
		if len(rows)-1 != who.Authorities || rows[0][0] != "type" || rows[0][2] != "name" {
			t.Errorf("DE%s CSV: %d rows for %d authorities, header %q", filter, len(rows)-1, who.Authorities, rows[0])
		}
	}

	// Refusals name what is wrong.
	for p, want := range map[string]int{
		"/api/authorities/NOPE":                     http.StatusNotFound,
		"/api/partners/NOPE":                        http.StatusNotFound,
		"/api/countries/ZZ/authorities":             http.StatusNotFound,
		"/api/countries/FR/authorities":             http.StatusNotFound,
		"/api/countries/JP/authorities?country=DE":  http.StatusBadRequest,
		"/api/analyses/coordination?radius=0":       http.StatusBadRequest,
		"/api/analyses/coordination?radius=nan":     http.StatusBadRequest,
		"/api/analyses/coordination?limit=5000":     http.StatusBadRequest,
		"/api/analyses/priority-countries?format=x": http.StatusBadRequest,
		"/api/authorities/69123?x=1":                http.StatusBadRequest,
	} {
		rec := get(t, h, p)
		var prob struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &prob); rec.Code != want || err != nil || prob.Detail == "" {
			t.Errorf("GET %s = %d %s, want %d with a problem body", p, rec.Code, rec.Body.String(), want)
		}
	}
}

func decode(t *testing.T, rec interface{ Result() *http.Response }, v any) {
	t.Helper()
	res := rec.Result()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// The bourse-projets' public reads on the embedded data (which has no
// request): empty lists, 404 for an unknown request, refusals named, every
// answer as the OpenAPI document says.
func TestBourseReads(t *testing.T) {
	h := atlastest.Handler(t, 16<<20)
	v := openAPIValidator(t, h)
	for p, want := range map[string]int{
		"/api/bourse":                        http.StatusOK,
		"/api/bourse?country=BJ&theme=sante": http.StatusOK,
		"/api/bourse?format=geojson":         http.StatusOK,
		"/api/authorities/69123/bourse":      http.StatusOK,
		"/api/bourse/NOPE":                   http.StatusNotFound,
		"/api/bourse?country=ZZ":             http.StatusBadRequest,
		"/api/bourse?format=kml":             http.StatusBadRequest,
		"/api/bourse?kind=jumelage":          http.StatusBadRequest,
		"/api/authorities/NOPE/bourse":       http.StatusNotFound,
	} {
		rec := get(t, h, p)
		if rec.Code != want {
			t.Errorf("GET %s = %d %s, want %d", p, rec.Code, rec.Body.String(), want)
		}
		checkResponse(t, v, p, rec)
	}
	rec := get(t, h, "/api/bourse?format=geojson")
	if ct := rec.Header().Get("Content-Type"); ct != "application/geo+json" || !strings.Contains(rec.Body.String(), `"features":[]`) {
		t.Errorf("GeoJSON: %s %s", ct, rec.Body.String())
	}
	// Writes need the database.
	if rec := get(t, h, "/api/bourse/BRS-000001/interests"); rec.Code != http.StatusNotImplemented {
		t.Errorf("interests without a database: %d", rec.Code)
	}
}
