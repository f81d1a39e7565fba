package static_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The side panel's tabs and the years' range are the DSFR's components,
// driven by its script: the arrow keys move between the tabs and show the
// panel, the page follows (URL, charts), and the double range draws the
// span between its thumbs. The embed loads none of it.
func TestBrowserDSFRTabsRange(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/?country=JP&since=1990")
	tb.waitFor("list and filters", `window.atlasMap && document.querySelectorAll('#result-list li').length > 0 && document.getElementById('f-since')`, 40*time.Second)
	// The DSFR's script has taken the components over: it marks what it
	// drives with data-fr-js-* attributes.
	tb.waitFor("DSFR started", `document.querySelector('.side-tabs [role=tablist][data-fr-js-tabs-list]') && document.querySelector('#tab-stats[data-fr-js-tab-button]') && document.querySelector('.fr-range--double[data-fr-js-range]')`, 20*time.Second)

	key := func(sel string, k string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Focus(sel), chromedp.KeyEvent(k)); err != nil {
			t.Fatalf("%s on %s: %v", k, sel, err)
		}
	}
	type tabs struct {
		Selected, Panel, Focus, URL string
		StatsVisible                bool
	}
	state := func() tabs {
		var s tabs
		tb.eval(`(() => ({Selected: document.querySelector('.side-tabs [role=tab][aria-selected=true]').id,
			Panel: document.querySelector('.side-tabs .fr-tabs__panel--selected').id,
			Focus: document.activeElement.id, URL: location.search,
			StatsVisible: getComputedStyle(document.getElementById('pane-stats')).visibility === 'visible'}))()`, &s)
		return s
	}
	if s := state(); s.Selected != "tab-list" || s.Panel != "pane-list" || s.StatsVisible {
		t.Fatalf("on load: %+v, want the list tab and its panel only", s)
	}
	key("#tab-list", kb.ArrowRight)
	tb.waitFor("statistics shown", `document.getElementById('pane-stats').classList.contains('fr-tabs__panel--selected') && location.search.includes('tab=stats')`, 10*time.Second)
	if s := state(); s.Selected != "tab-stats" || s.Focus != "tab-stats" {
		t.Errorf("after → on the list tab: %+v, want the statistics tab selected and focused", s)
	}
	tb.waitFor("statistics visible with their chart", `getComputedStyle(document.getElementById('pane-stats')).visibility === 'visible' && document.getElementById('chart-theme').getBoundingClientRect().width > 100`, 10*time.Second)
	key("#tab-stats", kb.Home)
	tb.waitFor("list shown again", `document.getElementById('pane-list').classList.contains('fr-tabs__panel--selected') && !location.search.includes('tab=stats')`, 10*time.Second)
	if s := state(); s.Selected != "tab-list" || s.Focus != "tab-list" {
		t.Errorf("after Home: %+v, want the list tab selected and focused", s)
	}
	// Opened on the statistics, the page shows them from the start.
	tb2 := b.tab(t, 1280, 900)
	tb2.navigate("/?tab=stats")
	tb2.waitFor("statistics from the URL", `document.querySelector('#tab-stats[aria-selected=true]') && document.querySelector('.side-tabs [role=tablist][data-fr-js-tabs-list]') && getComputedStyle(document.getElementById('pane-stats')).visibility === 'visible'`, 40*time.Second)

	// The double range: its output says both years, the span between the
	// thumbs is drawn (the script sets its --progress-* variables), and an
	// arrow key moves a year, the URL and the counts along.
	type rng struct {
		Output, Left, Right, ValueText string
		Counts                         int
	}
	rangeState := func() rng {
		var r rng
		tb.eval(`(() => { const box = document.querySelector('.fr-range--double'); const cs = getComputedStyle(box);
			return {Output: box.querySelector('.fr-range__output').textContent, Left: cs.getPropertyValue('--progress-left').trim(),
				Right: cs.getPropertyValue('--progress-right').trim(), ValueText: document.getElementById('f-since').getAttribute('aria-valuetext'),
				Counts: +document.getElementById('counts').getAttribute('data-total') || 0}; })()`, &r)
		return r
	}
	tb.waitFor("range drawn", `getComputedStyle(document.querySelector('.fr-range--double')).getPropertyValue('--progress-left').trim() !== ''`, 10*time.Second)
	before := rangeState()
	if !strings.Contains(before.Output, "1990") || before.Left == "" || before.Right == "" {
		t.Errorf("range on load: %+v, want 1990 in its output and its span drawn", before)
	}
	key("#f-since", kb.ArrowRight)
	tb.waitFor("since moved to 1991", `location.search.includes('since=1991')`, 10*time.Second)
	tb.waitFor("span redrawn", `getComputedStyle(document.querySelector('.fr-range--double')).getPropertyValue('--progress-left').trim() !== `+jsString(before.Left), 10*time.Second)
	after := rangeState()
	if !strings.Contains(after.Output, "1991") || !strings.Contains(after.ValueText, "1991") {
		t.Errorf("range after →: %+v, want 1991 in its output and its value text", after)
	}
	if want := b.stats(t, "by=kind&unit=partnerships&country=JP&since=1990").Total; before.Counts != want {
		t.Errorf("since=1990: the page counts %d partnerships, the API %d", before.Counts, want)
	}
	want := b.stats(t, "by=kind&unit=partnerships&country=JP&since=1991").Total
	tb.waitFor("counts of since=1991", fmt.Sprintf(`document.getElementById('counts').getAttribute('data-total') === '%d'`, want), 10*time.Second)
	tb.eval(`document.querySelector('.fr-range--double').scrollIntoView({block: 'center'})`, nil)
	tb.screenshot("dsfr-tabs-range")
	tb.checkClean()

	// The embed with its filter panel keeps plain inputs and no DSFR.
	te := b.tab(t, 900, 600)
	te.navigate("/embed?country=JP&panel=1")
	te.waitFor("embed filters", `document.getElementById('f-since')`, 40*time.Second)
	var embed struct{ DSFR, Range bool }
	te.eval(`({DSFR: !!window.dsfr || !!document.querySelector('script[src*="dsfr"], link[href*="dsfr"]'), Range: !!document.querySelector('.fr-range')})`, &embed)
	if embed.DSFR || embed.Range {
		t.Errorf("embed: %+v, want neither the DSFR nor its range", embed)
	}
}
