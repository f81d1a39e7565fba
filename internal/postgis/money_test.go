package postgis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/postgis"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// day returns the date n days from today (UTC), YYYY-MM-DD.
func day(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

// moneyDataset returns the embedded dataset with a few rows of the money
// side: three sectors, three APD declarations of two collectivités (in
// their load order, then by year), three calls (closed, not yet open,
// open; by id) and an application.
func moneyDataset(tb testing.TB) *atlas.Dataset {
	tb.Helper()
	ds := *embedded(tb)
	ds.Sectors = []atlas.Sector{
		{Code: "14030", Category: "140", NameFR: "Eau potable et assainissement de base", NameEN: "Basic drinking water supply and basic sanitation",
			CategoryFR: "Distribution d'eau et assainissement", CategoryEN: "Water supply and sanitation"},
		{Code: "15110", Category: "151", NameFR: "Politique et gestion administrative du secteur public", NameEN: "Public sector policy and administrative management",
			CategoryFR: "Gouvernement et société civile", CategoryEN: "Government and civil society"},
		{Code: atlas.SectorRefugees, Category: "930", NameFR: "Réfugiés dans les pays donneurs", NameEN: "Refugees in donor countries",
			CategoryFR: "Réfugiés dans les pays donneurs", CategoryEN: "Refugees in donor countries"},
	}
	pos := map[string]int{}
	for i, a := range ds.Authorities {
		pos[a.ID] = i
	}
	first, second := "31555", "69123"
	if pos[first] > pos[second] {
		first, second = second, first
	}
	ds.APD = []atlas.APDDeclaration{
		{AuthorityID: first, Year: 2022, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Synthetic, Lines: []atlas.APDLine{
			{AmountEUR: 12000, Country: "SN", Sector: "14030", Channel: atlas.ChannelDirect},
			{AmountEUR: 3000, Sector: atlas.SectorRefugees, Channel: atlas.ChannelAssociation, Refugees: true},
		}},
		{AuthorityID: first, Year: 2023, Status: atlas.APDAmended, Version: 2, Provenance: atlas.Synthetic, Lines: []atlas.APDLine{
			{AmountEUR: 5000, Country: "ML", Sector: "15110", Channel: atlas.ChannelMultilateral},
		}},
		{AuthorityID: second, Year: 2023, Status: atlas.APDDeclared, Version: 1, Provenance: atlas.Synthetic, Lines: []atlas.APDLine{
			{AmountEUR: 40000, Country: "BJ", Sector: "14030", Channel: atlas.ChannelCollectivite},
		}},
	}
	ds.Calls = []atlas.Call{
		{ID: "AAP-CLOSED", Title: "Appel à projets annuel", Kind: atlas.CallAnnual, Opens: day(-60), Closes: day(-30), BudgetEUR: 1_000_000, Provenance: atlas.Synthetic},
		{ID: "AAP-FUTURE", Title: "Appel bilatéral franco-sénégalais", Kind: atlas.CallBilateral, Countries: []string{"SN"}, Opens: day(30), Closes: day(60),
			BudgetEUR: 500_000, Provenance: atlas.Synthetic},
		{ID: "AAP-OPEN", Title: "Appel thématique eau", Kind: atlas.CallThematique, Themes: []string{"eau-assainissement"}, Opens: day(-10), Closes: day(10),
			BudgetEUR: 2_000_000, Provenance: atlas.Synthetic},
	}
	ds.Applications = []atlas.Application{
		{ID: "CAND-S1", CallID: "AAP-CLOSED", AuthorityID: "31555", Title: "Assainissement à Saint-Louis", Country: "SN", RequestedEUR: 30000,
			GrantedEUR: 20000, Status: atlas.AppLaureate, Deposited: day(-45), Provenance: atlas.Synthetic},
	}
	return &ds
}

// TestMoneyImportAndLoad: a dataset with money rows, imported and loaded
// back, equals the one given; an upsert of the same changes nothing; one of
// a changed line updates its declaration; replace gives the input again.
func TestMoneyImportAndLoad(t *testing.T) {
	ds := moneyDataset(t)
	_, pool := migratedDB(t)
	ctx := context.Background()
	st, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted != st.Rows {
		t.Fatalf("insert: %+v", st)
	}
	got, _, err := postgis.LoadDataset(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Sectors, ds.Sectors) || !reflect.DeepEqual(got.APD, ds.APD) || !reflect.DeepEqual(got.Calls, ds.Calls) ||
		!reflect.DeepEqual(got.Applications, ds.Applications) {
		t.Fatalf("money rows loaded back differ:\n%+v\n%+v\n%+v\n%+v", got.Sectors, got.APD, got.Calls, got.Applications)
	}
	if !reflect.DeepEqual(got, ds) {
		t.Fatal("the dataset loaded from the database differs from the one imported")
	}
	if st, err = postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: postgis.ImportUpsert}); err != nil || st.Inserted != 0 || st.Updated != 0 {
		t.Fatalf("upsert of the same data: %+v %v", st, err)
	}
	mod := *ds
	mod.APD = append([]atlas.APDDeclaration(nil), ds.APD...)
	mod.APD[1].Lines = []atlas.APDLine{{AmountEUR: 6000, Country: "ML", Sector: "15110", Channel: atlas.ChannelMultilateral}}
	if st, err = postgis.Import(ctx, pool, &mod, postgis.ImportOptions{Mode: postgis.ImportUpsert}); err != nil || st.Inserted != 0 || st.Updated != 2 {
		t.Fatalf("upsert of a changed line: %+v %v (want 2 updated: the declaration and its line)", st, err)
	}
	if got, _, err = postgis.LoadDataset(ctx, pool); err != nil || !reflect.DeepEqual(got.APD, mod.APD) {
		t.Fatalf("after the upsert: %v %+v", err, got.APD)
	}
	if _, err = postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: postgis.ImportReplace}); err != nil {
		t.Fatal(err)
	}
	if got, _, err = postgis.LoadDataset(ctx, pool); err != nil || !reflect.DeepEqual(got, ds) {
		t.Fatalf("replace: %v", err)
	}
}

// moneyServer serves the write API on a fresh database holding
// moneyDataset.
func moneyServer(t *testing.T) (*httptest.Server, *postgis.Source, func(postgis.TokenSpec) string, func(string) int, *pgxpool.Pool) {
	t.Helper()
	url, pool := migratedDB(t)
	if _, err := postgis.Import(context.Background(), pool, moneyDataset(t), postgis.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return serveDB(t, url, pool)
}

// apdBody is a declaration body with the given status and amounts (one
// line each, water in Senegal).
func apdBody(status string, amounts ...int64) string {
	lines := make([]string, len(amounts))
	for i, a := range amounts {
		lines[i] = fmt.Sprintf(`{"amount_eur":%d,"country":"sn","sector":"14030","channel":"direct"}`, a)
	}
	return `{"status":"` + status + `","lines":[` + strings.Join(lines, ",") + `]}`
}

func TestMoneyAPDDeclareAndAmend(t *testing.T) {
	srv, src, token, count, pool := moneyServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	paris := token(postgis.TokenSpec{Authority: "75056"})
	ministry := token(postgis.TokenSpec{Ministry: true})
	const path = "/api/apd/31555/2024"

	// A draft, replaced by a draft, then declared: version 1 throughout.
	for _, c := range []struct {
		body, status string
	}{{apdBody("draft", 1000), "draft"}, {apdBody("draft", 2000, 500), "draft"}, {apdBody("", 2500), "declared"}} {
		code, rec := call(t, srv, "PUT", path, toulouse, c.body)
		if code != http.StatusOK || rec["status"] != c.status || rec["version"] != float64(1) || rec["authority_id"] != "31555" || rec["provenance"] != "declared" {
			t.Fatalf("PUT %s: %d %v", c.body, code, rec)
		}
	}
	if n := count(`SELECT count(*) FROM atlas_apd_versions`); n != 0 {
		t.Fatalf("%d versions kept before any amendment", n)
	}
	// A draft over a declared year: 409, nothing changed.
	if code, p := call(t, srv, "PUT", path, toulouse, apdBody("draft", 1)); code != http.StatusConflict {
		t.Fatalf("draft over a declared year: %d %v", code, p)
	}
	// Declaring it again amends it: version 2, version 1 in the history.
	code, rec := call(t, srv, "PUT", path, toulouse, apdBody("declared", 3000, 700))
	if code != http.StatusOK || rec["status"] != "amended" || rec["version"] != float64(2) || rec["total_eur"] != float64(3700) {
		t.Fatalf("amendment: %d %v", code, rec)
	}
	// The same amendment sent again (a retry): nothing changes.
	if code, again := call(t, srv, "PUT", path, toulouse, apdBody("declared", 3000, 700)); code != http.StatusOK || again["version"] != float64(2) || again["status"] != "amended" {
		t.Fatalf("the amendment repeated: %d %v", code, again)
	}
	if n := count(`SELECT count(*) FROM atlas_apd_versions`); n != 1 {
		t.Fatalf("a repeated amendment kept %d versions, want 1", n)
	}
	code, rec = call(t, srv, "GET", path, toulouse, "")
	prev, _ := rec["previous_versions"].([]any)
	if code != http.StatusOK || rec["version"] != float64(2) || len(prev) != 1 {
		t.Fatalf("GET: %d %v", code, rec)
	}
	if v := prev[0].(map[string]any); v["version"] != float64(1) || v["status"] != "declared" || v["total_eur"] != float64(2500) {
		t.Fatalf("previous version: %v", v)
	}
	if line := rec["lines"].([]any)[0].(map[string]any); line["country"] != "SN" || line["amount_eur"] != float64(3000) {
		t.Fatalf("stored line: %v", line)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE table_name = 'apd' AND record_id = '31555/2024'`); n != 4 {
		t.Errorf("%d audit rows, want 4", n)
	}
	if _, err := pool.Exec(context.Background(), `DELETE FROM atlas_apd_versions`); err == nil {
		t.Error("the versions table let a row be deleted")
	}

	// Scoping: another collectivité can neither write nor read it; the
	// ministry reads all but writes none.
	if code, _ := call(t, srv, "PUT", path, paris, apdBody("", 1)); code != http.StatusForbidden {
		t.Errorf("another collectivité's PUT: %d", code)
	}
	if code, _ := call(t, srv, "GET", path, paris, ""); code != http.StatusForbidden {
		t.Errorf("another collectivité's GET: %d", code)
	}
	if code, _ := call(t, srv, "GET", "/api/apd/declarations?authority=31555", paris, ""); code != http.StatusForbidden {
		t.Errorf("another collectivité's list: %d", code)
	}
	if code, rec := call(t, srv, "GET", "/api/apd/declarations", paris, ""); code != http.StatusOK || len(rec["declarations"].([]any)) != 0 {
		t.Errorf("Paris's own list: %d %v", code, rec)
	}
	if code, _ := call(t, srv, "PUT", path, ministry, apdBody("", 1)); code != http.StatusForbidden {
		t.Errorf("the ministry's PUT: %d", code)
	}
	code, rec = call(t, srv, "GET", "/api/apd/declarations", ministry, "")
	if list, _ := rec["declarations"].([]any); code != http.StatusOK || len(list) != 4 {
		t.Fatalf("the ministry's list: %d %v", code, rec)
	}
	code, rec = call(t, srv, "GET", "/api/apd/declarations?year=2024", toulouse, "")
	if list, _ := rec["declarations"].([]any); code != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["version"] != float64(2) {
		t.Fatalf("Toulouse's list for 2024: %d %v", code, rec)
	}
	if code, _ := call(t, srv, "GET", "/api/apd/declarations", "", ""); code != http.StatusUnauthorized {
		t.Errorf("list without a token: %d", code)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE action = 'rejected' AND status = 403 AND authority_id = '75056'`); n != 3 {
		t.Errorf("%d refusals of Paris's token audited, want 3", n)
	}

	// The served snapshot has the amended declaration.
	eventually(t, 30*time.Second, "the declaration served", func() bool {
		for _, d := range src.Current().Dataset().APD {
			if d.AuthorityID == "31555" && d.Year == 2024 {
				return d.Version == 2 && d.Status == atlas.APDAmended && d.Total() == 3700
			}
		}
		return false
	})
}

func TestMoneyAPDValidation(t *testing.T) {
	srv, _, token, count, _ := moneyServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	before := count(`SELECT count(*) FROM atlas_audit`)
	// A bad line among good ones: 422 naming it, nothing written.
	bad := `{"lines":[{"amount_eur":1000,"country":"SN","sector":"14030","channel":"direct"},
		{"amount_eur":1000,"country":"SN","sector":"99999","channel":"direct"},
		{"amount_eur":0,"country":"ZZ","sector":"14030","channel":"plane"}]}`
	code, p := call(t, srv, "PUT", "/api/apd/31555/2025", toulouse, bad)
	body := jsonString(p)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad lines: %d %v", code, p)
	}
	for _, f := range []string{"lines[1].sector", "lines[2].amount_eur", "lines[2].country", "lines[2].channel"} {
		if !strings.Contains(body, `"field":"`+f+`"`) {
			t.Errorf("the problem does not name %s: %s", f, body)
		}
	}
	if strings.Contains(body, `"lines[0]`) {
		t.Errorf("a good line named: %s", body)
	}
	if n := count(`SELECT (SELECT count(*) FROM atlas_apd WHERE year = 2025) + (SELECT count(*) FROM atlas_apd_lines WHERE year = 2025)`); n != 0 {
		t.Fatalf("a refused declaration left %d rows", n)
	}
	if n := count(`SELECT count(*) FROM atlas_audit`); n != before {
		t.Errorf("a refused declaration left %d audit rows", n-before)
	}
	// A year not begun yet, a partnership of another collectivité, a
	// refugees line with a country, an unknown status.
	next := time.Now().UTC().Year() + 1
	for path, c := range map[string]struct{ body, field string }{
		fmt.Sprintf("/api/apd/31555/%d", next): {apdBody("", 100), "year"},
		"/api/apd/31555/1999":                  {apdBody("", 100), "year"},
		"/api/apd/31555/2021": {`{"lines":[{"amount_eur":100,"country":"JP","sector":"14030","channel":"direct","partnership_id":"FRTW00001"}]}`,
			"lines[0].partnership_id"},
		"/api/apd/31555/2020": {`{"lines":[{"amount_eur":100,"country":"SN","sector":"93010","channel":"direct","refugees":true}]}`, "lines[0].refugees"},
		"/api/apd/31555/2019": {apdBody("amended", 100), "status"},
	} {
		code, p := call(t, srv, "PUT", path, toulouse, c.body)
		if code != http.StatusUnprocessableEntity || !strings.Contains(jsonString(p), `"field":"`+c.field+`"`) {
			t.Errorf("%s %s: %d %v, want 422 naming %s", path, c.body, code, p, c.field)
		}
	}
	if code, _ := call(t, srv, "PUT", "/api/apd/31555/next", toulouse, apdBody("", 100)); code != http.StatusBadRequest {
		t.Errorf("a year that is not a number: %d", code)
	}
	if code, _ := call(t, srv, "PUT", "/api/apd/31555/2024", toulouse, `{"lines":[],"colour":"red"}`); code != http.StatusBadRequest {
		t.Errorf("an unknown field: %d", code)
	}
	if code, _ := call(t, srv, "PUT", "/api/apd/NOPE/2024", token(postgis.TokenSpec{Admin: true}), apdBody("", 100)); code != http.StatusNotFound {
		t.Errorf("an unknown authority: %d", code)
	}
	if n := count(`SELECT count(*) FROM atlas_apd WHERE provenance = 'declared'`); n != 0 {
		t.Errorf("%d declarations written by refused requests", n)
	}
}

// callWith is call with extra request headers.
func callWith(t *testing.T, srv *httptest.Server, method, path, token, body string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestMoneyCallApplications(t *testing.T) {
	srv, src, token, count, _ := moneyServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	ministry := token(postgis.TokenSpec{Ministry: true})
	adminTok := token(postgis.TokenSpec{Admin: true})
	body := `{"title":"Eau potable à Dakar","country":"SN","requested_eur":20000}`

	// Outside the call's dates: 409 naming the date.
	for id, date := range map[string]string{"AAP-FUTURE": day(30), "AAP-CLOSED": day(-30)} {
		code, p := call(t, srv, "POST", "/api/calls/"+id+"/applications", toulouse, body)
		if code != http.StatusConflict || !strings.Contains(jsonString(p), date) {
			t.Errorf("%s: %d %v, want 409 naming %s", id, code, p, date)
		}
	}
	if code, _ := call(t, srv, "POST", "/api/calls/NOPE/applications", toulouse, body); code != http.StatusNotFound {
		t.Errorf("unknown call: %d", code)
	}
	if code, _ := call(t, srv, "POST", "/api/calls/AAP-OPEN/applications", ministry, body); code != http.StatusForbidden {
		t.Errorf("the ministry deposits: %d", code)
	}
	if code, p := call(t, srv, "POST", "/api/calls/AAP-OPEN/applications", toulouse, `{"title":"x","country":"SN","requested_eur":0}`); code != http.StatusUnprocessableEntity ||
		!strings.Contains(jsonString(p), `"field":"requested_eur"`) || !strings.Contains(jsonString(p), `"field":"title"`) {
		t.Errorf("bad application: %d %v", code, p)
	}
	if n := count(`SELECT count(*) FROM atlas_applications`); n != 1 {
		t.Fatalf("refused deposits left %d applications", n)
	}

	// Deposited, with a key: the repeat answers the same application.
	key := map[string]string{"Idempotency-Key": "dakar-1"}
	code, first := callWith(t, srv, "POST", "/api/calls/AAP-OPEN/applications", toulouse, body, key)
	if code != http.StatusCreated || !strings.Contains(first, `"status":"deposee"`) || !strings.Contains(first, `"deposited":"`+day(0)+`"`) ||
		!strings.Contains(first, `"authority_id":"31555"`) {
		t.Fatalf("deposit: %d %s", code, first)
	}
	code, again := callWith(t, srv, "POST", "/api/calls/AAP-OPEN/applications", toulouse, body, key)
	if code != http.StatusCreated || again != first {
		t.Fatalf("repeat: %d %s, want %s", code, again, first)
	}
	if n := count(`SELECT count(*) FROM atlas_applications`); n != 2 {
		t.Fatalf("%d applications after a repeated deposit, want 2", n)
	}
	var app atlas.Application
	if err := json.Unmarshal([]byte(first), &app); err != nil {
		t.Fatal(err)
	}
	path := "/api/calls/AAP-OPEN/applications/" + app.ID

	// Only the ministry (or an admin) decides.
	if code, _ := call(t, srv, "PATCH", path, toulouse, `{"status":"laureat","granted_eur":10000}`); code != http.StatusForbidden {
		t.Errorf("the collectivité changes its status: %d", code)
	}
	if code, p := call(t, srv, "PATCH", path, ministry, `{"status":"laureat","granted_eur":90000}`); code != http.StatusUnprocessableEntity || p["param"] != "granted_eur" {
		t.Errorf("more granted than requested: %d %v", code, p)
	}
	if code, p := call(t, srv, "PATCH", path, ministry, `{"status":"gagnant"}`); code != http.StatusUnprocessableEntity || p["param"] != "status" {
		t.Errorf("unknown status: %d %v", code, p)
	}
	if code, _ := call(t, srv, "PATCH", "/api/calls/AAP-CLOSED/applications/"+app.ID, ministry, `{"status":"recevable"}`); code != http.StatusNotFound {
		t.Errorf("the application under another call: %d", code)
	}
	if code, rec := call(t, srv, "PATCH", path, ministry, `{"status":"recevable"}`); code != http.StatusOK || rec["status"] != "recevable" {
		t.Fatalf("recevable: %d %v", code, rec)
	}
	code, rec := call(t, srv, "PATCH", path, adminTok, `{"status":"laureat","granted_eur":15000}`)
	if code != http.StatusOK || rec["status"] != "laureat" || rec["granted_eur"] != float64(15000) {
		t.Fatalf("laureat: %d %v", code, rec)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE table_name = 'applications' AND record_id = '` + app.ID + `'`); n != 3 {
		t.Errorf("%d audit rows of the application, want 3 (create, two decisions)", n)
	}
	eventually(t, 30*time.Second, "the decision served", func() bool {
		for _, a := range src.Current().Dataset().Applications {
			if a.ID == app.ID {
				return a.Status == atlas.AppLaureate && a.GrantedEUR == 15000
			}
		}
		return false
	})
}

// TestMoneyWritesWhileTheDatabaseIsDown: the money side's writes and reads
// answer atlas.ErrUnavailable (503 with Retry-After in the HTTP layer)
// when the database has gone away, and nothing was written once it is back.
func TestMoneyWritesWhileTheDatabaseIsDown(t *testing.T) {
	c := pgtest.StartCluster(t)
	pool := openMigrated(t, c.URL)
	ctx := context.Background()
	if _, err := postgis.Import(ctx, pool, moneyDataset(t), postgis.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st := postgis.NewStore(pool)
	tok, err := postgis.CreateToken(ctx, pool, postgis.TokenSpec{Authority: "31555"})
	if err != nil {
		t.Fatal(err)
	}
	p := atlas.Principal{TokenID: tok.ID, Authority: "31555"}
	min := atlas.Principal{TokenID: tok.ID, Ministry: true}
	in := atlas.APDInput{Lines: []atlas.APDLineInput{{AmountEUR: 100, Country: "SN", Sector: "14030", Channel: "direct"}}}
	c.Stop()
	for name, err := range map[string]error{
		"PutAPD":          func() error { _, err := st.PutAPD(ctx, p, "31555", 2024, in); return err }(),
		"APDDeclarations": func() error { _, err := st.APDDeclarations(ctx, min, 0, ""); return err }(),
		"APDDeclaration":  func() error { _, _, err := st.APDDeclaration(ctx, p, "31555", 2022); return err }(),
		"Deposit": func() error {
			_, err := st.Deposit(ctx, p, "AAP-OPEN", atlas.ApplicationInput{Title: "Eau", Country: "SN", RequestedEUR: 10})
			return err
		}(),
		"SetApplicationStatus": func() error {
			_, err := st.SetApplicationStatus(ctx, min, "AAP-CLOSED", "CAND-S1", atlas.StatusChange{Status: "refusee"})
			return err
		}(),
	} {
		if !errors.Is(err, atlas.ErrUnavailable) {
			t.Errorf("%s with the database down: %v, want ErrUnavailable", name, err)
		}
	}
	c.Start()
	eventually(t, 30*time.Second, "the database back", func() bool {
		var n int
		return pool.QueryRow(ctx, `SELECT count(*) FROM atlas_apd WHERE year = 2024`).Scan(&n) == nil && n == 0
	})
	if _, err := st.PutAPD(ctx, p, "31555", 2024, in); err != nil {
		t.Fatalf("the same write once the database is back: %v", err)
	}
}

// TestMoneyParityWithFiles: the database serves the money rows of the
// dataset it was given: the snapshot equals the one indexed from the
// dataset itself, version included.
func TestMoneyParityWithFiles(t *testing.T) {
	_, src, _, _, _ := moneyServer(t)
	ds := moneyDataset(t)
	want, err := index.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	got := src.Current()
	if got.Version() != want.Version() {
		t.Errorf("data version: files %s, database %s", want.Version(), got.Version())
	}
	g := got.Dataset()
	if !reflect.DeepEqual(g.Sectors, ds.Sectors) || !reflect.DeepEqual(g.APD, ds.APD) || !reflect.DeepEqual(g.Calls, ds.Calls) ||
		!reflect.DeepEqual(g.Applications, ds.Applications) {
		t.Error("the served money rows differ from the dataset's")
	}
}

// TestMoneyAPDLinesOfItsOwn: a line may name the collectivité's own
// partnership or project (the project's partnership is filled in).
func TestMoneyAPDLinesOfItsOwn(t *testing.T) {
	srv, _, token, _, pool := moneyServer(t)
	var pship, proj string
	if err := pool.QueryRow(context.Background(), `SELECT ps.id, pr.id FROM atlas_partnerships ps JOIN atlas_projects pr ON pr.partnership_id = ps.id
		WHERE ps.authority_id = '69123' ORDER BY ps.ord, pr.ord LIMIT 1`).Scan(&pship, &proj); err != nil {
		t.Skipf("no project of Lyon in the data: %v", err)
	}
	lyon := token(postgis.TokenSpec{Authority: "69123"})
	body := `{"lines":[{"amount_eur":100,"country":"multi","sector":"15110","channel":"direct","partnership_id":"` + pship + `"},
		{"amount_eur":200,"sector":"14030","channel":"association","project_id":"` + proj + `"}]}`
	code, rec := call(t, srv, "PUT", "/api/apd/69123/2024", lyon, body)
	if code != http.StatusOK {
		t.Fatalf("%d %v", code, rec)
	}
	lines := rec["lines"].([]any)
	if l := lines[0].(map[string]any); l["partnership_id"] != pship || l["country"] != "" {
		t.Errorf("line 0: %v", l)
	}
	if l := lines[1].(map[string]any); l["partnership_id"] != pship || l["project_id"] != proj {
		t.Errorf("line 1: %v", l)
	}
	// Toulouse may not name them.
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	if code, p := call(t, srv, "PUT", "/api/apd/31555/2024", toulouse, body); code != http.StatusUnprocessableEntity ||
		!strings.Contains(jsonString(p), `"field":"lines[0].partnership_id"`) || !strings.Contains(jsonString(p), `"field":"lines[1].project_id"`) {
		t.Errorf("Toulouse naming Lyon's: %d %v", code, p)
	}
}

// TestMoneyImportAuditsDeclared: an import that replaces or removes a
// declaration or an application written through the API audits it (via
// import, before and after), as it does partnerships and projects.
func TestMoneyImportAuditsDeclared(t *testing.T) {
	srv, _, token, count, pool := moneyServer(t)
	toulouse := token(postgis.TokenSpec{Authority: "31555"})
	if code, rec := call(t, srv, "PUT", "/api/apd/31555/2024", toulouse, apdBody("", 1000)); code != http.StatusOK {
		t.Fatalf("%d %v", code, rec)
	}
	if code, rec := call(t, srv, "POST", "/api/calls/AAP-OPEN/applications", toulouse, `{"title":"Eau potable à Dakar","country":"SN","requested_eur":20000}`); code != http.StatusCreated {
		t.Fatalf("%d %v", code, rec)
	}
	// An upsert of the data as imported changes neither.
	st, err := postgis.Import(context.Background(), pool, moneyDataset(t), postgis.ImportOptions{Mode: postgis.ImportUpsert})
	if err != nil || st.Audited != 0 {
		t.Fatalf("upsert: %+v %v", st, err)
	}
	st, err = postgis.Import(context.Background(), pool, moneyDataset(t), postgis.ImportOptions{Mode: postgis.ImportReplace})
	if err != nil || st.Audited != 2 {
		t.Fatalf("replace: %+v %v, want 2 audited", st, err)
	}
	if n := count(`SELECT count(*) FROM atlas_audit WHERE via = 'import' AND action = 'delete' AND after IS NULL AND (
		(table_name = 'apd' AND record_id = '31555/2024' AND before->>'version' = '1' AND before->'lines'->0->>'amount_eur' = '1000')
		OR (table_name = 'applications' AND before->>'status' = 'deposee'))`); n != 2 {
		t.Errorf("%d audit rows of the import, want 2", n)
	}
}

// TestMoneyApplicationOfAProject: an application may be an existing
// project of the collectivité: its title and partner country are taken;
// another collectivité's project is refused.
func TestMoneyApplicationOfAProject(t *testing.T) {
	srv, _, token, _, pool := moneyServer(t)
	var proj, title, country string
	if err := pool.QueryRow(context.Background(), `SELECT pr.id, pr.title, pt.country FROM atlas_projects pr
		JOIN atlas_partnerships ps ON ps.id = pr.partnership_id JOIN atlas_partners pt ON pt.id = ps.partner_id
		WHERE ps.authority_id = '69123' ORDER BY pr.ord LIMIT 1`).Scan(&proj, &title, &country); err != nil {
		t.Skipf("no project of Lyon in the data: %v", err)
	}
	body := `{"project_id":"` + proj + `","requested_eur":5000,"participants":12}`
	code, rec := call(t, srv, "POST", "/api/calls/AAP-OPEN/applications", token(postgis.TokenSpec{Authority: "69123"}), body)
	if code != http.StatusCreated || rec["project_id"] != proj || rec["title"] != title || rec["country"] != country || rec["participants"] != float64(12) {
		t.Fatalf("%d %v", code, rec)
	}
	if code, p := call(t, srv, "POST", "/api/calls/AAP-OPEN/applications", token(postgis.TokenSpec{Authority: "31555"}), body); code != http.StatusUnprocessableEntity || p["param"] != "project_id" {
		t.Errorf("another collectivité's project: %d %v", code, p)
	}
}
