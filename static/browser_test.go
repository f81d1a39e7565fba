package static_test

// Browser tests of the atlas pages: Debian's chromium, headless, driven with
// chromedp against the real server on the embedded dataset. They skip when
// Chromium is absent, unless ATLAS_REQUIRE_SERVICES=1. Screenshots and the
// benchmark figures go to $ATLAS_ARTIFACTS (default: a temporary directory).

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func chromiumPath() string {
	if p := os.Getenv("ATLAS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func artifactsDir(t *testing.T) string {
	dir := os.Getenv("ATLAS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "atlas-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts dir: %v", err)
	}
	return dir
}

// browser is one headless Chromium for a whole test, with one server.
type browser struct {
	t      *testing.T
	base   string
	alloc  context.Context
	root   context.Context
	arts   string
	mu     sync.Mutex
	cancel []context.CancelFunc
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserOn(t, nil)
}

// newBrowserOn is newBrowser on a server of snap (nil: the embedded data).
func newBrowserOn(t *testing.T, snap *index.Snapshot) *browser {
	t.Helper()
	if snap == nil {
		snap = atlastest.Snapshot(t)
	}
	return newBrowserAt(t, atlastest.NewServerOn(t, snap).URL)
}

// newBrowserAt is a headless Chromium for the server at base.
func newBrowserAt(t *testing.T, base string) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("ATLAS_REQUIRE_SERVICES") == "1" {
			t.Fatal("chromium not found (install Debian's chromium: apt-get install -y chromium) and ATLAS_REQUIRE_SERVICES=1")
		}
		t.Skip("chromium not found: browser tests skipped (apt-get install -y chromium; set ATLAS_REQUIRE_SERVICES=1 to make this a failure)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	if err := chromedp.Do(root); err != nil {
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start chromium %s: %v", path, err)
	}
	b := &browser{t: t, base: base, alloc: alloc, root: root, arts: artifactsDir(t)}
	t.Cleanup(func() {
		for _, c := range b.cancel {
			c()
		}
		cancelRoot()
		cancelAlloc()
	})
	return b
}

// tab is one page with its recorded requests and console errors.
type tab struct {
	t        *testing.T
	b        *browser
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (b *browser) tab(t *testing.T, width, height int64) *tab {
	ctx, cancel := chromedp.NewContext(b.root)
	b.mu.Lock()
	b.cancel = append(b.cancel, cancel)
	b.mu.Unlock()
	tb := &tab{t: t, b: b, ctx: ctx}
	listen := func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tb.requests = append(tb.requests, e.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, fmt.Sprintf("%s%s", a.Value, a.Description))
				}
				tb.errors = append(tb.errors, "console.error: "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			tb.errors = append(tb.errors, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				tb.errors = append(tb.errors, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}
	if err := chromedp.Listen(ctx, listen); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network.enable: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("log.enable: %v", err)
	}
	if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("runtime.enable: %v", err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 600}); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	return tb
}

func (tb *tab) navigate(path string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.b.base+path)); err != nil {
		tb.t.Fatalf("navigate %s: %v", path, err)
	}
}

// eval evaluates js (awaiting a promise) and decodes its JSON value into out
// (nil: ignored).
func (tb *tab) eval(js string, out any) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("eval %q: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			tb.t.Fatalf("eval %q: decode %s: %v", js, raw, err)
		}
	}
}

// waitFor polls a JS boolean expression.
func (tb *tab) waitFor(what, js string, timeout time.Duration) {
	tb.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tb.screenshot("timeout-" + strings.ReplaceAll(what, " ", "-"))
			tb.t.Fatalf("timed out after %s waiting for %s (%s); err=%v; errors=%v", timeout, what, js, err, tb.errors)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitMapIdle waits until the map (window.atlasMap, or expr) has loaded its
// style and tiles and rendered.
func (tb *tab) waitMapIdle(expr string) {
	tb.t.Helper()
	if expr == "" {
		expr = "window.atlasMap"
	}
	tb.waitFor("map object", expr, 30*time.Second)
	tb.waitFor("map idle", expr+".loaded() && "+expr+".areTilesLoaded() && "+expr+".isStyleLoaded()", 60*time.Second)
	var ok bool
	tb.eval(`new Promise(r => { const m = `+expr+`; m.triggerRepaint(); m.once('idle', () => r(true)); setTimeout(() => r(true), 5000); })`, &ok)
}

func (tb *tab) screenshot(name string) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(tb.b.arts, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
	}
	tb.t.Logf("screenshot: %s", p)
	return p
}

// checkClean fails on any request to another origin and on console errors
// (allowed: substrings of errors expected by the test).
func (tb *tab) checkClean(allowed ...string) {
	tb.t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	base, _ := url.Parse(tb.b.base)
	for _, r := range tb.requests {
		u, err := url.Parse(r)
		if err != nil {
			tb.t.Errorf("unparsable request URL %q", r)
			continue
		}
		if u.Scheme == "data" || u.Scheme == "blob" || r == "about:blank" {
			continue
		}
		if u.Host != base.Host || u.Scheme != base.Scheme {
			tb.t.Errorf("request to another origin: %s", r)
		}
	}
outer:
	for _, e := range tb.errors {
		for _, a := range allowed {
			if strings.Contains(e, a) {
				continue outer
			}
		}
		tb.t.Errorf("console error: %s", e)
	}
}

func (tb *tab) requestList() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.requests...)
}

type stats struct {
	Total  int `json:"total"`
	Groups []struct {
		Key   string `json:"key"`
		Count int    `json:"count"`
	} `json:"groups"`
}

func (b *browser) stats(t *testing.T, query string) stats {
	t.Helper()
	resp, err := http.Get(b.base + "/api/stats?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/stats?%s: %s", query, resp.Status)
	}
	var s stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

type rendered struct {
	Partnerships struct{ Features, Count int } `json:"partnerships"`
	Authorities  struct{ Features, Count int } `json:"authorities"`
	Partners     struct{ Features, Count int } `json:"partners"`
}

func (tb *tab) rendered() rendered {
	var r rendered
	tb.eval(`AtlasCore.countRendered(window.atlasMap)`, &r)
	return r
}

// fitAll is a view in which every partnership of the filter is on screen.
const fitAll = "1.05/25/40"

func TestBrowserAtlas(t *testing.T) {
	b := newBrowser(t)

	t.Run("arcs and points agree with the API", func(t *testing.T) {
		filter := "country=BJ,JP"
		tb := b.tab(t, 1280, 800)
		tb.navigate("/?" + filter + "&view=" + fitAll)
		tb.waitMapIdle("")
		r := tb.rendered()
		tb.screenshot("atlas-bj-jp")
		want := b.stats(t, "by=kind&unit=partnerships&"+filter).Total
		if want == 0 {
			t.Fatal("API reports no partnership for " + filter)
		}
		if r.Partnerships.Features == 0 || r.Authorities.Features == 0 || r.Partners.Features == 0 {
			t.Fatalf("nothing rendered: %+v", r)
		}
		if r.Partnerships.Count != want {
			t.Errorf("rendered partnerships %d (%d features), API total %d", r.Partnerships.Count, r.Partnerships.Features, want)
		}
		var total string
		tb.eval(`document.getElementById('counts').getAttribute('data-total')`, &total)
		if total != fmt.Sprint(want) {
			t.Errorf("page count %s, API %d", total, want)
		}
		var listed string
		tb.waitFor("list", `document.getElementById('result-list').getAttribute('data-matched')`, 20*time.Second)
		tb.eval(`document.getElementById('result-list').getAttribute('data-matched')`, &listed)
		if listed != fmt.Sprint(want) {
			t.Errorf("list matched %s, API %d", listed, want)
		}
		tb.checkClean()
	})

	t.Run("filter change updates URL and counts; copied URL reopens the state", func(t *testing.T) {
		tb := b.tab(t, 1280, 800)
		tb.navigate("/?view=" + fitAll)
		tb.waitMapIdle("")
		before := tb.rendered()
		allTotal := b.stats(t, "by=kind&unit=partnerships").Total
		tb.waitFor("filters built", `document.getElementById('f-theme-culture-patrimoine')`, 20*time.Second)
		tb.eval(`document.getElementById('f-theme-culture-patrimoine').click(), true`, nil)
		tb.eval(`document.getElementById('f-type-commune').click(), true`, nil)
		tb.waitFor("URL with filters", `location.search.includes('theme=culture-patrimoine') && location.search.includes('type=commune')`, 10*time.Second)
		want := b.stats(t, "by=kind&unit=partnerships&theme=culture-patrimoine&type=commune").Total
		if want == allTotal {
			t.Fatalf("filter does not change the API total (%d)", want)
		}
		tb.waitFor("page count", fmt.Sprintf(`document.getElementById('counts').getAttribute('data-total') === '%d'`, want), 20*time.Second)
		tb.waitMapIdle("")
		after := tb.rendered()
		if after.Partnerships.Count == before.Partnerships.Count {
			t.Errorf("rendered partnerships unchanged by the filter: %d", after.Partnerships.Count)
		}
		if after.Partnerships.Features == 0 {
			t.Errorf("no partnership rendered after the filter change")
		}
		// Move the view and select a partnership, then reopen the URL.
		var id string
		tb.waitFor("list filled", `document.querySelector('#result-list li')`, 20*time.Second)
		tb.eval(`document.querySelector('#result-list li').getAttribute('data-id')`, &id)
		tb.eval(`document.querySelector('#result-list li').click(), true`, nil)
		tb.waitFor("detail", `!document.getElementById('detail').hidden`, 20*time.Second)
		tb.waitFor("URL with sel", `location.search.includes('sel=')`, 10*time.Second)
		tb.eval(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: [2.35, 46.5], zoom: 4.5}); })`, nil)
		tb.waitFor("URL with view", `location.search.includes('view=4.5/46.5/2.35')`, 10*time.Second)
		tb.screenshot("atlas-filtered")
		var href string
		tb.eval(`location.href`, &href)
		tb.checkClean()

		tb2 := b.tab(t, 1280, 800)
		tb2.navigate(strings.TrimPrefix(href, b.base))
		tb2.waitMapIdle("")
		tb2.waitFor("filters rebuilt", `document.getElementById('f-theme-culture-patrimoine')`, 20*time.Second)
		var state struct {
			Theme, Type bool
			Zoom        float64
			Lon, Lat    float64
			Total, Sel  string
		}
		tb2.waitFor("detail reopened", `!document.getElementById('detail').hidden`, 20*time.Second)
		tb2.eval(`({theme: document.getElementById('f-theme-culture-patrimoine').checked, type: document.getElementById('f-type-commune').checked,
			zoom: atlasMap.getZoom(), lon: atlasMap.getCenter().lng, lat: atlasMap.getCenter().lat,
			total: document.getElementById('counts').getAttribute('data-total'), sel: atlas.getState().selected})`, &state)
		if !state.Theme || !state.Type {
			t.Errorf("reopened URL lost the checkboxes: %+v", state)
		}
		if math.Abs(state.Zoom-4.5) > 0.01 || math.Abs(state.Lon-2.35) > 0.01 || math.Abs(state.Lat-46.5) > 0.01 {
			t.Errorf("reopened URL lost the view: %+v", state)
		}
		if state.Total != fmt.Sprint(want) || state.Sel != id {
			t.Errorf("reopened URL: total %s sel %s, want %d %s", state.Total, state.Sel, want, id)
		}
		tb2.screenshot("atlas-reopened")
		tb2.checkClean()
	})

	t.Run("bad URL input gives a French message and the map without the filter", func(t *testing.T) {
		tb := b.tab(t, 1280, 800)
		tb.navigate("/?country=ZZ&theme=poterie&since=19x&view=" + fitAll)
		tb.waitMapIdle("")
		tb.waitFor("messages", `document.querySelectorAll('#messages .msg').length >= 3`, 20*time.Second)
		var text string
		tb.eval(`document.getElementById('messages').innerText`, &text)
		for _, want := range []string{"Paramètre « country »", "Paramètre « theme »", "Paramètre « since »", "sans ce filtre"} {
			if !strings.Contains(text, want) {
				t.Errorf("message %q missing from %q", want, text)
			}
		}
		r := tb.rendered()
		all := b.stats(t, "by=kind&unit=partnerships").Total
		var total string
		tb.eval(`document.getElementById('counts').getAttribute('data-total')`, &total)
		if r.Partnerships.Features == 0 || total != fmt.Sprint(all) {
			t.Errorf("map without the bad filters should show all %d partnerships, got count %s, rendered %+v", all, total, r)
		}
		tb.screenshot("atlas-bad-input")
		// The server's 400 for the unknown country is logged by the browser.
		tb.checkClean("status of 400")
	})

	t.Run("english switch", func(t *testing.T) {
		tb := b.tab(t, 1280, 800)
		tb.navigate("/?lang=en&tab=stats&country=JP")
		tb.waitMapIdle("")
		tb.waitFor("chart", `Chart.getChart('chart-theme')`, 20*time.Second)
		var title string
		tb.eval(`document.querySelector('h1').textContent`, &title)
		if title != "French atlas of decentralised cooperation" {
			t.Errorf("title %q", title)
		}
		tb.screenshot("atlas-en-stats")
		tb.checkClean()
	})

	t.Run("detail names the lists of a real partnership", func(t *testing.T) {
		// A real partnership documented by two lists, as the API gives it.
		resp, err := http.Get(b.base + "/ogc/collections/partnerships/items?limit=1&filter=" +
			url.QueryEscape("A_CONTAINS(sources, ('wikipedia-en', 'wikidata'))"))
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				ID string `json:"id"`
			} `json:"features"`
		}
		err = json.NewDecoder(resp.Body).Decode(&fc)
		resp.Body.Close()
		if err != nil || len(fc.Features) != 1 {
			t.Fatalf("no real partnership from both lists: %v", err)
		}
		tb := b.tab(t, 1280, 800)
		tb.navigate("/?sel=" + url.QueryEscape(fc.Features[0].ID))
		tb.waitFor("detail", `!document.getElementById('detail').hidden`, 20*time.Second)
		var text string
		tb.eval(`document.getElementById('detail').textContent`, &text)
		if !strings.Contains(text, "Données réelles : Wikipédia en anglais, Wikidata") {
			t.Errorf("detail of %s: %q", fc.Features[0].ID, text)
		}
		tb.eval(`document.getElementById('detail').scrollIntoView(), true`, nil)
		tb.screenshot("atlas-detail-sources")
		tb.checkClean()
	})
}

func TestBrowserEmbed(t *testing.T) {
	b := newBrowser(t)
	bench := map[string]float64{}

	t.Run("embed JP culture renders only those features", func(t *testing.T) {
		filter := "country=JP&theme=culture-patrimoine"
		tb := b.tab(t, 800, 500)
		tb.navigate("/embed?" + filter + "&view=" + fitAll)
		tb.waitMapIdle("")
		tb.waitFor("first partnerships", `window.atlasPerf && atlasPerf.firstPartnerships`, 30*time.Second)
		var first float64
		tb.eval(`atlasPerf.firstPartnerships`, &first)
		bench["embed_first_partnerships_ms"] = first
		var props []struct {
			Country string `json:"country"`
			Themes  string `json:"themes"`
			Cluster bool   `json:"cluster"`
		}
		tb.eval(`atlasMap.queryRenderedFeatures({layers: ['partnerships-line', 'partners-circle']}).map(f => f.properties)`, &props)
		if len(props) == 0 {
			t.Fatal("no feature rendered")
		}
		for _, p := range props {
			if p.Country != "JP" {
				t.Errorf("feature of country %q on a JP embed", p.Country)
			}
			if p.Themes != "" && !strings.Contains("|"+p.Themes+"|", "|culture-patrimoine|") {
				t.Errorf("feature with themes %q on a culture-patrimoine embed", p.Themes)
			}
		}
		want := b.stats(t, "by=kind&unit=partnerships&"+filter).Total
		if r := tb.rendered(); r.Partnerships.Count != want {
			t.Errorf("rendered %d partnerships, API %d", r.Partnerships.Count, want)
		}
		tb.screenshot("embed-jp-culture")
		// Only what the embed needs: page, assets, glyphs, tiles, one stats call.
		for _, r := range tb.requestList() {
			u, _ := url.Parse(r)
			p := u.Path
			if strings.HasPrefix(p, "/geojson/") || strings.HasPrefix(p, "/export/") || p == "/api/facets" || strings.Contains(p, "chart") {
				t.Errorf("embed page sent an unneeded request: %s", r)
			}
		}
		// Filter change benchmark: from the call to the idle map.
		var ms float64
		tb.eval(`atlas.setFilters({country: ['BJ']}).then(() => atlasPerf.lastUpdateMs)`, &ms)
		bench["embed_filter_change_ms"] = ms
		var props2 []struct {
			Country string `json:"country"`
		}
		tb.eval(`atlasMap.queryRenderedFeatures({layers: ['partnerships-line']}).map(f => f.properties)`, &props2)
		if len(props2) == 0 {
			t.Error("nothing rendered after setFilters BJ")
		}
		for _, p := range props2 {
			if p.Country != "BJ" {
				t.Errorf("after setFilters BJ: feature of %q", p.Country)
				break
			}
		}
		var search string
		tb.eval(`location.search`, &search)
		if !strings.Contains(search, "country=BJ") {
			t.Errorf("URL after setFilters: %s", search)
		}
		tb.checkClean()
	})

	t.Run("embed at 320 px with filter panel", func(t *testing.T) {
		tb := b.tab(t, 320, 560)
		tb.navigate("/embed?panel=1&country=BJ")
		tb.waitMapIdle("")
		var overflow bool
		tb.eval(`document.documentElement.scrollWidth > window.innerWidth`, &overflow)
		if overflow {
			t.Error("embed page scrolls horizontally at 320 px")
		}
		tb.screenshot("embed-320")
		tb.checkClean()
	})

	p := filepath.Join(b.arts, "benchmark.json")
	data, _ := json.MarshalIndent(bench, "", "  ")
	_ = os.WriteFile(p, data, 0o644)
	t.Logf("benchmark (ms since navigation start / since the filter call): %s -> %s", data, p)
}

func TestBrowserCountry(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1400, 800)
	tb.navigate("/atlas/BJ")
	tb.waitMapIdle("window.atlasMaps && atlasMaps[0]")
	tb.waitMapIdle("window.atlasMaps && atlasMaps[1]")
	tb.waitFor("charts and lists", `Chart.getChart('chart-theme') && document.querySelector('#top-partners li')`, 30*time.Second)
	var panes []rendered
	tb.eval(`atlas.countRendered()`, &panes)
	if len(panes) != 2 {
		t.Fatalf("want 2 panes, got %d", len(panes))
	}
	if panes[0].Authorities.Features == 0 || panes[0].Partnerships.Features == 0 {
		t.Errorf("France pane renders no authorities or arcs: %+v", panes[0])
	}
	if panes[1].Partners.Features == 0 || panes[1].Partnerships.Features == 0 {
		t.Errorf("partner pane renders no partners or arcs: %+v", panes[1])
	}
	var title string
	tb.eval(`document.getElementById('country-title').textContent`, &title)
	if !strings.Contains(title, "Bénin") {
		t.Errorf("title %q does not name Bénin", title)
	}
	tb.screenshot("country-bj")
	tb.checkClean()

	tb2 := b.tab(t, 1400, 800)
	tb2.navigate("/atlas/ZZ")
	tb2.waitMapIdle("window.atlasMaps && atlasMaps[0]")
	tb2.waitFor("message", `document.querySelector('#messages .msg')`, 20*time.Second)
	var text string
	tb2.eval(`document.getElementById('messages').innerText`, &text)
	if !strings.Contains(text, "« country »") {
		t.Errorf("unknown country message: %q", text)
	}
	tb2.screenshot("country-unknown")
	// The page itself is a 404 (the atlas has no such country), the data
	// requests naming ZZ are 400s: both are what the reader's message says.
	tb2.checkClean("status of 400", "status of 404 (Not Found) "+tb2.b.base+"/atlas/ZZ")
}
