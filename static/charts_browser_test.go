package static_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every chart of the atlas and of the country view has integer ticks for its
// counts, every year between the first and the last (zero when empty), and
// under it the table of what it shows, the CSV of the same statistics and a
// PNG of the chart.
func TestBrowserChartsTablesAndPNG(t *testing.T) {
	b := newBrowser(t)
	cases := []struct {
		path   string
		charts []string // canvas ids
		query  string   // the stats' filter
	}{
		{"/?tab=stats", []string{"theme", "country", "year", "type"}, ""},
		{"/atlas/JP", []string{"theme", "type", "year"}, "country=JP"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			tb := b.tab(t, 1280, 900)
			tb.navigate(c.path)
			cond := make([]string, len(c.charts))
			for i, id := range c.charts {
				cond[i] = `Chart.getChart('chart-` + id + `') && document.querySelector('.chart-tools[data-for="` + id + `"] table')`
			}
			tb.waitFor("charts and their tables", strings.Join(cond, " && "), 40*time.Second)
			for _, id := range c.charts {
				var got struct {
					IntTicks bool
					Rows     [][]string
					CSV      string
				}
				tb.eval(`(function () {
					var ch = Chart.getChart('chart-`+id+`'), box = document.querySelector('.chart-tools[data-for="`+id+`"]');
					var ax = ch.config.type === 'doughnut' ? null : (ch.options.indexAxis === 'y' ? ch.scales.x : ch.scales.y);
					return { IntTicks: !ax || ax.ticks.every(function (t) { return Number.isInteger(t.value); }),
						Rows: Array.from(box.querySelectorAll('tbody tr')).map(function (tr) { return Array.from(tr.cells).map(function (td) { return td.textContent; }); }),
						CSV: box.querySelector('a[download]').getAttribute('href') };
				})()`, &got)
				if !got.IntTicks {
					t.Errorf("%s: a count axis has non-integer ticks", id)
				}
				if len(got.Rows) == 0 {
					t.Fatalf("%s: empty table", id)
				}
				if !strings.Contains(got.CSV, "format=csv") || !strings.Contains(got.CSV, "by="+id) || !strings.Contains(got.CSV, c.query) {
					t.Errorf("%s: CSV link %q is not the chart's statistics", id, got.CSV)
				}
				resp, err := http.Get(b.base + got.CSV)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
					t.Errorf("%s: CSV %s: %d %s", id, got.CSV, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				if id == "year" {
					// Every year between the first and the last, in order;
					// the table's counts add up to the statistics' total.
					s := b.stats(t, "by=year&unit=partnerships&"+c.query)
					prev, sum := 0, 0
					for _, r := range got.Rows {
						n, _ := strconv.Atoi(strings.NewReplacer("\u202f", "", "\u00a0", "", " ", "").Replace(r[1]))
						sum += n
						y, err := strconv.Atoi(r[0])
						if err != nil {
							continue // the unknown year
						}
						if prev != 0 && y != prev+1 {
							t.Errorf("year table jumps from %d to %d", prev, y)
						}
						prev = y
					}
					if sum != s.Total {
						t.Errorf("year table sums to %d, statistics total %d", sum, s.Total)
					}
				}
			}
			// The PNG button downloads the chart as a PNG data URL.
			var png string
			tb.eval(`(function () {
				var got = '', click = HTMLAnchorElement.prototype.click;
				HTMLAnchorElement.prototype.click = function () { got = this.href + ' ' + this.download; };
				document.querySelector('.chart-tools[data-for="theme"] button').click();
				HTMLAnchorElement.prototype.click = click;
				return got;
			})()`, &png)
			if !strings.HasPrefix(png, "data:image/png;base64,") || !strings.HasSuffix(png, "-theme.png") {
				t.Errorf("PNG download: %.60q", png)
			}
			tb.checkClean()
		})
	}
}

// The country view offers its print map (format and page), its link and its
// embed code, and on a 390-pixel phone nothing overflows sideways and the
// counts, legend and actions are reachable.
func TestBrowserCountryActions(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 390, 844)
	tb.navigate("/atlas/JP?kind=jumelage")
	tb.waitFor("print link, counts and legend", `document.getElementById('print-link') && /JP\.pdf/.test(document.getElementById('print-link').href) && document.querySelector('#legend li') && document.getElementById('counts').textContent`, 40*time.Second)
	var got struct {
		Overflow       int
		PDF, PNG       string
		Reachable      bool
		CountsTop      int
		ActionsVisible bool
	}
	tb.eval(`(function () {
		var o = { Overflow: document.documentElement.scrollWidth - window.innerWidth, PDF: document.getElementById('print-link').getAttribute('href') };
		var f = document.getElementById('print-format'), p = document.getElementById('print-page');
		f.value = 'png'; f.dispatchEvent(new Event('change'));
		p.value = '420x297'; p.dispatchEvent(new Event('change'));
		o.PNG = document.getElementById('print-link').getAttribute('href');
		['counts', 'legend', 'print-link', 'btn-embed'].forEach(function (id) { document.getElementById(id).scrollIntoView(); });
		var r = document.getElementById('btn-embed').getBoundingClientRect();
		o.ActionsVisible = r.width > 0 && r.right <= window.innerWidth;
		o.Reachable = ['counts', 'legend'].every(function (id) { return document.getElementById(id).getBoundingClientRect().height > 0; });
		return o;
	})()`, &got)
	if got.Overflow > 0 {
		t.Errorf("the page overflows the 390-pixel screen by %d px", got.Overflow)
	}
	if got.PDF != "/atlas/JP.pdf?width=297&height=210&kind=jumelage" {
		t.Errorf("default print link %q", got.PDF)
	}
	if got.PNG != "/atlas/JP.png?width=420&height=297&kind=jumelage" {
		t.Errorf("A3 PNG link %q", got.PNG)
	}
	if !got.Reachable || !got.ActionsVisible {
		t.Errorf("counts, legend or actions not reachable on a phone: %+v", got)
	}
	resp, err := http.Get(b.base + got.PNG)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("print map %s: %d %s", got.PNG, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The embed code: an iframe on /embed with the view's filters; the
	// status line says it was copied.
	var copied struct{ Text, Status string }
	tb.eval(`(function () {
		var text = '';
		Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: function (s) { text = s; return Promise.resolve(); } } });
		document.getElementById('btn-embed').click();
		return new Promise(function (res) { setTimeout(function () { res({ Text: text, Status: document.getElementById('copy-status').textContent }); }, 200); });
	})()`, &copied)
	if !strings.Contains(copied.Text, `<iframe src="`+b.base+`/embed?country=JP&amp;kind=jumelage"`) {
		t.Errorf("embed code %q", copied.Text)
	}
	if copied.Status == "" {
		t.Errorf("no copy confirmation")
	}
	tb.screenshot("country-jp-390")
	tb.checkClean()
}

// MapLibre's own strings (the controls' titles, the canvas' name) follow the
// page's language.
func TestBrowserMapStringsInFrench(t *testing.T) {
	b := newBrowser(t)
	for _, c := range []struct{ path, zoomIn, zoomOut string }{
		{"/atlas/JP", "Zoomer", "Dézoomer"}, {"/embed?country=JP", "Zoomer", "Dézoomer"}, {"/atlas/JP?lang=en", "Zoom in", "Zoom out"},
	} {
		tb := b.tab(t, 1280, 900)
		tb.navigate(c.path)
		tb.waitFor("zoom control", `document.querySelector('.maplibregl-ctrl-zoom-in')`, 30*time.Second)
		var got []string
		tb.eval(`[document.querySelector('.maplibregl-ctrl-zoom-in').title, document.querySelector('.maplibregl-ctrl-zoom-out').title]`, &got)
		if len(got) != 2 || got[0] != c.zoomIn || got[1] != c.zoomOut {
			t.Errorf("%s: zoom controls %q, want %q, %q", c.path, got, c.zoomIn, c.zoomOut)
		}
	}
}

// The result list sorts by a column, in both directions, groups by
// collectivité, pages ("Afficher plus") with its count, and its CSV download
// is the same sort of the same selection.
func TestBrowserResultListSortGroupAndCSV(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/?country=SN")
	tb.waitFor("list", `document.querySelectorAll('#result-list li[role=option]').length > 0`, 40*time.Second)
	change := func(js string) {
		tb.eval(`(function () { `+js+`; return true; })()`, nil)
	}
	change(`var s = document.getElementById('list-sort'); s.value = 'start_year'; s.dispatchEvent(new Event('change'));
		var d = document.getElementById('list-desc'); d.checked = true; d.dispatchEvent(new Event('change'))`)
	tb.waitFor("sorted list", `window.__sorted = fetch('/geojson/partnerships?country=SN&sortby=-start_year&limit=50').then(r => r.json()).then(fc => fc.features.map(f => f.properties.id).join(',')), true`, 5*time.Second)
	var want string
	tb.eval(`window.__sorted`, &want)
	tb.waitFor("list in that order", `Array.from(document.querySelectorAll('#result-list li[role=option]')).map(li => li.getAttribute('data-id')).join(',') === `+strconv.Quote(want), 20*time.Second)
	var href string
	tb.eval(`(function () {
		var got = '', click = HTMLAnchorElement.prototype.click;
		HTMLAnchorElement.prototype.click = function () { got = this.getAttribute('href'); };
		document.getElementById('dl-csv').click();
		HTMLAnchorElement.prototype.click = click;
		return got;
	})()`, &href)
	if !strings.Contains(href, "sortby=-start_year") || !strings.Contains(href, "country=SN") {
		t.Errorf("CSV download %q is not the list's sort", href)
	}
	// Grouped: a heading per collectivité, the list sorted by it, paged.
	change(`var g = document.getElementById('list-group'); g.checked = true; g.dispatchEvent(new Event('change'))`)
	tb.waitFor("groups", `document.querySelectorAll('#result-list .group-head').length > 1`, 20*time.Second)
	var got struct {
		Heads, Options int
		Status         string
		More           bool
	}
	tb.eval(`({ Heads: new Set(Array.from(document.querySelectorAll('#result-list .group-head')).map(h => h.getAttribute('data-group'))).size,
		Options: document.querySelectorAll('#result-list li[role=option]').length,
		Status: document.getElementById('list-status').textContent, More: !document.getElementById('list-more').hidden })`, &got)
	heads := got.Heads
	var n int
	tb.eval(`document.querySelectorAll('#result-list .group-head').length`, &n)
	if n != heads || got.Options != 50 || !got.More || !strings.Contains(got.Status, "50") {
		t.Errorf("grouped list: %d headings for %d collectivités, %+v", n, heads, got)
	}
	change(`document.getElementById('list-more').click()`)
	tb.waitFor("second page", `document.querySelectorAll('#result-list li[role=option]').length > 50`, 20*time.Second)
	tb.eval(`document.querySelectorAll('#result-list .group-head').length === new Set(Array.from(document.querySelectorAll('#result-list .group-head')).map(h => h.getAttribute('data-group'))).size`, &got.More)
	if !got.More {
		t.Error("a collectivité's heading repeats across pages")
	}
	tb.screenshot("list-grouped")
	tb.checkClean()
}
