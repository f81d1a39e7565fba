package dataset_test

import (
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
)

var (
	loadOnce sync.Once
	loadDS   *atlas.Dataset
	loadErr  error
)

// loaded returns the committed default dataset as the server loads it.
func loaded(t *testing.T) *atlas.Dataset {
	t.Helper()
	loadOnce.Do(func() { loadDS, loadErr = dataset.Load(geodata.Dataset()) })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loadDS
}

// TestPublishedFigures checks the published figures on the committed dataset.
func TestPublishedFigures(t *testing.T) {
	ds := loaded(t)
	pships := map[string]atlas.Partnership{}
	for _, p := range ds.Partnerships {
		pships[p.ID] = p
	}
	country := map[string]string{}
	for _, p := range ds.Partners {
		country[p.ID] = p.Country
	}

	// Totals.
	countries, auths, partners := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range ds.Partnerships {
		countries[country[p.PartnerID]] = true
		auths[p.AuthorityID] = true
		partners[p.PartnerID] = true
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"partnerships", len(ds.Partnerships), 11600},
		{"distinct partner countries", len(countries), 135},
		{"distinct French authorities", len(auths), 4770},
		{"distinct partners", len(partners), 8300},
		{"authorities rows", len(ds.Authorities), 4770},
		{"partners rows", len(ds.Partners), 8300},
		{"countries rows", len(ds.Countries), 250},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
		}
	}

	// Projects of non-jumelage partnerships by partner country.
	byCountry := map[string]int{}
	for _, pr := range ds.Projects {
		p := pships[pr.PartnershipID]
		if p.Kind != atlas.Jumelage {
			byCountry[country[p.PartnerID]]++
		}
	}
	top := map[string]int{"DE": 321, "ML": 265, "BF": 240, "SN": 222, "PL": 211, "GB": 172, "MG": 166, "MA": 160, "IT": 145, "ES": 135}
	for c, n := range byCountry {
		if want, ok := top[c]; ok {
			if n != want {
				t.Errorf("projects in %s: got %d, want %d", c, n, want)
			}
		} else if n >= 135 {
			t.Errorf("projects in %s: got %d, want fewer than 135", c, n)
		}
	}
	for c, want := range top {
		if byCountry[c] != want {
			t.Errorf("projects in %s: got %d, want %d", c, byCountry[c], want)
		}
	}

	// Themes.
	type cover struct{ projects, countries, authorities, partners int }
	got := map[string]cover{}
	for _, th := range atlas.Themes() {
		cs, as, ps := map[string]bool{}, map[string]bool{}, map[string]bool{}
		n := 0
		for _, pr := range ds.Projects {
			for _, t := range pr.Themes {
				if t == th.Slug {
					p := pships[pr.PartnershipID]
					n++
					cs[country[p.PartnerID]] = true
					as[p.AuthorityID] = true
					ps[p.PartnerID] = true
				}
			}
		}
		got[th.Slug] = cover{n, len(cs), len(as), len(ps)}
		if n == 0 {
			t.Errorf("theme %s never occurs", th.Slug)
		}
	}
	check := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %d, want %d", what, got, want)
		}
	}
	e := got["economie-durable"]
	check("economie-durable projects", e.projects, 1063)
	check("economie-durable countries", e.countries, 94)
	check("economie-durable authorities", e.authorities, 402)
	tr := got["tourisme"]
	check("tourisme projects", tr.projects, 180)
	check("tourisme countries", tr.countries, 50)
	check("tourisme authorities", tr.authorities, 96)
	nu := got["numerique"]
	check("numerique projects", nu.projects, 77)
	check("numerique authorities", nu.authorities, 56)
	check("numerique partners", nu.partners, 71)
	if c := got["culture-patrimoine"].projects; c < 109 {
		t.Errorf("culture-patrimoine projects: got %d, want at least 109", c)
	}
}

// TestProjectRules checks the rules every project and partnership follow.
func TestProjectRules(t *testing.T) {
	ds := loaded(t)
	pships := map[string]atlas.Partnership{}
	for _, p := range ds.Partnerships {
		pships[p.ID] = p
	}
	withProject := map[string]bool{}
	for _, pr := range ds.Projects {
		p := pships[pr.PartnershipID]
		withProject[p.ID] = true
		if p.Kind == atlas.Jumelage {
			t.Errorf("project %s on jumelage %s", pr.ID, p.ID)
		}
		if pr.StartYear < p.StartYear || pr.StartYear > 2025 {
			t.Errorf("project %s starts in %d, partnership %s in %d", pr.ID, pr.StartYear, p.ID, p.StartYear)
		}
		if pr.Provenance != atlas.Synthetic || pr.Title == "" {
			t.Errorf("project %s: %+v", pr.ID, pr)
		}
	}
	for _, p := range ds.Partnerships {
		if p.Kind != atlas.Jumelage && !withProject[p.ID] {
			t.Errorf("%s partnership %s has no project", p.Kind, p.ID)
		}
		if p.Provenance == atlas.Synthetic && (p.StartYear < 1950 || p.StartYear > 2025) {
			t.Errorf("partnership %s starts in %d", p.ID, p.StartYear)
		}
	}
}
