package static_test

import (
	"math"
	"testing"
	"time"
)

// The DSFR's small checkboxes draw their box in their label's ::before, on
// the label's first line: the box is centred on that line of text, in the
// filters, the list's sort options and the « Intégrer » dialog alike; the
// dialog closes one way (the DSFR modal's « Fermer » in its header).
func TestBrowserCheckboxAlignment(t *testing.T) {
	b := newBrowser(t)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/?tab=list")
	tb.waitFor("list", `document.querySelectorAll('#result-list li').length > 0`, 40*time.Second)
	type box struct {
		ID         string
		Box, Text  float64 // vertical centres, px
		BoxH, Line float64
	}
	measure := func() []box {
		var got []box
		tb.eval(`(() => [...document.querySelectorAll('.fr-checkbox-group input[type=checkbox] ~ label')].filter(l => l.offsetParent && l.firstChild).map(l => {
			const r = l.getBoundingClientRect(), s = getComputedStyle(l, '::before');
			const text = [...l.childNodes].find(n => n.nodeType === 3 && n.textContent.trim()) || l;
			const range = document.createRange();
			range.selectNodeContents(text);
			const line = range.getClientRects()[0];
			const h = parseFloat(s.height);
			return {ID: l.htmlFor, Box: r.top + parseFloat(s.top) + parseFloat(s.marginTop) + h / 2,
				Text: line.top + line.height / 2, BoxH: h, Line: line.height};
		}))()`, &got)
		return got
	}
	check := func(got []box) {
		t.Helper()
		for _, c := range got {
			if d := math.Abs(c.Box - c.Text); d > 1 {
				t.Errorf("checkbox %s: its box is centred %.1f px off its label's first line (box %.1f, text %.1f, box height %.0f, line %.1f)", c.ID, c.Box-c.Text, c.Box, c.Text, c.BoxH, c.Line)
			}
		}
	}
	got := measure()
	if len(got) < 10 {
		t.Fatalf("%d checkboxes measured, want the filters' and the list's", len(got))
	}
	check(got)

	tb.eval(`document.getElementById('btn-embed').click()`, nil)
	tb.waitFor("embed dialog", `document.getElementById('embed-dialog').open && document.getElementById('embed-code').value !== ''`, 10*time.Second)
	var closers []string
	tb.eval(`[...document.querySelectorAll('#embed-dialog button')].filter(b => b.offsetParent && /fermer|close/i.test(b.textContent + ' ' + (b.title || ''))).map(b => b.id)`, &closers)
	if len(closers) != 1 || closers[0] != "embed-x" {
		t.Errorf("the embed dialog's close buttons: %q, want the header's alone (embed-x)", closers)
	}
	var inDialog []box
	for _, c := range measure() {
		if c.ID == "embed-panel" {
			inDialog = append(inDialog, c)
		}
	}
	if len(inDialog) != 1 {
		t.Fatalf("the embed dialog's checkbox measured %d times, want once", len(inDialog))
	}
	check(inDialog)
	tb.eval(`document.getElementById('embed-x').click()`, nil)
	tb.waitFor("embed dialog closed", `!document.getElementById('embed-dialog').open`, 10*time.Second)
}
