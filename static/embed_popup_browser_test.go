package static_test

// Browser tests of the view fitted to the selection, of the embed page's
// popups and title line, and of the atlas's "Intégrer" dialog.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// arcEnds returns both ends of every partnership of the filter, from the
// API's GeoJSON (the first and last positions of each arc).
func arcEnds(t *testing.T, base, filter string) [][2]float64 {
	t.Helper()
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	getJSON(t, base+"/geojson/partnerships?limit=10000&"+filter, &fc)
	var ends [][2]float64
	for _, f := range fc.Features {
		var line [][2]float64
		switch f.Geometry.Type {
		case "LineString":
			if err := json.Unmarshal(f.Geometry.Coordinates, &line); err != nil {
				t.Fatal(err)
			}
		case "MultiLineString":
			var parts [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &parts); err != nil {
				t.Fatal(err)
			}
			for _, p := range parts {
				line = append(line, p...)
			}
		default:
			t.Fatalf("partnership geometry %q", f.Geometry.Type)
		}
		if len(line) < 2 {
			t.Fatalf("arc with %d positions", len(line))
		}
		ends = append(ends, line[0], line[len(line)-1])
	}
	// The view fits the partners and metropolitan France: French ends
	// overseas count only when no French end is in metropolitan France
	// (the arcs start at the French end).
	metro := func(p [2]float64) bool { return p[0] >= -5.5 && p[0] <= 10 && p[1] >= 41 && p[1] <= 51.5 }
	anyMetro := false
	for k := 0; k < len(ends); k += 2 {
		anyMetro = anyMetro || metro(ends[k])
	}
	if anyMetro {
		kept := ends[:0]
		for k, e := range ends {
			if k%2 == 1 || metro(e) {
				kept = append(kept, e)
			}
		}
		ends = kept
	}
	if len(ends) == 0 {
		t.Fatalf("no partnership for %s", filter)
	}
	return ends
}

// checkBoundsContain fails unless the map's visible bounds hold every end.
func checkBoundsContain(t *testing.T, tb *tab, ends [][2]float64) {
	t.Helper()
	var b [4]float64
	tb.eval(`(() => { const b = atlasMap.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()`, &b)
	const eps = 1e-6
	out := 0
	for _, e := range ends {
		if e[0] < b[0]-eps || e[0] > b[2]+eps || e[1] < b[1]-eps || e[1] > b[3]+eps {
			if out < 5 {
				t.Errorf("end %v outside the map bounds %v", e, b)
			}
			out++
		}
	}
	if out > 0 {
		t.Errorf("%d of %d arc ends outside the view", out, len(ends))
	}
	// Fitted, not merely the world: the view is smaller than 360°.
	if b[2]-b[0] >= 359 {
		t.Errorf("view not fitted: bounds %v", b)
	}
}

func TestBrowserFitAndEmbedPopup(t *testing.T) {
	b := newBrowser(t)

	for _, vp := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run("atlas fits the selection on "+vp.name, func(t *testing.T) {
			tb := b.tab(t, vp.w, vp.h)
			tb.navigate("/")
			tb.waitMapIdle("")
			tb.eval(`atlas.setFilters({country: ['JP']}).then(() => true)`, nil)
			checkBoundsContain(t, tb, arcEnds(t, b.base, "country=JP"))
			var search string
			tb.eval(`location.search`, &search)
			if !strings.Contains(search, "country=JP") || strings.Contains(search, "view=") {
				t.Errorf("URL after a fitted view: %q (want the filter, no view)", search)
			}
			tb.screenshot("fit-atlas-jp-" + vp.name)
			// A collectivité: Lyon's partnerships, all over the world.
			tb.eval(`atlas.setFilters({authority: ['69123']}).then(() => true)`, nil)
			checkBoundsContain(t, tb, arcEnds(t, b.base, "authority=69123"))
			tb.eval(`atlas.setFilters({theme: ['eau-assainissement'], country: ['BJ']}).then(() => true)`, nil)
			checkBoundsContain(t, tb, arcEnds(t, b.base, "theme=eau-assainissement&country=BJ"))
			tb.screenshot("fit-atlas-bj-water-" + vp.name)
			tb.checkClean()
		})
	}

	t.Run("embed fits on load on a phone; a moved map puts its view in the URL", func(t *testing.T) {
		tb := b.tab(t, 390, 844)
		tb.navigate("/embed?country=JP")
		tb.waitMapIdle("")
		checkBoundsContain(t, tb, arcEnds(t, b.base, "country=JP"))
		tb.screenshot("fit-embed-jp-phone")
		tb.eval(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: [139.7, 35.7], zoom: 5}); })`, nil)
		tb.waitFor("view in the URL", `location.search.includes('view=5/35.7/139.7')`, 10*time.Second)
		tb.checkClean()
	})

	t.Run("embed title line names the filters", func(t *testing.T) {
		n := b.stats(t, "by=kind&unit=partnerships&country=JP&theme=culture-patrimoine").Total
		for _, c := range []struct{ lang, want string }{
			{"", fmt.Sprintf("Japon · Culture et patrimoine · %d partenariats", n)},
			{"&lang=en", fmt.Sprintf("Japan · Culture and heritage · %d partnerships", n)},
		} {
			tb := b.tab(t, 800, 500)
			tb.navigate("/embed?country=JP&theme=culture-patrimoine" + c.lang)
			tb.waitMapIdle("")
			tb.waitFor("title", `document.getElementById('counts').getAttribute('data-total')`, 20*time.Second)
			var got string
			tb.eval(`document.getElementById('embed-title').textContent.replace(/\u202f|\u00a0/g, ' ')`, &got)
			if got != c.want {
				t.Errorf("title line %q, want %q", got, c.want)
			}
			tb.screenshot("embed-title" + strings.ReplaceAll(c.lang, "&lang=", "-"))
			tb.checkClean()
		}
	})

	t.Run("embed arc popup names both ends; Escape closes it", func(t *testing.T) {
		tb := b.tab(t, 800, 500)
		tb.navigate("/embed?country=JP&view=6/36.5/138")
		tb.waitMapIdle("")
		// A vertex in the middle of a rendered single arc, in pixels.
		var hit struct {
			ID   string
			X, Y float64
		}
		tb.eval(`(() => {
			const w = atlasMap.getCanvas().clientWidth, h = atlasMap.getCanvas().clientHeight;
			for (const f of atlasMap.queryRenderedFeatures({layers: ['partnerships-line']})) {
				if (f.properties.cluster) continue;
				const lines = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates;
				for (const l of lines) {
					const p = atlasMap.project(l[Math.floor(l.length / 2)]);
					if (p.x < 20 || p.y < 20 || p.x > w - 20 || p.y > h - 20) continue;
					const near = atlasMap.queryRenderedFeatures([[p.x - 5, p.y - 5], [p.x + 5, p.y + 5]], {layers: ['authorities-circle', 'partners-circle']});
					if (near.length) continue;
					const arcs = atlasMap.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], {layers: ['partnerships-line']});
					if (arcs[0] && arcs[0].properties.id === f.properties.id) return {id: f.properties.id, x: p.x, y: p.y};
				}
			}
			return {id: '', x: 0, y: 0};
		})()`, &hit)
		if hit.ID == "" {
			tb.screenshot("embed-popup-no-arc")
			t.Fatal("no single arc to click")
		}
		var p struct {
			Authority struct{ Name string } `json:"authority"`
			Partner   struct{ Name string } `json:"partner"`
		}
		getJSON(t, b.base+"/api/partnerships/"+hit.ID, &p)
		var top float64
		tb.eval(`document.getElementById('map').getBoundingClientRect().top`, &top)
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.MouseClickXY(hit.X, hit.Y+top)); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("popup with both ends", fmt.Sprintf(`(document.querySelector('.maplibregl-popup .popup a') || {}).href && document.querySelector('.maplibregl-popup').textContent.includes(%q) && document.querySelector('.maplibregl-popup').textContent.includes(%q)`,
			p.Authority.Name, p.Partner.Name), 20*time.Second)
		var pop struct {
			Text, Href, Label string
			Focused           bool
		}
		tb.eval(`(() => { const e = document.querySelector('.maplibregl-popup');
			return {text: e.textContent, href: e.querySelector('.popup a').getAttribute('href'), label: e.getAttribute('aria-label'), focused: e.contains(document.activeElement)}; })()`, &pop)
		if !strings.Contains(pop.Href, "sel="+hit.ID) || !strings.Contains(pop.Href, "country=JP") {
			t.Errorf("popup link %q: want the atlas on this partnership", pop.Href)
		}
		if !pop.Focused || !strings.Contains(pop.Label, p.Partner.Name) {
			t.Errorf("popup not focused or unlabelled: %+v", pop)
		}
		for _, w := range []string{"Thématiques", "Début"} {
			if !strings.Contains(pop.Text, w) {
				t.Errorf("popup text %q lacks %q", pop.Text, w)
			}
		}
		tb.screenshot("embed-arc-popup")
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("popup closed", `!document.querySelector('.maplibregl-popup')`, 10*time.Second)
		var focus string
		tb.eval(`document.activeElement.id`, &focus)
		if focus != "map" {
			t.Errorf("focus after Escape on %q, want the map", focus)
		}
		// From the keyboard: centre the arc, Enter on the map opens it.
		tb.eval(fmt.Sprintf(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: atlasMap.unproject([%f, %f])}); })`, hit.X, hit.Y), nil)
		tb.waitMapIdle("")
		if err := chromedp.Do(ctx, chromedp.Focus("#map"), chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("popup from the keyboard", `document.querySelector('.maplibregl-popup .popup a')`, 20*time.Second)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("popup closed", `!document.querySelector('.maplibregl-popup') && document.activeElement.id === 'map'`, 10*time.Second)
		tb.checkClean()
	})

	t.Run("embed cluster popup", func(t *testing.T) {
		tb := b.tab(t, 800, 500)
		tb.navigate("/embed")
		tb.waitMapIdle("")
		var hit struct{ X, Y, N float64 }
		tb.eval(`(() => {
			const w = atlasMap.getCanvas().clientWidth, h = atlasMap.getCanvas().clientHeight;
			for (const f of atlasMap.queryRenderedFeatures({layers: ['authorities-circle']})) {
				if (!f.properties.cluster) continue;
				const p = atlasMap.project(f.geometry.coordinates);
				if (p.x < 20 || p.y < 20 || p.x > w - 20 || p.y > h - 20) continue;
				const top = atlasMap.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], {layers: ['authorities-circle', 'partners-circle']})[0];
				if (top && top.layer.id === 'authorities-circle' && top.properties.cluster) return {x: p.x, y: p.y, n: top.properties.count};
			}
			return {x: 0, y: 0, n: 0};
		})()`, &hit)
		if hit.N == 0 {
			tb.screenshot("embed-no-cluster")
			t.Fatal("no cluster to click")
		}
		var top float64
		tb.eval(`document.getElementById('map').getBoundingClientRect().top`, &top)
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.MouseClickXY(hit.X, hit.Y+top)); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("cluster popup", `document.querySelector('.maplibregl-popup') && document.querySelector('.maplibregl-popup').textContent.includes('Groupe de')`, 10*time.Second)
		tb.screenshot("embed-cluster-popup")
		tb.eval(`document.querySelector('.maplibregl-popup-close-button').click(), true`, nil)
		tb.waitFor("popup closed", `!document.querySelector('.maplibregl-popup') && document.activeElement.id === 'map'`, 10*time.Second)
		tb.checkClean()
	})

	t.Run("Intégrer: options update the snippet and the live preview; Copier confirms", func(t *testing.T) {
		tb := b.tab(t, 1280, 900)
		tb.navigate("/?country=JP")
		tb.waitMapIdle("")
		ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Click("#btn-embed")); err != nil {
			t.Fatal(err)
		}
		// The DSFR modal: a dialog.fr-modal named by its title, opened
		// modal (the page behind it inert), its options' checkbox the DSFR's.
		var m struct {
			Modal, Opened, Labelled, Body, Close, Checkbox bool
		}
		tb.eval(`(() => { const d = document.getElementById('embed-dialog'), h = document.getElementById(d.getAttribute('aria-labelledby') || 'none');
			const cb = document.getElementById('embed-panel'), g = cb.closest('.fr-checkbox-group');
			return {Modal: d.tagName === 'DIALOG' && d.classList.contains('fr-modal') && d.matches(':modal'), Opened: d.classList.contains('fr-modal--opened'),
				Labelled: !!h && h.classList.contains('fr-modal__title') && d.querySelector('.fr-modal__body').contains(h),
				Body: !!d.querySelector('.fr-modal__body .fr-modal__content #embed-code'),
				Close: !!d.querySelector('.fr-modal__header button.fr-btn--close'),
				Checkbox: !!g && cb.nextElementSibling && cb.nextElementSibling.tagName === 'LABEL' && cb.nextElementSibling.htmlFor === 'embed-panel' && getComputedStyle(cb.nextElementSibling, '::before').content !== 'none'}; })()`, &m)
		if !m.Modal || !m.Opened || !m.Labelled || !m.Body || !m.Close || !m.Checkbox {
			t.Errorf("« Intégrer » is not the DSFR modal: %+v", m)
		}
		tb.eval(`(() => { const w = document.getElementById('embed-width'), h = document.getElementById('embed-height');
			w.value = '640'; w.dispatchEvent(new Event('input'));
			h.value = '400'; h.dispatchEvent(new Event('input'));
			document.getElementById('embed-panel').click(); return true; })()`, nil)
		var d struct{ Code, Src, Width, Height string }
		tb.eval(`({code: document.getElementById('embed-code').value, src: document.getElementById('embed-preview').src,
			width: document.getElementById('embed-preview').style.width, height: document.getElementById('embed-preview').style.height})`, &d)
		want := `<iframe src="` + strings.ReplaceAll(d.Src, "&", "&amp;") + `"`
		if !strings.HasPrefix(d.Code, want) {
			t.Errorf("snippet %q does not start with the preview's src %q", d.Code, want)
		}
		for _, w := range []string{`width="640"`, `height="400"`, "panel=1", "country=JP"} {
			if !strings.Contains(d.Code, w) {
				t.Errorf("snippet %q lacks %s", d.Code, w)
			}
		}
		if strings.Contains(d.Code, "view=") {
			t.Errorf("snippet carries a view the user did not choose: %q", d.Code)
		}
		if d.Width != "640px" || d.Height != "400px" {
			t.Errorf("preview size %s × %s", d.Width, d.Height)
		}
		tb.waitFor("preview map idle", `(() => { const w = document.getElementById('embed-preview').contentWindow;
			return w && w.atlasMap && w.atlasMap.loaded() && w.atlasMap.areTilesLoaded() && w.document.getElementById('counts').getAttribute('data-total'); })()`, 60*time.Second)
		if err := chromedp.Do(ctx, chromedp.Click("#embed-copy")); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("Copier confirmation", `document.getElementById('embed-copy').textContent === 'Copié ✓' &&
			document.getElementById('embed-status').textContent === 'Code copié dans le presse-papiers.' &&
			document.getElementById('embed-status').getAttribute('aria-live') === 'polite'`, 10*time.Second)
		tb.screenshot("atlas-embed-dialog")
		// Escape closes it and gives the focus back to « Intégrer ».
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		tb.waitFor("modal closed by Escape", `!document.getElementById('embed-dialog').open && !document.getElementById('embed-dialog').classList.contains('fr-modal--opened') && document.activeElement.id === 'btn-embed'`, 10*time.Second)
		// Once the user moves the map, the snippet carries the view.
		tb.eval(`new Promise(r => { atlasMap.once('moveend', () => r(true)); atlasMap.jumpTo({center: [139.7, 35.7], zoom: 5}); })`, nil)
		if err := chromedp.Do(ctx, chromedp.Click("#btn-embed")); err != nil {
			t.Fatal(err)
		}
		tb.eval(`document.getElementById('embed-code').value`, &d.Code)
		if !strings.Contains(d.Code, "view=5/35.7/139.7") {
			t.Errorf("snippet after a move lacks the view: %q", d.Code)
		}
		tb.checkClean()
	})
}
