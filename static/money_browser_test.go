package static_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type apdAnswer struct {
	Total struct {
		AmountEUR    int64 `json:"amount_eur"`
		SyntheticEUR int64 `json:"synthetic_eur"`
	} `json:"total"`
	Groups []struct {
		Key       string `json:"key"`
		Label     string `json:"label"`
		AmountEUR int64  `json:"amount_eur"`
		Lines     int    `json:"lines"`
	} `json:"groups"`
}

func getJSONAt(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// The APD view: its table by year is the API's (every year, same amounts),
// its choropleth paints every beneficiary country, its filters go to the URL
// and to every figure, its CSV is the French one and its chart has a PNG; on
// a phone nothing overflows sideways.
func TestBrowserAPDView(t *testing.T) {
	b := newBrowser(t)
	var all, water, byCountry apdAnswer
	getJSONAt(t, b.base+"/api/apd?by=year", &all)
	getJSONAt(t, b.base+"/api/apd?by=year&theme=eau-assainissement", &water)
	getJSONAt(t, b.base+"/api/apd?by=country", &byCountry)
	if all.Total.AmountEUR == 0 || water.Total.AmountEUR == 0 || water.Total.AmountEUR >= all.Total.AmountEUR {
		t.Fatalf("embedded APD: all %d €, water %d €", all.Total.AmountEUR, water.Total.AmountEUR)
	}
	painted := 0
	for _, g := range byCountry.Groups {
		if g.Key != "multi" && g.AmountEUR > 0 {
			painted++
		}
	}
	tb := b.tab(t, 1280, 900)
	tb.navigate("/apd")
	tb.waitFor("APD view", `window.atlasMoneyReady === true`, 40*time.Second)
	tb.waitMapIdle("")
	tb.waitFor("choropleth", `document.getElementById('apd-map').getAttribute('data-painted')`, 20*time.Second)
	read := func() (years []string, summary string, painted string) {
		var got struct {
			Years   []string
			Summary string
			Painted string
		}
		tb.eval(`({ Years: Array.from(document.querySelectorAll('.chart-tools[data-for="year"] tbody tr')).map(function (tr) { return tr.cells[0].textContent; }),
			Summary: document.getElementById('apd-summary').textContent,
			Painted: document.getElementById('apd-map').getAttribute('data-painted') })`, &got)
		return got.Years, got.Summary, got.Painted
	}
	years, summary, got := read()
	if len(years) != len(all.Groups) || years[0] != all.Groups[0].Key {
		t.Errorf("year table %v, API %d groups from %s", years, len(all.Groups), all.Groups[0].Key)
	}
	if !strings.Contains(summary, "collectivités ont déclaré") || !strings.Contains(summary, all.Groups[0].Key) {
		t.Errorf("summary %q", summary)
	}
	if got != itoa(painted) {
		t.Errorf("choropleth paints %s countries, the API has %d with APD", got, painted)
	}
	var notice string
	tb.eval(`document.getElementById('money-notice').hidden ? '' : document.getElementById('money-notice').textContent`, &notice)
	if all.Total.SyntheticEUR == all.Total.AmountEUR && !strings.Contains(notice, "synthétiques") {
		t.Errorf("every amount is synthetic, the notice says %q", notice)
	}
	// A theme filter: the URL and the figures follow.
	tb.eval(`(function () { var s = document.getElementById('f-theme'); s.value = 'eau-assainissement'; s.form.dispatchEvent(new Event('change')); return true; })()`, nil)
	tb.waitFor("filtered", `location.search === '?theme=eau-assainissement' && document.querySelector('.chart-tools[data-for="year"] a[download]').getAttribute('href').indexOf('theme=eau-assainissement') > 0`, 20*time.Second)
	var csv string
	tb.eval(`document.querySelector('.chart-tools[data-for="year"] a[download]').getAttribute('href')`, &csv)
	resp, err := http.Get(b.base + csv)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	resp.Body.Read(buf)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(buf) != "\ufeff" || !strings.Contains(csv, "lang=fr") {
		t.Errorf("CSV %s: %d, starts %q", csv, resp.StatusCode, buf)
	}
	var png string
	tb.eval(`(function () {
		var got = '', click = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () { got = this.href + ' ' + this.download; };
		document.querySelector('.chart-tools[data-for="year"] button').click();
		HTMLAnchorElement.prototype.click = click;
		return got;
	})()`, &png)
	if !strings.HasPrefix(png, "data:image/png;base64,") {
		t.Errorf("PNG download %.40q", png)
	}
	tb.screenshot("apd")
	tb.checkClean()

	phone := b.tab(t, 390, 844)
	phone.navigate("/apd?theme=eau-assainissement")
	phone.waitFor("APD view", `window.atlasMoneyReady === true`, 40*time.Second)
	var over int
	phone.eval(`document.documentElement.scrollWidth - window.innerWidth`, &over)
	if over > 0 {
		t.Errorf("/apd overflows a 390-pixel screen by %d px", over)
	}
	phone.screenshot("apd-390")
}

// The calls page lists every call and shows a call's laureates as the API
// gives them, on the map and in the table.
func TestBrowserCallsPage(t *testing.T) {
	b := newBrowser(t)
	var list struct {
		Total int `json:"total"`
	}
	getJSONAt(t, b.base+"/api/calls", &list)
	var call struct {
		Laureates []struct {
			Country string `json:"country"`
		} `json:"laureates"`
	}
	getJSONAt(t, b.base+"/api/calls/AAP-2015-CLIMAT", &call)
	countries := map[string]bool{}
	for _, l := range call.Laureates {
		countries[l.Country] = true
	}
	tb := b.tab(t, 1280, 900)
	tb.navigate("/appels?id=AAP-2015-CLIMAT")
	tb.waitFor("calls", `window.atlasMoneyReady === true && !document.getElementById('call-detail').hidden`, 40*time.Second)
	tb.waitMapIdle("")
	tb.waitFor("laureates' countries", `document.getElementById('calls-map').getAttribute('data-painted')`, 20*time.Second)
	var got struct {
		Calls, Laureates int
		Painted, Title   string
	}
	tb.eval(`({ Calls: document.querySelectorAll('.chart-tools[data-for="calls"] tbody tr').length,
		Laureates: document.querySelectorAll('.chart-tools[data-for="laureates"] tbody tr').length,
		Painted: document.getElementById('calls-map').getAttribute('data-painted'),
		Title: document.getElementById('h-call').textContent })`, &got)
	if got.Calls != list.Total || got.Laureates != len(call.Laureates) || got.Painted != itoa(len(countries)) || got.Title != "Appel à projets Climat 2015" {
		t.Errorf("page %+v; API: %d calls, %d laureates in %d countries", got, list.Total, len(call.Laureates), len(countries))
	}
	tb.screenshot("appels")
	tb.checkClean()
}
