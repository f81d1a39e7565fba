package static_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Tabbing through a page visits its parts in reading order — the skip
// link, the header, the page's own controls, then the footer — never lands
// on something hidden, and each stop shows a focus ring.
func TestBrowserFocusOrder(t *testing.T) {
	b := newBrowser(t)
	pages := []struct {
		path, ready string
		order       []string // landmarks or ids, in the order the focus must first reach them
	}{
		{"/", `window.atlasMap && document.querySelectorAll('#result-list li').length > 0`, []string{"skip", "header", "#filters", "#map", "aside.side", "footer"}},
		{"/atlas/JP", `window.atlasMaps && document.querySelector('#legend li')`, []string{"header", "#map-fr", "aside.side", "footer"}},
		{"/apd", `window.atlasMoneyReady === true`, []string{"skip", "header", "#money-filters", "#apd-map", "footer"}},
		{"/donnees", `document.querySelector('#sources-table tr[data-source]')`, []string{"skip", "header", "main", "footer"}},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			tb := b.tab(t, 1280, 900)
			tb.navigate(p.path)
			tb.waitFor("page ready", p.ready, 40*time.Second)
			var seen []string
			for i := 0; i < 400; i++ {
				ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
				err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab))
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				var at struct {
					Where   string
					Visible bool
					Ring    bool
					Desc    string
				}
				tb.eval(`(function () {
					var e = document.activeElement;
					if (!e || e === document.body) return { Where: 'body', Visible: true, Ring: true, Desc: 'body' };
					var where = e.classList.contains('skip') ? 'skip' : '';
					var ids = `+jsList(p.order)+`;
					if (!where) for (var k = 0; k < ids.length && !where; k++) {
						var id = ids[k];
						if (id === 'skip') continue;
						var host = id[0] === '#' ? document.querySelector(id) : document.querySelector(id === 'header' ? 'body > header' : id === 'footer' ? 'body > footer' : id);
						if (host && (host === e || host.contains(e))) where = id;
					}
					var r = e.getBoundingClientRect(), cs = getComputedStyle(e);
					return { Where: where || 'other', Visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden',
						Ring: cs.outlineStyle !== 'none' || cs.boxShadow !== 'none' || e.closest('.maplibregl-map') !== null,
						Desc: e.tagName + '#' + e.id + '.' + e.className };
				})()`, &at)
				if at.Where == "body" {
					break // past the last control
				}
				if !at.Visible && at.Where != "skip" {
					t.Errorf("tab %d lands on a hidden element %s", i, at.Desc)
				}
				if !at.Ring {
					t.Errorf("tab %d: no visible focus on %s", i, at.Desc)
				}
				if at.Where != "other" && (len(seen) == 0 || seen[len(seen)-1] != at.Where) && !contains(seen, at.Where) {
					seen = append(seen, at.Where)
				}
				if at.Where == "footer" {
					break
				}
			}
			if strings.Join(seen, " ") != strings.Join(p.order, " ") {
				t.Errorf("focus order %v, want %v", seen, p.order)
			}
		})
	}
}

func jsList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	return "[" + strings.Join(q, ",") + "]"
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
