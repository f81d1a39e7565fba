package static_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tableState is what the results table shows.
type tableState struct {
	Headers  []string
	Sorts    []string // each header's aria-sort
	Buttons  int      // headers with a sort button
	Rows     []string // the partnership ids, in order
	Groups   []string // the group rows' collectivités
	GroupTHs int      // group headers that are th scope=rowgroup spanning every column
	Caption  string
	Page     string
	Prev     bool // enabled
	Next     bool
	CSV      string
	URL      string
	Focus    string // data-sort of the focused header's button
}

const tableStateJS = `(() => {
	const tb = document.getElementById('results'), ths = Array.from(tb.querySelectorAll('thead th[scope=col]'));
	const a = document.activeElement;
	return {
		Headers: ths.map(th => th.textContent.trim()), Sorts: ths.map(th => th.getAttribute('aria-sort')),
		Buttons: ths.filter(th => th.querySelector('button')).length,
		Rows: Array.from(tb.querySelectorAll('tbody tr[data-id]')).map(tr => tr.getAttribute('data-id')),
		Groups: Array.from(tb.querySelectorAll('tbody th[scope=rowgroup]')).map(th => th.getAttribute('data-group')),
		GroupTHs: Array.from(tb.querySelectorAll('tbody th[scope=rowgroup]')).filter(th => th.colSpan === ths.length && th.parentElement === th.closest('tbody').firstElementChild).length,
		Caption: tb.caption.textContent, Page: document.getElementById('table-page').textContent,
		Prev: !document.getElementById('table-prev').disabled, Next: !document.getElementById('table-next').disabled,
		CSV: document.getElementById('table-csv').getAttribute('href'), URL: location.search,
		Focus: a && a.closest('th') ? a.closest('th').getAttribute('data-sort') : ''
	};
})()`

// The atlas's results table: a <table> with a caption, column headers that
// sort server side from the mouse and the keyboard (aria-sort, the focus
// kept on the header), grouping by collectivité under rowgroup headers,
// pages, the URL state, and a CSV link of exactly the rows it shows; on a
// phone it scrolls sideways inside its wrapper, never the page.
func TestBrowserResultsTable(t *testing.T) {
	b := newBrowser(t)
	api := func(path string, out any) {
		t.Helper()
		resp, err := http.Get(b.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	ids := func(path string) (matched int, out []string) {
		t.Helper()
		var fc struct {
			NumberMatched int `json:"numberMatched"`
			Features      []struct {
				Properties struct {
					ID string `json:"id"`
				} `json:"properties"`
			} `json:"features"`
		}
		api(path, &fc)
		for _, f := range fc.Features {
			out = append(out, f.Properties.ID)
		}
		return fc.NumberMatched, out
	}
	matched, firstPage := ids("/geojson/partnerships?country=SN&limit=50")
	if matched <= 50 {
		t.Fatalf("the test needs more than one page of SN partnerships, got %d", matched)
	}
	tb := b.tab(t, 1280, 900)
	var st tableState
	state := func() tableState {
		t.Helper()
		var s tableState
		tb.eval(tableStateJS, &s)
		return s
	}
	// waitRows waits until the table shows want (ids in order), then returns
	// its state.
	waitRows := func(what string, want []string) tableState {
		t.Helper()
		js, _ := json.Marshal(strings.Join(want, ","))
		tb.waitFor(what, `Array.from(document.querySelectorAll('#results tbody tr[data-id]')).map(tr => tr.getAttribute('data-id')).join(',') === `+string(js)+
			` && !document.getElementById('results-table').hasAttribute('aria-busy')`, 30*time.Second)
		return state()
	}

	// Opened from the list's button.
	tb.navigate("/?country=SN")
	tb.waitFor("list", `document.querySelectorAll('#result-list li[role=option]').length > 0`, 40*time.Second)
	tb.eval(`document.getElementById('btn-table').click(), true`, nil)
	st = waitRows("table", firstPage)
	if len(st.Headers) != 8 || st.Buttons != 8 {
		t.Fatalf("headers %q, %d with a button", st.Headers, st.Buttons)
	}
	for i, w := range []string{"Collectivité", "Type de collectivité", "Département", "Autorité partenaire", "Pays", "Nature", "Année", "Thématiques"} {
		if st.Headers[i] != w || st.Sorts[i] != "none" {
			t.Errorf("header %d: %q aria-sort=%q, want %q none", i, st.Headers[i], st.Sorts[i], w)
		}
	}
	n := strconv.Itoa(matched)
	if !strings.Contains(st.Caption, "Sénégal") || !strings.Contains(st.Caption, n+" partenariats") {
		t.Errorf("caption %q lacks the filter or the count %s", st.Caption, n)
	}
	pages := strconv.Itoa((matched + 49) / 50)
	if st.Page != "Page 1 sur "+pages+" · lignes 1 à 50 sur "+n || st.Prev || !st.Next {
		t.Errorf("pager %q prev=%v next=%v", st.Page, st.Prev, st.Next)
	}
	if !strings.Contains(st.URL, "table=1") {
		t.Errorf("URL %q does not keep the open table", st.URL)
	}

	// The page's checkboxes are the DSFR's: each input in a
	// .fr-checkbox-group, followed by its label, which draws the box.
	var cbs struct{ All, DSFR int }
	tb.eval(`(() => { const all = Array.from(document.querySelectorAll('#filters-form input[type=checkbox], #pane-list input[type=checkbox], #results-table input[type=checkbox]'));
		return {All: all.length, DSFR: all.filter(cb => cb.parentElement.classList.contains('fr-checkbox-group') && cb.nextElementSibling && cb.nextElementSibling.matches('label.fr-label[for="' + cb.id + '"]') &&
			getComputedStyle(cb).opacity === '0' && getComputedStyle(cb.nextElementSibling, '::before').width !== 'auto').length}; })()`, &cbs)
	if cbs.All < 20 || cbs.DSFR != cbs.All {
		t.Errorf("%d of the page's %d checkboxes are DSFR checkboxes (input then label in .fr-checkbox-group)", cbs.DSFR, cbs.All)
	}

	// « Année » from the keyboard: Tab reaches it, Enter sorts ascending,
	// Space descending; the focus stays on it.
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	tb.eval(`document.querySelector('#results th[data-sort=kind] button').focus(), true`, nil)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	_, asc := ids("/geojson/partnerships?country=SN&sortby=start_year&limit=50")
	st = waitRows("ascending years", asc)
	if st.Sorts[6] != "ascending" || st.Sorts[0] != "none" || st.Focus != "start_year" || !strings.Contains(st.URL, "sortby=start_year") {
		t.Errorf("after Enter on « Année »: aria-sort %q, focus on %q, URL %q", st.Sorts, st.Focus, st.URL)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
		t.Fatal(err)
	}
	_, desc := ids("/geojson/partnerships?country=SN&sortby=-start_year&limit=50")
	st = waitRows("descending years", desc)
	if st.Sorts[6] != "descending" || st.Focus != "start_year" || !strings.Contains(st.URL, "sortby=-start_year") || !strings.Contains(st.Caption, "triés par année, décroissant") {
		t.Errorf("after Space on « Année »: aria-sort %q, focus on %q, URL %q, caption %q", st.Sorts, st.Focus, st.URL, st.Caption)
	}
	tb.screenshot("table-sorted-1280")
	// The list follows the table's order.
	tb.waitFor("list in the table's order", `document.getElementById('list-sort').value === 'start_year' && document.getElementById('list-desc').checked && Array.from(document.querySelectorAll('#result-list li[role=option]')).slice(0, 50).map(li => li.getAttribute('data-id')).join(',') === `+strconv.Quote(strings.Join(desc, ",")), 30*time.Second)

	// The CSV link is this page: same filters, order and rows.
	csvRows := func(href string) []string {
		t.Helper()
		if !strings.Contains(href, "country=SN") || !strings.Contains(href, "lang=fr") {
			t.Errorf("CSV link %q lacks the filter or the French CSV", href)
		}
		resp, err := http.Get(b.base + href)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body strings.Builder
		buf := make([]byte, 32<<10)
		for {
			k, err := resp.Body.Read(buf)
			body.Write(buf[:k])
			if err != nil {
				break
			}
		}
		var out []string
		for i, line := range strings.Split(strings.TrimSpace(body.String()), "\n") {
			if i > 0 {
				out = append(out, strings.SplitN(line, ";", 2)[0])
			}
		}
		return out
	}
	if got := csvRows(st.CSV); strings.Join(got, ",") != strings.Join(st.Rows, ",") {
		t.Errorf("CSV link %s: %d rows %v, the table shows %d %v", st.CSV, len(got), got, len(st.Rows), st.Rows)
	}

	// Next page, then its CSV.
	tb.eval(`document.getElementById('table-next').click(), true`, nil)
	_, page2 := ids("/geojson/partnerships?country=SN&sortby=-start_year&limit=50&offset=50")
	st = waitRows("second page", page2)
	if !strings.HasPrefix(st.Page, "Page 2 sur "+pages) || !st.Prev {
		t.Errorf("second page: pager %q prev=%v", st.Page, st.Prev)
	}
	if got := csvRows(st.CSV); strings.Join(got, ",") != strings.Join(st.Rows, ",") {
		t.Errorf("second page's CSV %s: %v, the table shows %v", st.CSV, got, st.Rows)
	}

	// Grouped by collectivité: sorted by it, each one's rows under a
	// rowgroup header, back to the first page, in the URL.
	tb.eval(`(() => { const g = document.getElementById('table-group'); g.checked = true; g.dispatchEvent(new Event('change')); return true; })()`, nil)
	_, grouped := ids("/geojson/partnerships?country=SN&sortby=-authority&limit=50")
	st = waitRows("grouped", grouped)
	seen := map[string]bool{}
	for _, g := range st.Groups {
		if seen[g] {
			t.Errorf("collectivité %s heads two groups on one page", g)
		}
		seen[g] = true
	}
	if len(st.Groups) < 2 || st.GroupTHs != len(st.Groups) || st.Sorts[0] != "descending" || !strings.Contains(st.URL, "group=authority") ||
		!strings.HasPrefix(st.Page, "Page 1 ") || !strings.Contains(st.Caption, "groupés par collectivité") {
		t.Errorf("grouped table: %d groups (%d rowgroup headers), aria-sort %q, URL %q, pager %q, caption %q", len(st.Groups), st.GroupTHs, st.Sorts, st.URL, st.Page, st.Caption)
	}
	tb.waitFor("grouped list", `document.getElementById('list-group').checked && document.querySelectorAll('#result-list .group-head').length > 1`, 30*time.Second)
	tb.screenshot("table-grouped-1280")

	// A copied link reopens the table with its order and grouping.
	tb.navigate("/" + st.URL)
	st = waitRows("reopened", grouped)
	if st.Sorts[0] != "descending" || len(st.Groups) < 2 {
		t.Errorf("reopened %s: aria-sort %q, %d groups", st.URL, st.Sorts, len(st.Groups))
	}
	tb.checkClean()

	// On a phone: the table scrolls inside its wrapper, the page never
	// sideways.
	ph := b.tab(t, 390, 844)
	ph.navigate("/?country=SN&table=1&sortby=-start_year")
	ph.waitFor("phone table", `document.querySelectorAll('#results tbody tr[data-id]').length === 50`, 40*time.Second)
	// Opened by its URL, the page scrolls down to it once drawn.
	ph.waitFor("table in view", `Math.abs(document.getElementById('results-table').getBoundingClientRect().top) < 2`, 30*time.Second)
	var o struct{ Page, View, Inner, Wrap int }
	ph.eval(`({Page: document.documentElement.scrollWidth, View: document.documentElement.clientWidth,
		Inner: document.getElementById('results').scrollWidth, Wrap: document.querySelector('#results-table .fr-table__container').clientWidth})`, &o)
	if o.Page > o.View || o.Wrap > o.View || o.Inner <= o.Wrap {
		t.Errorf("phone: page %d px wide in %d, table %d in a %d px wrapper", o.Page, o.View, o.Inner, o.Wrap)
	}
	ph.screenshot("table-390")
	ph.checkClean()
}

// selectState is what a selection from the results table shows.
type selectState struct {
	Sel       string  // atlas.getState().selected
	URL       string  // location.search
	Filter    string  // the highlighted arc layer's filter
	Detail    bool    // the detail panel is shown
	DetailFor string  // the partner named in it
	Focus     string  // where the focus is: "detail", "row:<id>" or the tag
	Current   string  // the row marked aria-current
	Moving    bool    // the map is still moving
	Ends      int     // how many of the partnership's ends the map's view holds
	Zoom      float64 // the map's zoom
}

const selectStateJS = `(async () => {
	const st = atlas.getState(), a = document.activeElement, d = document.getElementById('detail');
	const p = st.selected ? await (await fetch('/api/partnerships/' + encodeURIComponent(st.selected))).json() : null;
	const b = atlasMap.getBounds();
	const ends = p ? [p.authority.point, p.partner.point].filter(pt => b.contains(pt)).length : 0;
	const cur = document.querySelector('#results tbody tr[aria-current=true]');
	return {
		Sel: st.selected || '', URL: location.search, Filter: JSON.stringify(atlasMap.getFilter('partnerships-selected')),
		Detail: !d.hidden, DetailFor: p && !d.hidden && d.textContent.includes(p.partner.name) ? p.partner.name : '',
		Focus: a === d ? 'detail' : a && a.matches('#results button[data-select]') ? 'row:' + a.getAttribute('data-select') : a ? a.tagName : '',
		Current: cur ? cur.getAttribute('data-id') : '', Moving: atlasMap.isMoving(), Ends: ends, Zoom: atlasMap.getZoom()
	};
})()`

// A row of the results table selects its partnership on the map, as a
// click on its arc does: from its first cell's button (Enter, Space, a
// click) or a click on the row, the map fits both ends, the arc is
// highlighted, the detail opens with the focus, the URL carries the
// selection and the view; Escape closes the detail and gives the focus
// back to the row's button.
func TestBrowserResultsTableSelect(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/?country=SN&table=1&sortby=start_year")
	tb.waitMapIdle("")
	tb.waitFor("table", `document.querySelectorAll('#results tbody tr[data-id]').length >= 10 && !document.getElementById('results-table').hasAttribute('aria-busy')`, 40*time.Second)
	var ids []string
	tb.eval(`Array.from(document.querySelectorAll('#results tbody tr[data-id]')).slice(0, 10).map(tr => tr.getAttribute('data-id'))`, &ids)
	// The first cell's control is a real button, named after the row.
	var ctl struct {
		Tag, Type, Label string
		InFirst          bool
	}
	tb.eval(`(() => { const btn = document.querySelector('#results tr[data-id="`+ids[3]+`"] button[data-select]');
		return {Tag: btn.tagName, Type: btn.type, Label: btn.getAttribute('aria-label'), InFirst: btn.closest('td') === btn.closest('tr').cells[0]}; })()`, &ctl)
	if ctl.Tag != "BUTTON" || ctl.Type != "button" || !ctl.InFirst || !strings.HasPrefix(ctl.Label, "Voir sur la carte : ") {
		t.Fatalf("row control %+v", ctl)
	}
	// Move the map away first, so that the fit is the selection's.
	tb.eval(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: [-150, -40], zoom: 5}); })`, nil)
	state := func() selectState {
		t.Helper()
		var s selectState
		tb.eval(selectStateJS, &s)
		return s
	}
	// waitSelected waits until id is selected, the map at rest, then checks
	// everything a selection shows.
	waitSelected := func(how, id string) {
		t.Helper()
		tb.waitFor(how+": selected and fitted", `atlas.getState().selected === '`+id+`' && !document.getElementById('detail').hidden && !atlasMap.isMoving() && document.activeElement === document.getElementById('detail')`, 30*time.Second)
		s := state()
		if s.Ends != 2 || s.Moving || s.Zoom < 2 {
			t.Errorf("%s: the view (zoom %.2f, moving %v) holds %d of the 2 ends of %s", how, s.Zoom, s.Moving, s.Ends, id)
		}
		if !strings.Contains(s.Filter, `"`+id+`"`) {
			t.Errorf("%s: highlighted arc filter %s, want %s", how, s.Filter, id)
		}
		if s.DetailFor == "" || s.Focus != "detail" || s.Current != id {
			t.Errorf("%s: detail shown %v naming the partner %q, focus on %q, row marked %q", how, s.Detail, s.DetailFor, s.Focus, s.Current)
		}
		if !strings.Contains(s.URL, "sel="+id) || !strings.Contains(s.URL, "view=") || !strings.Contains(s.URL, "table=1") {
			t.Errorf("%s: URL %q lacks the selection, the view or the table", how, s.URL)
		}
	}
	key := func(k string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
	}
	closed := func(id string) {
		t.Helper()
		tb.waitFor("detail closed", `document.getElementById('detail').hidden && !atlas.getState().selected`, 10*time.Second)
		s := state()
		if s.Focus != "row:"+id || strings.Contains(s.URL, "sel=") || s.Current != "" || !strings.Contains(s.Filter, "__none__") {
			t.Errorf("after Escape: focus on %q (want row:%s), URL %q, row marked %q, arc filter %s", s.Focus, id, s.URL, s.Current, s.Filter)
		}
	}

	// From the keyboard: focus the fourth row's button, Enter.
	tb.eval(`document.querySelector('#results tr[data-id="`+ids[3]+`"] button[data-select]').focus(), true`, nil)
	key(kb.Enter)
	waitSelected("Enter", ids[3])
	tb.screenshot("table-row-selected-1280")
	// Escape closes the detail and gives the focus back to the row.
	key(kb.Escape)
	closed(ids[3])
	// Space on the same control.
	tb.eval(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: [-150, -40], zoom: 5}); })`, nil)
	key(" ")
	waitSelected("Space", ids[3])
	key(kb.Escape)
	closed(ids[3])

	// A click on another row (its country cell, not a link).
	tb.eval(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: [-150, -40], zoom: 5}); })`, nil)
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(`#results tr[data-id="`+ids[7]+`"] td:nth-child(5)`, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	waitSelected("row click", ids[7])
	// The detail's close button gives the focus back to the row too.
	tb.eval(`document.querySelector('#detail .msg-close').click(), true`, nil)
	closed(ids[7])

	// The URL of a selection reopens it.
	tb.eval(`document.querySelector('#results tr[data-id="`+ids[7]+`"] button[data-select]').click(), true`, nil)
	waitSelected("button click", ids[7])
	var u string
	tb.eval(`location.pathname + location.search`, &u)
	tb.navigate(u)
	tb.waitFor("reopened selection", `atlas.getState().selected === '`+ids[7]+`' && !document.getElementById('detail').hidden && document.querySelector('#results tr[aria-current=true][data-id="`+ids[7]+`"]')`, 40*time.Second)
	tb.checkClean()
}
