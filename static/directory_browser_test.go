package static_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// The directory pages in a browser: Lyon's fiche lists every partnership
// the API gives, draws them on its map and leads to the atlas filtered on
// Lyon; "qui coopère avec l'Allemagne" lists every collectivité; the
// analyses list the 19 priority countries and colour the countries.
func TestBrowserDirectory(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)

	var fiche struct {
		Partnerships []struct{ ID string } `json:"partnerships"`
		Projects     []struct{ ID string } `json:"projects"`
		Neighbours   []struct{ ID string } `json:"neighbours"`
	}
	getJSON(t, b.base+"/api/authorities/69123", &fiche)
	tb.navigate("/collectivites/69123")
	tb.waitFor("fiche", `window.atlasDirectoryReady === true`, 30*time.Second)
	tb.waitMapIdle("")
	var got struct {
		Title        string `json:"title"`
		Partnerships int    `json:"partnerships"`
		Projects     int    `json:"projects"`
		Neighbours   int    `json:"neighbours"`
		Atlas        string `json:"atlas"`
		Contact      string `json:"contact"`
	}
	tb.eval(`({title: document.getElementById('page-title').textContent,
		partnerships: document.querySelectorAll('[aria-labelledby=h-partnerships] tbody tr').length,
		projects: document.querySelectorAll('[aria-labelledby=h-projects] tbody tr').length,
		neighbours: document.querySelectorAll('[aria-labelledby=h-neighbours] tbody tr').length,
		atlas: document.querySelector('.dir-links a').getAttribute('href'),
		contact: document.querySelector('[aria-labelledby=h-contact]').innerText})`, &got)
	if got.Title != "Lyon" || got.Partnerships != len(fiche.Partnerships) || got.Projects != len(fiche.Projects) || got.Neighbours != len(fiche.Neighbours) {
		t.Errorf("fiche shows %+v; the API has %d partnerships, %d projects, %d neighbours", got, len(fiche.Partnerships), len(fiche.Projects), len(fiche.Neighbours))
	}
	if !strings.Contains(got.Contact, "Aucun contact déclaré") {
		t.Errorf("contact block: %q", got.Contact)
	}
	if r := tb.rendered(); r.Partnerships.Features == 0 || r.Partners.Features == 0 {
		t.Errorf("the fiche's map draws no partnerships: %+v", r)
	}
	tb.screenshot("fiche-lyon")
	tb.checkClean()

	// On to the atlas, filtered on Lyon: it counts Lyon's partnerships.
	if got.Atlas != "/?authority=69123" {
		t.Fatalf("atlas link %q", got.Atlas)
	}
	tb.eval(`document.querySelector('.dir-links a').click(), true`, nil)
	tb.waitFor("atlas", `location.pathname === '/' && window.atlasMap`, 30*time.Second)
	tb.waitMapIdle("")
	tb.waitFor("counts", `/\d/.test(document.getElementById('counts').textContent)`, 30*time.Second)
	var counts string
	tb.eval(`document.getElementById('counts').textContent`, &counts)
	if !strings.Contains(counts, itoa(len(fiche.Partnerships))) {
		t.Errorf("the atlas filtered on Lyon says %q, the fiche lists %d", counts, len(fiche.Partnerships))
	}

	// From the atlas's search box: "Lyon", Enter, Lyon's fiche; one of its
	// partnerships, the atlas filtered on Lyon with it selected.
	tb.navigate("/")
	tb.waitMapIdle("")
	tb.waitFor("search box", `document.getElementById('place-search')`, 30*time.Second)
	tb.eval(`(() => { const i = document.getElementById('place-search'); i.focus(); i.value = 'Lyon';
		i.dispatchEvent(new Event('input')); i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); return true; })()`, nil)
	tb.waitFor("Lyon's fiche", `location.pathname === '/collectivites/69123' && window.atlasDirectoryReady === true`, 30*time.Second)
	var sel string
	tb.eval(`(() => { const a = document.querySelector('[aria-labelledby=h-partnerships] a.map-link'); const id = new URL(a.href).searchParams.get('sel'); a.click(); return id; })()`, &sel)
	tb.waitFor("atlas with the partnership", `location.pathname === '/' && window.atlasMap && !document.getElementById('detail').hidden`, 30*time.Second)
	var detail struct {
		URL  string `json:"url"`
		Text string `json:"text"`
	}
	tb.eval(`({url: location.search, text: document.getElementById('detail').innerText})`, &detail)
	if !strings.Contains(detail.URL, "authority=69123") || !strings.Contains(detail.URL, "sel="+sel) || !strings.Contains(detail.Text, "Lyon") {
		t.Errorf("the atlas after the fiche: %q, detail %q", detail.URL, detail.Text)
	}
	// Bamako is found by its name, one typo away, and by its prefix (first);
	// Saint-Étienne without its accent and hyphen; each result says its kind.
	tb.navigate("/")
	tb.waitFor("search box", `document.getElementById('place-search')`, 30*time.Second)
	for _, c := range []struct{ q, name, kind, js string }{
		{"Bamako", "Bamako", "Autorité partenaire", "some"},
		{"bamkao", "Bamako", "Autorité partenaire", "some"},
		{"bamak", "Bamako", "Autorité partenaire", "first"},
		{"saint etienne", "Saint-Étienne", "Collectivité française", "some"},
	} {
		tb.eval(`(() => { const i = document.getElementById('place-search'); i.value = '`+c.q+`'; i.dispatchEvent(new Event('input')); return true; })()`, nil)
		match := `a => a.querySelector('strong').textContent === '` + c.name + `' && a.querySelector('.muted').textContent.startsWith('` + c.kind + `')`
		cond := `[...document.querySelectorAll('#place-results a')].some(` + match + `)`
		if c.js == "first" {
			cond = `[...document.querySelectorAll('#place-results a')].filter(a => !a.href.includes('/atlas/')).slice(0, 1).some(` + match + `)`
		}
		tb.waitFor("results for "+c.q, cond, 20*time.Second)
	}
	tb.screenshot("search-bamako")
	tb.checkClean()

	// A partner's fiche links back to its French collectivités.
	tb.navigate("/partenaires/3186084")
	tb.waitFor("partner fiche", `window.atlasDirectoryReady === true`, 30*time.Second)
	var back int
	tb.eval(`document.querySelectorAll('[aria-labelledby=h-partnerships] tbody a[href^="/collectivites/"]').length`, &back)
	if back == 0 {
		t.Error("the partner's fiche links to no collectivité")
	}
	tb.checkClean()

	// Qui coopère avec l'Allemagne ?
	var who struct {
		Authorities int `json:"authorities"`
	}
	getJSON(t, b.base+"/api/countries/DE/authorities", &who)
	tb.navigate("/qui-coopere/DE")
	tb.waitFor("list", `window.atlasDirectoryReady === true`, 30*time.Second)
	var rows int
	tb.eval(`document.querySelectorAll('.dir-section tbody tr').length`, &rows)
	if rows != who.Authorities || rows == 0 {
		t.Errorf("the page lists %d collectivités, the API %d", rows, who.Authorities)
	}
	tb.screenshot("qui-coopere-de")
	tb.checkClean()

	// Analyses: the 19 priority countries, and the choropleth drawn.
	tb.navigate("/analyses")
	tb.waitFor("analyses", `window.atlasDirectoryReady === true`, 30*time.Second)
	tb.waitMapIdle("")
	tb.waitFor("choropleth", `atlasMap.getLayer('choropleth') && atlasMap.queryRenderedFeatures({layers: ['choropleth']}).length > 0`, 30*time.Second)
	var prio int
	tb.eval(`document.querySelectorAll('[aria-labelledby=h-priority] tbody tr').length`, &prio)
	if prio != 19 {
		t.Errorf("%d priority countries listed, want 19", prio)
	}
	tb.screenshot("analyses")
	tb.checkClean()

	// An unknown collectivité: the page says so, with a 404.
	tb.navigate("/collectivites/NOPE")
	tb.waitFor("error", `window.atlasDirectoryReady === 'error'`, 30*time.Second)
	tb.checkClean("status of 404")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A collectivité's fiche as it wrote it, markup in every text field: the
// page shows the text and runs nothing, loads nothing from elsewhere.
func TestBrowserFicheEscapesWhatItShows(t *testing.T) {
	payload := `<img src=/x onerror="window.pwned=1"><script>window.pwned=2</script>`
	head := "authority_id,service,role,email,phone,website,presentation_fr,presentation_en,logo_url,version,updated_at\n"
	row := []string{"69123", "Service " + payload, "Mission " + payload, "international@lyon.exemple.fr", "+33 4 72 10 30 30",
		"https://www.lyon.exemple.fr", "Présentation " + payload, "About " + payload, "https://www.lyon.exemple.fr/logo.svg", "3", "2026-11-30"}
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Write(row)
	cw.Flush()
	snap := testkit.SnapshotWith(t, map[string]string{dataset.FichesFile: head + b.String()})
	br := newBrowserOn(t, snap)
	tb := br.tab(t, 1280, 900)
	tb.navigate("/collectivites/69123")
	tb.waitFor("fiche", `window.atlasDirectoryReady === true`, 30*time.Second)
	var got struct {
		Pwned   bool   `json:"pwned"`
		Text    string `json:"text"`
		Scripts int    `json:"scripts"`
		Images  int    `json:"images"`
	}
	tb.eval(`({pwned: !!window.pwned, text: document.querySelector('[aria-labelledby=h-contact]').innerText,
		scripts: document.querySelectorAll('#content script').length, images: document.querySelectorAll('#content img').length})`, &got)
	if got.Pwned || got.Scripts != 0 || got.Images != 0 {
		t.Errorf("markup in the fiche ran: %+v", got)
	}
	for _, want := range []string{"Service " + payload, "Mission " + payload, "Présentation " + payload, "About " + payload, "version 3"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("the fiche does not show %q as text:\n%s", want, got.Text)
		}
	}
	tb.screenshot("fiche-escaped")
	for _, r := range tb.requestList() {
		if strings.HasSuffix(r, "/x") || strings.Contains(r, "logo.svg") {
			t.Errorf("the page fetched %s", r)
		}
	}
	tb.checkClean()
}

// The bourse-projets in a browser: the open requests on the map layer and
// in the table (not the closed one); a request's page ranks collectivités.
func TestBrowserBourse(t *testing.T) {
	head := "id,partner_id,name,country,lon,lat,themes,description,sought_types,min_population,max_population,languages,valid_until,status,published\n"
	rows := "BRS-000001,2394819,Cotonou,BJ,2.41833,6.36536,eau-assainissement|sante,\"Cotonou cherche une collectivité française pour l'assainissement <script>window.pwned=1</script><img src=/x onerror=\"\"window.pwned=2\"\">\",commune|groupement,50000,,fr,2099-12-31,open,2026-12-01\n" +
		"BRS-000002,,Ouidah,BJ,2.08506,6.36307,culture-patrimoine,Ouidah cherche un partenaire pour son patrimoine.,,,,fr|en,2099-06-30,open,2026-12-01\n" +
		"BRS-000003,,Kandi,BJ,2.93861,11.13417,sante,Une demande close : elle ne doit pas paraître.,,,,fr,2099-06-30,closed,2026-11-01\n"
	br := newBrowserOn(t, testkit.SnapshotWith(t, map[string]string{dataset.RequestsFile: head + rows}))
	tb := br.tab(t, 1280, 900)
	tb.navigate("/bourse")
	tb.waitFor("bourse", `window.atlasDirectoryReady === true`, 30*time.Second)
	tb.waitMapIdle("")
	tb.waitFor("requests on the map", `atlasMap.getLayer('bourse-circle') && atlasMap.queryRenderedFeatures({layers: ['bourse-circle']}).length > 0`, 30*time.Second)
	var got struct {
		Rows  []string `json:"rows"`
		OnMap []string `json:"onMap"`
	}
	tb.eval(`({rows: [...document.querySelectorAll('[aria-labelledby=h-requests] tbody th')].map(e => e.textContent),
		onMap: [...new Set(atlasMap.queryRenderedFeatures({layers: ['bourse-circle']}).map(f => f.properties.id))].sort()})`, &got)
	if strings.Join(got.Rows, ",") != "Ouidah,Cotonou" || strings.Join(got.OnMap, ",") != "BRS-000001,BRS-000002" {
		t.Errorf("bourse page: table %q, map %q", got.Rows, got.OnMap)
	}
	tb.screenshot("bourse")
	tb.checkClean()

	tb.navigate("/bourse/BRS-000001")
	tb.waitFor("request", `window.atlasDirectoryReady === true`, 30*time.Second)
	var page struct {
		Ranked int    `json:"ranked"`
		Pwned  bool   `json:"pwned"`
		Text   string `json:"text"`
	}
	tb.eval(`({ranked: document.querySelectorAll('[aria-labelledby=h-matches] tbody tr').length, pwned: !!window.pwned,
		text: document.querySelector('[aria-labelledby=h-request]').innerText})`, &page)
	if page.Ranked == 0 {
		t.Error("no collectivité ranked for Cotonou's request")
	}
	if page.Pwned || !strings.Contains(page.Text, "<script>window.pwned=1</script>") {
		t.Errorf("the request's markup ran or is not shown as text: %+v", page)
	}
	tb.screenshot("bourse-request")
	tb.checkClean()
}

// The atlas's CSV download is the server's French spreadsheet CSV.
func TestBrowserFrenchCSVDownload(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/?country=JP&theme=culture-patrimoine")
	tb.waitFor("download button", `document.getElementById('dl-csv')`, 30*time.Second)
	tb.waitFor("counts", `/\d/.test(document.getElementById('counts').textContent)`, 30*time.Second)
	var got struct {
		Href string `json:"href"`
		Head string `json:"head"`
		BOM  bool   `json:"bom"`
	}
	tb.eval(`(async () => { document.getElementById('dl-csv').click(); const d = window.atlasLastDownload;
		const buf = new Uint8Array(await (await fetch(d.href)).arrayBuffer());
		return {href: d.href, bom: buf[0] === 0xEF && buf[1] === 0xBB && buf[2] === 0xBF,
			head: new TextDecoder().decode(buf.slice(3)).split('\r\n')[0]}; })()`, &got)
	if !strings.Contains(got.Href, "lang=fr") || !strings.Contains(got.Href, "country=JP") || !got.BOM ||
		!strings.HasPrefix(got.Head, "Identifiant;Code collectivité;Collectivité;Type de collectivité;") {
		t.Errorf("CSV download: %+v", got)
	}
	tb.checkClean()
}

// A collectivité's fiche shows the APD it declared: the total equals the
// API's, one row per year with declared lines, the beneficiary countries;
// a collectivité that declared none says so.
func TestBrowserFicheAPD(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)
	var years apdAnswer
	getJSONAt(t, b.base+"/api/apd?by=year&authority=reg-84", &years)
	if years.Total.AmountEUR == 0 {
		t.Fatal("Auvergne-Rhône-Alpes declared no APD in the embedded data")
	}
	withLines := 0
	for _, g := range years.Groups {
		if g.Lines > 0 {
			withLines++
		}
	}
	tb.navigate("/collectivites/reg-84")
	tb.waitFor("APD section", `document.querySelector('[aria-labelledby=h-apd][data-apd]')`, 30*time.Second)
	var got struct {
		Total string `json:"total"`
		Rows  int    `json:"rows"`
		CSV   string `json:"csv"`
		Text  string `json:"text"`
	}
	tb.eval(`(() => { const s = document.querySelector('[aria-labelledby=h-apd]'); return {total: s.getAttribute('data-apd'),
		rows: s.querySelectorAll('table')[0].tBodies[0].rows.length, csv: s.querySelector('a[download]').getAttribute('href'), text: s.innerText}; })()`, &got)
	if got.Total != strconv.FormatInt(years.Total.AmountEUR, 10) || got.Rows != withLines || !strings.Contains(got.Text, "synthétiques") {
		t.Errorf("the fiche's APD: %+v, want total %d over %d years", got, years.Total.AmountEUR, withLines)
	}
	resp, err := http.Get(b.base + got.CSV)
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "csv") {
		t.Errorf("the fiche's APD CSV %s: %v %v", got.CSV, resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
	tb.eval(`document.querySelector('[aria-labelledby=h-apd]').scrollIntoView(); true`, nil)
	tb.screenshot("fiche-apd")
	tb.navigate("/collectivites/31555")
	tb.waitFor("no APD", `document.querySelector('[aria-labelledby=h-apd][data-apd="0"]') && document.querySelector('[aria-labelledby=h-apd]').innerText.includes('aucune aide publique')`, 30*time.Second)
	tb.checkClean()
}
