package static_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
)

type sourcesAnswer struct {
	Credits string `json:"credits"`
	Sources []struct {
		ID     string `json:"id"`
		Credit string `json:"credit"`
		OnMap  bool   `json:"on_map"`
	} `json:"sources"`
	Partnerships struct{ Total, Real, Synthetic int } `json:"partnerships"`
	Projects     struct{ Total, Real, Synthetic int } `json:"projects"`
}

func getSources(t *testing.T, base string) sourcesAnswer {
	t.Helper()
	resp, err := http.Get(base + "/api/sources")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s sourcesAnswer
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func pct(n, total int) string {
	if total == 0 {
		return "0"
	}
	return fmt.Sprint(math.Round(float64(n) / float64(total) * 100))
}

// Every page says, in one line read from /api/sources, how much of the data
// is synthetic, with a link to "Données et sources"; every map credits every
// source the licences require, from the server's one source list; every
// full page has the State footer's links, and they answer.
func TestBrowserDataNoticeAndCredits(t *testing.T) {
	b := newBrowser(t)
	src := getSources(t, b.base)
	if src.Partnerships.Total == 0 || src.Partnerships.Synthetic == 0 {
		t.Fatalf("embedded data: %+v", src.Partnerships)
	}
	wantL := pct(src.Partnerships.Synthetic, src.Partnerships.Total) + " % des partenariats"
	wantP := pct(src.Projects.Synthetic, src.Projects.Total) + " % des projets"
	pages := []struct {
		path  string
		embed bool
		maps  int
	}{
		{"/", false, 1}, {"/embed?country=JP", true, 1}, {"/atlas/JP", false, 2}, {"/qui-coopere/SN", false, 1},
		{"/donnees", false, 0}, {"/accessibilite", false, 0}, {"/mentions-legales", false, 0}, {"/plan-du-site", false, 0},
		{"/apd", false, 1}, {"/appels?id=AAP-2015-CLIMAT", false, 1},
	}
	footerLinks := map[string]bool{}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			tb := b.tab(t, 1280, 900)
			tb.navigate(p.path)
			tb.waitFor("data notice", `document.querySelector('[data-notice]:not([hidden]) a[href="/donnees"]')`, 30*time.Second)
			var notice string
			tb.eval(`document.querySelector('[data-notice]').textContent`, &notice)
			if p.embed {
				if want := pct(src.Partnerships.Synthetic, src.Partnerships.Total) + " % de partenariats fictifs"; !strings.Contains(notice, want) {
					t.Errorf("embed notice %q lacks %q", notice, want)
				}
			} else if !strings.Contains(notice, wantL) || !strings.Contains(notice, wantP) {
				t.Errorf("notice %q lacks %q or %q", notice, wantL, wantP)
			}
			if p.maps > 0 {
				tb.waitFor("attribution", `document.querySelectorAll('.maplibregl-ctrl-attrib-inner').length === `+fmt.Sprint(p.maps)+
					` && [...document.querySelectorAll('.maplibregl-ctrl-attrib-inner')].every(e => e.textContent.includes('GeoNames'))`, 30*time.Second)
				var attrib []string
				tb.eval(`[...document.querySelectorAll('.maplibregl-ctrl-attrib-inner')].map(e => e.textContent)`, &attrib)
				for _, a := range attrib {
					for _, s := range src.Sources {
						if s.OnMap && !strings.Contains(a, s.Credit) {
							t.Errorf("map attribution lacks %s (%q): %s", s.ID, s.Credit, a)
						}
					}
					if strings.Contains(a, "world-countries") {
						t.Errorf("map attribution names a source the data does not redistribute: %s", a)
					}
				}
			}
			var links []string
			tb.eval(`[...document.querySelectorAll('[data-site-footer] a')].map(a => a.getAttribute('href'))`, &links)
			if p.embed {
				if len(links) != 0 {
					t.Errorf("the embed carries the site footer: %v", links)
				}
			} else {
				if len(links) < 5 {
					t.Errorf("footer links %v: want accessibilité, mentions légales, données personnelles, plan du site, données", links)
				}
				for _, l := range links {
					footerLinks[l] = true
				}
			}
			if p.path == "/donnees" {
				tb.waitFor("share table", `!document.getElementById('share-table').hidden`, 30*time.Second)
				var rows []string
				tb.eval(`[...document.querySelectorAll('#share-table tbody tr')].map(r => r.textContent)`, &rows)
				if len(rows) != 2 || !strings.Contains(strings.ReplaceAll(rows[0], "\u202f", " "), strings.ReplaceAll(fmtFR(src.Partnerships.Real), "\u202f", " ")) {
					t.Errorf("share table rows %q, want the real partnerships %d", rows, src.Partnerships.Real)
				}
				var n int
				tb.eval(`document.querySelectorAll('#sources-table tbody tr[data-source]').length`, &n)
				if n != len(src.Sources) {
					t.Errorf("sources table: %d rows, want %d", n, len(src.Sources))
				}
			}
			tb.screenshot("notice-" + strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(p.path))
			tb.checkClean()
		})
	}
	for l := range footerLinks {
		if strings.HasPrefix(l, "https://") {
			// The State sites every DSFR footer links to (not fetched: the
			// tests do not leave the machine).
			if !strings.HasSuffix(l, ".gouv.fr") && l != "https://www.service-public.fr" {
				t.Errorf("footer link %s: not a State site", l)
			}
			continue
		}
		resp, err := http.Get(b.base + l)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("footer link %s: %s", l, resp.Status)
		}
	}
}

// fmtFR writes n as the French locale does (narrow no-break space between
// thousands).
func fmtFR(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	return s
}

// The notice shrinks as the real share grows: on data with no synthetic
// record, the page says so in one plain line.
func TestBrowserDataNoticeAllReal(t *testing.T) {
	ds := *atlastest.Snapshot(t).Dataset()
	ds.Partnerships = nil
	for _, p := range atlastest.Snapshot(t).Dataset().Partnerships {
		if p.Provenance == atlas.Real {
			ds.Partnerships = append(ds.Partnerships, p)
		}
	}
	ds.Projects = nil
	snap, err := index.New(&ds)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowserOn(t, snap)
	tb := b.tab(t, 1280, 900)
	tb.navigate("/")
	tb.waitFor("data notice", `document.querySelector('[data-notice]:not([hidden]) a[href="/donnees"]')`, 30*time.Second)
	var level, text string
	tb.eval(`document.querySelector('[data-notice]').dataset.level`, &level)
	tb.eval(`document.querySelector('[data-notice]').textContent`, &text)
	if level != "none" || strings.Contains(text, "fictives") {
		t.Errorf("all-real data: notice level %q, text %q", level, text)
	}
}
