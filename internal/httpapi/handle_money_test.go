package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// moneyFixture is the embedded dataset with a few sectors, declarations,
// calls and applications whose sums are known, built once.
type moneyFixture struct {
	snap    *index.Snapshot
	a, b, c atlas.Authority // a région, a commune, a département
}

func moneyData(t *testing.T) *moneyFixture {
	t.Helper()
	ds := *atlastest.Snapshot(t).Dataset() // the slices are shared, read only; the money ones are replaced below
	fx := &moneyFixture{}
	for _, a := range ds.Authorities {
		switch {
		case a.Type == atlas.Region && fx.a.ID == "":
			fx.a = a
		case a.Type == atlas.Commune && fx.b.ID == "":
			fx.b = a
		case a.Type == atlas.Departement && fx.c.ID == "" && a.Departement != "":
			fx.c = a
		}
	}
	ds.Sectors = []atlas.Sector{
		{Code: "12220", Category: "122", NameFR: "Soins et services de santé de base", CategoryFR: "Santé de base"},
		{Code: "14010", Category: "140", NameFR: "Politique de l'eau", CategoryFR: "Distribution d'eau et assainissement"},
		{Code: "14030", Category: "140", NameFR: "Eau potable de base", CategoryFR: "Distribution d'eau et assainissement"},
		{Code: "15150", Category: "151", NameFR: "Participation démocratique", CategoryFR: "Gouvernement et société civile"},
		{Code: "93010", Category: "930", NameFR: "Réfugiés dans les pays donneurs", CategoryFR: "Réfugiés dans les pays donneurs"},
	}
	l := func(amount int64, country, sector string, ch atlas.Channel) atlas.APDLine {
		return atlas.APDLine{AmountEUR: amount, Country: country, Sector: sector, Channel: ch}
	}
	refugees := l(300, "", "93010", atlas.ChannelAssociation)
	refugees.Refugees = true
	ds.APD = []atlas.APDDeclaration{
		{AuthorityID: fx.a.ID, Year: 2018, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Synthetic,
			Lines: []atlas.APDLine{l(1000, "SN", "14030", atlas.ChannelDirect), l(500, "BJ", "12220", atlas.ChannelAssociation)}},
		{AuthorityID: fx.a.ID, Year: 2019, Status: atlas.APDDraft, Version: 1, Provenance: atlas.Declared,
			Lines: []atlas.APDLine{l(99999, "SN", "14030", atlas.ChannelDirect)}},
		{AuthorityID: fx.a.ID, Year: 2020, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Synthetic,
			Lines: []atlas.APDLine{l(7777, "SN", "14010", atlas.ChannelDirect)}},
		{AuthorityID: fx.a.ID, Year: 2020, Status: atlas.APDAmended, Version: 2, Provenance: atlas.Synthetic,
			Lines: []atlas.APDLine{l(2000, "SN", "14010", atlas.ChannelDirect), refugees}},
		{AuthorityID: fx.b.ID, Year: 2016, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Declared,
			Lines: []atlas.APDLine{l(400, "ML", "15150", atlas.ChannelMultilateral), l(100, "", "15150", atlas.ChannelDirect)}},
		{AuthorityID: fx.c.ID, Year: 2018, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Synthetic,
			Lines: []atlas.APDLine{l(250, "SN", "14030", atlas.ChannelCollectivite)}},
		{AuthorityID: fx.c.ID, Year: 2021, Status: atlas.APDDraft, Version: 1, Provenance: atlas.Declared,
			Lines: []atlas.APDLine{l(5000, "SN", "14030", atlas.ChannelDirect)}},
	}
	ds.Calls = []atlas.Call{
		{ID: "AAP-1", Title: "Appel annuel eau", Kind: atlas.CallAnnual, Themes: []string{"eau-assainissement"}, Opens: "2000-01-01", Closes: "2099-12-31", BudgetEUR: 100000, Provenance: atlas.Synthetic},
		{ID: "AAP-2", Title: "Appel bilatéral Sénégal", Kind: atlas.CallBilateral, Countries: []string{"SN"}, Opens: "2020-01-01", Closes: "2020-03-31", BudgetEUR: 50000, Provenance: atlas.Synthetic},
	}
	app := func(id, call string, a atlas.Authority, country string, req, granted int64, st atlas.ApplicationStatus, participants int) atlas.Application {
		return atlas.Application{ID: id, CallID: call, AuthorityID: a.ID, Title: "Projet " + id, Country: country, RequestedEUR: req,
			GrantedEUR: granted, Participants: participants, Status: st, Deposited: "2020-01-15", Provenance: atlas.Synthetic}
	}
	ds.Applications = []atlas.Application{
		app("C-1", "AAP-1", fx.a, "SN", 10000, 8000, atlas.AppLaureate, 5),
		app("C-2", "AAP-1", fx.b, "ML", 5000, 0, atlas.AppRefused, 0),
		app("C-3", "AAP-1", fx.c, "BJ", 3000, 0, atlas.AppDeposited, 0),
		app("C-4", "AAP-2", fx.a, "SN", 2000, 1500, atlas.AppLaureate, 0),
	}
	snap, err := index.New(&ds)
	if err != nil {
		t.Fatal(err)
	}
	fx.snap = snap
	return fx
}

type apdAmounts struct {
	AmountEUR    int64 `json:"amount_eur"`
	RefugeesEUR  int64 `json:"refugees_eur"`
	Lines        int   `json:"lines"`
	Authorities  int   `json:"authorities"`
	SyntheticEUR int64 `json:"synthetic_eur"`
}

type apdTable struct {
	Unit   string         `json:"unit"`
	By     string         `json:"by"`
	Filter map[string]any `json:"filter"`
	Total  apdAmounts     `json:"total"`
	Groups []struct {
		Key   string `json:"key"`
		Label string `json:"label"`
		apdAmounts
	} `json:"groups"`
}

func TestAPDTables(t *testing.T) {
	fx := moneyData(t)
	h := atlastest.HandlerOn(t, fx.snap, 0)
	var byYear apdTable
	getJSON(t, h, "/api/apd?by=year", &byYear)
	want := apdAmounts{AmountEUR: 4550, RefugeesEUR: 300, Lines: 7, Authorities: 3, SyntheticEUR: 4050}
	if byYear.Unit != "eur" || byYear.By != "year" || byYear.Total != want {
		t.Fatalf("by year: unit %q by %q total %+v, want %+v (drafts and superseded versions left out)", byYear.Unit, byYear.By, byYear.Total, want)
	}
	years := map[string]int64{"2016": 500, "2017": 0, "2018": 1750, "2019": 0, "2020": 2300}
	var keys []string
	var sum int64
	var lines int
	for _, g := range byYear.Groups {
		keys = append(keys, g.Key)
		sum += g.AmountEUR
		lines += g.Lines
		if g.AmountEUR != years[g.Key] {
			t.Errorf("year %s: %d €, want %d", g.Key, g.AmountEUR, years[g.Key])
		}
	}
	if strings.Join(keys, ",") != "2016,2017,2018,2019,2020" || sum != want.AmountEUR || lines != want.Lines {
		t.Errorf("years %v, sum %d, lines %d: want every year 2016–2020 in order, summing to the total", keys, sum, lines)
	}

	var byCountry apdTable
	getJSON(t, h, "/api/apd?by=country", &byCountry)
	countries := map[string]int64{"SN": 3250, "BJ": 500, "ML": 400, atlas.Unallocated: 400}
	sum = 0
	for i, g := range byCountry.Groups {
		sum += g.AmountEUR
		if g.AmountEUR != countries[g.Key] {
			t.Errorf("country %s: %d €, want %d", g.Key, g.AmountEUR, countries[g.Key])
		}
		if i > 0 && g.AmountEUR > byCountry.Groups[i-1].AmountEUR {
			t.Errorf("by country not by amount, largest first: %s after %s", g.Key, byCountry.Groups[i-1].Key)
		}
		if g.Key == atlas.Unallocated && g.Label != atlas.UnallocatedLabel || g.Key == "SN" && g.Label != "Sénégal" {
			t.Errorf("country %s labelled %q", g.Key, g.Label)
		}
	}
	if sum != byCountry.Total.AmountEUR || byCountry.Total != want || len(byCountry.Groups) != 4 {
		t.Errorf("by country: groups sum to %d, total %+v, %d groups", sum, byCountry.Total, len(byCountry.Groups))
	}

	for _, c := range []struct {
		query string
		want  apdAmounts
	}{
		{"by=sector&sector=140", apdAmounts{AmountEUR: 3250, Lines: 3, Authorities: 2, SyntheticEUR: 3250}},
		{"by=sector_code&sector=14030,12220", apdAmounts{AmountEUR: 1750, Lines: 3, Authorities: 2, SyntheticEUR: 1750}},
		{"by=channel&channel=direct", apdAmounts{AmountEUR: 3100, Lines: 3, Authorities: 2, SyntheticEUR: 3000}},
		{"by=type&type=commune", apdAmounts{AmountEUR: 500, Lines: 2, Authorities: 1}},
		{"by=authority&authority=" + url.QueryEscape(fx.a.ID), apdAmounts{AmountEUR: 3800, RefugeesEUR: 300, Lines: 4, Authorities: 1, SyntheticEUR: 3800}},
		{"by=region&refugees=true", apdAmounts{AmountEUR: 300, RefugeesEUR: 300, Lines: 1, Authorities: 1, SyntheticEUR: 300}},
		{"by=departement&refugees=false&provenance=declared", apdAmounts{AmountEUR: 500, Lines: 2, Authorities: 1}},
		{"by=country&country=SN,multi&year=2018,2020", apdAmounts{AmountEUR: 3550, RefugeesEUR: 300, Lines: 4, Authorities: 2, SyntheticEUR: 3550}},
		{"by=year&since=2017&until=2019", apdAmounts{AmountEUR: 1750, Lines: 3, Authorities: 2, SyntheticEUR: 1750}},
		{"by=sector&theme=eau-assainissement", apdAmounts{AmountEUR: 3250, Lines: 3, Authorities: 2, SyntheticEUR: 3250}},
		{"by=year&year=2019", apdAmounts{}},
		{"by=year&year=2021", apdAmounts{}}, // a draft only
	} {
		var tb apdTable
		getJSON(t, h, "/api/apd?"+c.query, &tb)
		sum := int64(0)
		for _, g := range tb.Groups {
			sum += g.AmountEUR
		}
		if tb.Total != c.want || sum != c.want.AmountEUR {
			t.Errorf("/api/apd?%s: total %+v (groups sum %d), want %+v", c.query, tb.Total, sum, c.want)
		}
	}
	var sp apdTable
	getJSON(t, h, "/api/apd?by=sector&sector=140", &sp)
	if len(sp.Groups) != 1 || sp.Groups[0].Label != "Distribution d'eau et assainissement" {
		t.Errorf("by sector: %+v", sp.Groups)
	}

	// The countries layer's apd_eur is the APD received, as by=country.
	for _, q := range []string{"", "&since=2018&until=2019"} {
		var tb apdTable
		getJSON(t, h, "/api/apd?by=country"+q, &tb)
		var fc struct {
			Features []struct {
				ID         string         `json:"id"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		getJSON(t, h, "/geojson/countries?limit=10000"+q, &fc)
		got := map[string]int64{}
		for _, f := range fc.Features {
			v, ok := f.Properties["apd_eur"].(float64)
			if !ok {
				t.Fatalf("country %s has no apd_eur: %v", f.ID, f.Properties)
			}
			if v != 0 {
				got[f.ID] = int64(v)
			}
		}
		for _, g := range tb.Groups {
			if g.Key != atlas.Unallocated && got[g.Key] != g.AmountEUR {
				t.Errorf("%s: countries layer apd_eur of %s = %d, /api/apd by country %d", q, g.Key, got[g.Key], g.AmountEUR)
			}
			delete(got, g.Key)
		}
		for k, v := range got {
			t.Errorf("%s: countries layer gives %s %d € that /api/apd does not", q, k, v)
		}
	}
	var auth struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	getJSON(t, h, "/geojson/authorities?limit=10000&authority="+url.QueryEscape(fx.a.ID), &auth)
	if len(auth.Features) != 1 || auth.Features[0].Properties["apd_eur"] != float64(3800) {
		t.Errorf("authorities layer of %s: %+v, want apd_eur 3800", fx.a.ID, auth.Features)
	}
}

func TestAPDCSV(t *testing.T) {
	fx := moneyData(t)
	h := atlastest.HandlerOn(t, fx.snap, 0)
	rec := get(t, h, "/api/apd?by=country&format=csv")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "country,label,amount_eur,refugees_eur,lines,authorities,synthetic_eur" {
		t.Errorf("header %s", got)
	}
	if len(rows) != 5 || rows[1][0] != "SN" || rows[1][2] != "3250" {
		t.Errorf("rows %v", rows)
	}
	rec = get(t, h, "/api/apd?by=year&format=csv&lang=fr")
	b := rec.Body.Bytes()
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("French CSV without a BOM: %q", b[:min(20, len(b))])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	rows, err = r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "Année" || rows[0][2] != "Montant (€)" || len(rows) != 6 || rows[3][0] != "2018" || rows[3][2] != "1750" {
		t.Errorf("French CSV %v", rows)
	}
	rec = get(t, h, "/api/calls/AAP-1/applications?format=csv")
	rows, err = csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "id" || rows[1][0] != "C-1" || rows[1][10] != "8000" {
		t.Errorf("applications CSV %v %v", rows, err)
	}
}

func TestMoneyErrors(t *testing.T) {
	fx := moneyData(t)
	h := atlastest.HandlerOn(t, fx.snap, 0)
	for path, param := range map[string]string{
		"/api/apd?by=planet":             "by",
		"/api/apd?year=19":               "year",
		"/api/apd?sector=99999":          "sector",
		"/api/apd?sector=14":             "sector",
		"/api/apd?channel=post":          "channel",
		"/api/apd?refugees=maybe":        "refugees",
		"/api/apd?provenance=real":       "provenance",
		"/api/apd?country=ZZ":            "country",
		"/api/apd?theme=nope":            "theme",
		"/api/apd?kind=jumelage":         "kind",
		"/api/apd?format=xml":            "format",
		"/api/apd?format=csv&lang=de":    "lang",
		"/api/apd?since=2020&until=2010": "since",
		"/api/calls?status=soon":         "status",
		"/api/calls?kind=nope":           "kind",
		"/api/calls?year=x":              "year",
		"/api/apd/sectors?x=1":           "x",
	} {
		rec := get(t, h, path)
		var p struct {
			Status int    `json:"status"`
			Param  string `json:"param"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusBadRequest || p.Param != param ||
			rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s = %d %s, want 400 naming %q", path, rec.Code, rec.Body, param)
		}
	}
	for _, path := range []string{"/api/calls/NOPE", "/api/calls/NOPE/applications"} {
		if rec := get(t, h, path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, rec.Code)
		}
	}
}

func TestCalls(t *testing.T) {
	fx := moneyData(t)
	h := atlastest.HandlerOn(t, fx.snap, 0)
	type counts struct {
		Applications int   `json:"applications"`
		Laureates    int   `json:"laureates"`
		RequestedEUR int64 `json:"requested_eur"`
		GrantedEUR   int64 `json:"granted_eur"`
		Participants int   `json:"participants"`
		Countries    int   `json:"countries"`
	}
	type call struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Counts counts `json:"counts"`
	}
	var list struct {
		Total int    `json:"total"`
		Calls []call `json:"calls"`
	}
	getJSON(t, h, "/api/calls", &list)
	if list.Total != 2 || len(list.Calls) != 2 || list.Calls[0].ID != "AAP-1" || list.Calls[0].Status != "open" || list.Calls[1].Status != "closed" {
		t.Fatalf("calls %+v", list)
	}
	if want := (counts{3, 1, 18000, 8000, 5, 3}); list.Calls[0].Counts != want {
		t.Errorf("AAP-1 counts %+v, want %+v", list.Calls[0].Counts, want)
	}
	for q, want := range map[string]string{"status=open": "AAP-1", "status=closed": "AAP-2", "kind=bilateral": "AAP-2",
		"country=SN": "AAP-1,AAP-2", "country=ML": "AAP-1", "theme=sante": "AAP-2", "year=2020": "AAP-1,AAP-2", "year=1990": ""} {
		getJSON(t, h, "/api/calls?"+q, &list)
		var ids []string
		for _, c := range list.Calls {
			ids = append(ids, c.ID)
		}
		if strings.Join(ids, ",") != want {
			t.Errorf("/api/calls?%s = %v, want %s", q, ids, want)
		}
	}
	var d struct {
		call
		Laureates []struct {
			ID            string `json:"id"`
			AuthorityName string `json:"authority_name"`
			Title         string `json:"title"`
			CountryName   string `json:"country_name"`
			GrantedEUR    int64  `json:"granted_eur"`
			Participants  int    `json:"participants"`
		} `json:"laureates"`
	}
	getJSON(t, h, "/api/calls/AAP-1", &d)
	if len(d.Laureates) != 1 || d.Laureates[0].ID != "C-1" || d.Laureates[0].AuthorityName != fx.a.Name || d.Laureates[0].CountryName != "Sénégal" ||
		d.Laureates[0].GrantedEUR != 8000 || d.Laureates[0].Participants != 5 || d.Counts.Applications != 3 {
		t.Errorf("call detail %+v", d)
	}
	var apps struct {
		Total        int `json:"total"`
		Applications []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"applications"`
	}
	getJSON(t, h, "/api/calls/AAP-1/applications", &apps)
	if apps.Total != 3 || len(apps.Applications) != 3 || apps.Applications[1].Status != "refusee" {
		t.Errorf("applications %+v", apps)
	}
}

// TestMoneyMatchesOpenAPI validates the money answers against the OpenAPI
// document, and their conditional requests.
func TestMoneyMatchesOpenAPI(t *testing.T) {
	fx := moneyData(t)
	h := atlastest.HandlerOn(t, fx.snap, 0)
	v := openAPIValidator(t, h)
	for _, p := range []string{"/api/apd", "/api/apd?by=country&country=SN", "/api/apd/sectors", "/api/calls", "/api/calls/AAP-1",
		"/api/calls/AAP-1/applications", "/api/apd?by=nope", "/api/calls/NOPE"} {
		rec := get(t, h, p)
		checkResponse(t, v, p, rec)
		if tag := rec.Header().Get("ETag"); rec.Code == 200 {
			if tag == "" || rec.Header().Get("Cache-Control") == "" {
				t.Errorf("GET %s: ETag %q Cache-Control %q", p, tag, rec.Header().Get("Cache-Control"))
			} else if r2 := get(t, h, p, "If-None-Match", tag); r2.Code != http.StatusNotModified {
				t.Errorf("GET %s with its ETag = %d", p, r2.Code)
			}
		}
	}
	// Empty money data: every answer is well formed.
	e := atlastest.Handler(t, 0)
	for _, p := range []string{"/api/apd", "/api/apd?by=country", "/api/apd/sectors", "/api/calls"} {
		rec := get(t, e, p)
		if rec.Code != 200 {
			t.Errorf("empty data: GET %s = %d %s", p, rec.Code, rec.Body)
		}
		checkResponse(t, v, p, rec)
	}
}

func TestOGCMoneyCollections(t *testing.T) {
	fx := moneyData(t)
	h := atlastest.HandlerOn(t, fx.snap, 0)
	v := openAPIValidator(t, h)
	var cs struct {
		Collections []struct{ ID string } `json:"collections"`
	}
	getJSON(t, h, "/ogc/collections", &cs)
	var ids []string
	for _, c := range cs.Collections {
		ids = append(ids, c.ID)
	}
	if !strings.HasSuffix(strings.Join(ids, ","), ",apd,calls") {
		t.Errorf("collections %v", ids)
	}
	var tb apdTable
	getJSON(t, h, "/api/apd?by=country&since=2018", &tb)
	type fc struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			ID         string         `json:"id"`
			Geometry   map[string]any `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	var items fc
	getJSON(t, h, "/ogc/collections/apd/items?since=2018", &items)
	want := map[string]int64{}
	for _, g := range tb.Groups {
		if g.Key != atlas.Unallocated {
			want[g.Key] = g.AmountEUR
		}
	}
	if items.NumberMatched != len(want) || len(items.Features) != len(want) {
		t.Fatalf("apd items: %d matched, %d features, want %d", items.NumberMatched, len(items.Features), len(want))
	}
	for _, f := range items.Features {
		if f.Properties["apd_eur"] != float64(want[f.ID]) || f.Geometry["type"] != "Point" {
			t.Errorf("apd item %s: %v %v, want %d €", f.ID, f.Geometry, f.Properties, want[f.ID])
		}
	}
	getJSON(t, h, "/ogc/collections/calls/items?limit=1", &items)
	if items.NumberMatched != 2 || len(items.Features) != 1 || items.Features[0].Geometry != nil || items.Features[0].Properties["applications"] != float64(3) {
		t.Errorf("calls items %+v", items)
	}
	for path, code := range map[string]int{
		"/ogc/collections/apd": 200, "/ogc/collections/calls?f=html": 200, "/ogc/collections/apd/queryables": 200,
		"/ogc/collections/apd/items/SN": 200, "/ogc/collections/calls/items/AAP-2": 200, "/ogc/collections/calls/items/NOPE": 404,
		"/ogc/collections/apd/items?f=html": 200, "/ogc/collections/apd/tiles": 404,
		"/ogc/collections/apd/items?filter=" + url.QueryEscape("apd_eur > 1"): 400, "/ogc/collections/calls/items?since=2000": 400,
	} {
		rec := get(t, h, path)
		if rec.Code != code {
			t.Errorf("GET %s = %d, want %d: %s", path, rec.Code, code, rec.Body)
		}
		if !strings.Contains(path, "html") {
			checkResponse(t, v, path, rec)
		}
	}
}
