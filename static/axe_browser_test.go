package static_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// axeViolation is one rule axe-core found broken, with the elements.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// runAxe injects axe-core (testdata/axe.min.js, vendored from npm: see
// vendor.sh) into the tab's page and runs the WCAG 2.1 A and AA rules, the
// ones RGAA 4.1 maps to.
func (tb *tab) runAxe() []axeViolation {
	tb.t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
	if err != nil {
		tb.t.Fatalf("axe-core: %v (run npm ci && npm run vendor in static/)", err)
	}
	tb.eval(string(src)+";true", nil)
	var out []axeViolation
	tb.eval(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, html: n.html.slice(0, 160)}))})))`, &out)
	return out
}

// Every page passes axe-core's WCAG 2.1 AA rules with no violation, on a
// desktop and on a phone.
func TestBrowserAccessibilityAxe(t *testing.T) {
	b := newBrowser(t)
	pages := []struct{ path, ready string }{
		{"/", `window.atlasMap && document.querySelectorAll('#result-list li').length > 0`},
		{"/?country=SN&table=1&group=authority", `window.atlasMap && document.querySelectorAll('#results tbody tr[data-id]').length > 0 && !document.getElementById('results-table').hasAttribute('aria-busy')`},
		{"/embed?country=JP", `window.atlasMap && document.getElementById('counts').textContent`},
		{"/atlas/JP", `window.atlasMaps && document.querySelector('[data-site-footer] a')`},
		{"/qui-coopere/SN", `window.atlasDirectoryReady === true`},
		{"/analyses", `window.atlasDirectoryReady === true`},
		{"/bourse", `window.atlasDirectoryReady === true`},
		{"/donnees", `document.querySelector('#sources-table tr[data-source]')`},
		{"/accessibilite", `document.querySelector('[data-site-footer] a')`},
		{"/mentions-legales", `document.querySelector('[data-site-footer] a')`},
		{"/plan-du-site", `document.querySelector('[data-site-footer] a')`},
		{"/apd", `window.atlasMoneyReady === true`},
		{"/appels?id=AAP-2015-CLIMAT", `window.atlasMoneyReady === true`},
		{"/extranet/apd", `window.atlasMoneyReady === true && !document.getElementById('signin-form').hidden`},
		{"/extranet/appels", `window.atlasMoneyReady === true && !document.getElementById('signin-form').hidden`},
	}
	for _, size := range []struct{ w, h int64 }{{1280, 900}, {390, 844}} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("%s@%d", p.path, size.w), func(t *testing.T) {
				tb := b.tab(t, size.w, size.h)
				tb.navigate(p.path)
				tb.waitFor("page ready", p.ready, 30*time.Second)
				tb.waitFor("data notice", `document.querySelector('[data-notice]:not([hidden])')`, 30*time.Second)
				for _, v := range tb.runAxe() {
					js, _ := json.Marshal(v.Nodes)
					t.Errorf("axe %s (%s): %s — %s", v.ID, v.Impact, v.Help, strings.TrimSpace(string(js)))
				}
			})
		}
	}
}
