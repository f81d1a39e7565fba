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

// A sorted list pages in the same order as the CSV of the same sort: the
// results table's download is exactly what it shows; the next link keeps
// the sort; other layers refuse sortby.
func TestSortedListAndItsCSV(t *testing.T) {
	srv := atlastest.Handler(t, 0)
	var ids []string
	next := "/geojson/partnerships?country=SN&sortby=-start_year&limit=40"
	for next != "" {
		var page struct {
			Features []struct {
				Properties struct {
					ID string `json:"id"`
				} `json:"properties"`
			} `json:"features"`
			Links []struct{ Href, Rel string } `json:"links"`
		}
		getJSON(t, srv, next, &page)
		for _, f := range page.Features {
			ids = append(ids, f.Properties.ID)
		}
		next = ""
		for _, l := range page.Links {
			if l.Rel == "next" {
				if !strings.Contains(l.Href, "sortby=-start_year") {
					t.Fatalf("next link drops the sort: %s", l.Href)
				}
				next = l.Href[strings.Index(l.Href, "/geojson/"):]
			}
		}
	}
	rec := get(t, srv, "/export/partnerships.csv?country=SN&sortby=-start_year&lang=fr")
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != len(ids)+1 {
		t.Fatalf("CSV: %d rows for %d listed, %v", len(rows)-1, len(ids), err)
	}
	for i, id := range ids {
		if rows[i+1][0] != id {
			t.Fatalf("row %d: CSV %s, list %s", i, rows[i+1][0], id)
		}
	}
	// One page of that order (a results table's page): the same rows as
	// /geojson's page, in the same order.
	rec = get(t, srv, "/export/partnerships.csv?country=SN&sortby=-start_year&lang=fr&offset=40&limit=40")
	r = csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff")))
	r.Comma = ';'
	if rows, err = r.ReadAll(); err != nil || len(rows) != min(40, len(ids)-40)+1 {
		t.Fatalf("CSV page 2: %d rows for %d listed, %v", len(rows)-1, len(ids), err)
	}
	for i := range rows[1:] {
		if rows[i+1][0] != ids[40+i] {
			t.Fatalf("page 2 row %d: CSV %s, list %s", i, rows[i+1][0], ids[40+i])
		}
	}
	for _, bad := range []string{"offset=-1", "limit=0", "limit=x"} {
		if rec := get(t, srv, "/export/partnerships.csv?country=SN&"+bad); rec.Code != 400 {
			t.Errorf("export with %s: %d", bad, rec.Code)
		}
	}
	if rec := get(t, srv, "/geojson/partners?sortby=authority"); rec.Code != 400 || !strings.Contains(rec.Body.String(), `"param":"sortby"`) {
		t.Errorf("sortby on partners: %d %s", rec.Code, rec.Body)
	}
}
