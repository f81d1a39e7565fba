package httpapi_test

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
)

// The statistics' CSV with lang=fr is the French spreadsheet's: a BOM, ';'
// between fields, French headers, the same rows as the JSON answer; lang=fr
// without format=csv is refused, naming the parameter.
func TestStatsFrenchCSV(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var st statsTable
	getJSON(t, srv, "/api/stats?by=theme&unit=projects&country=SN", &st)
	rec := get(t, srv, "/api/stats?by=theme&unit=projects&country=SN&format=csv&lang=fr")
	if rec.Code != 200 {
		t.Fatalf("French CSV: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("no BOM: %.20q", body)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ";"); got != "Thématique;Libellé;Projets" {
		t.Errorf("French header %q", got)
	}
	if len(rows)-1 != len(st.Groups) || len(st.Groups) == 0 {
		t.Fatalf("%d CSV rows for %d groups", len(rows)-1, len(st.Groups))
	}
	for i, g := range st.Groups {
		if n, _ := strconv.Atoi(rows[i+1][2]); rows[i+1][0] != g.Key || rows[i+1][1] != g.Label || n != g.Count {
			t.Errorf("row %d = %v, JSON group %+v", i, rows[i+1], g)
		}
	}
	if en := get(t, srv, "/api/stats?by=theme&unit=projects&country=SN&format=csv").Body.String(); !strings.HasPrefix(en, "theme,label,projects\n") {
		t.Errorf("English CSV changed: %.40q", en)
	}
	rec = get(t, srv, "/api/stats?by=theme&lang=fr")
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 400 || p.Param != "lang" {
		t.Errorf("lang=fr without format=csv: %d %s", rec.Code, rec.Body)
	}
}
