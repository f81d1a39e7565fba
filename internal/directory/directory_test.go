package directory_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/directory"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
)

func lookup(t *testing.T, snap *index.Snapshot, layer, id string) int32 {
	t.Helper()
	i, err := snap.Lookup(layer, id)
	if err != nil {
		t.Fatalf("%s %s: %v", layer, id, err)
	}
	return i
}

// Lyon's fiche lists exactly the partnerships the authority filter selects,
// counts their themes and years, and names as neighbours only collectivités
// with a partner within 50 km of one of Lyon's.
func TestAuthorityFiche(t *testing.T) {
	snap := testkit.Snapshot(t)
	ds := snap.Dataset()
	a := lookup(t, snap, index.LayerAuthorities, "69123")
	f := directory.Authority(snap, a)
	if f.Name != "Lyon" || f.Type != "commune" || f.DepartementName != "Rhône" || f.RegionName != "Auvergne-Rhône-Alpes" {
		t.Fatalf("identity: %s %s %s %s", f.Name, f.Type, f.DepartementName, f.RegionName)
	}
	ids, _, err := snap.Items(index.LayerPartnerships, atlas.Filter{Authorities: []string{"69123"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Partnerships) != len(ids) || len(ids) < 5 {
		t.Fatalf("%d partnerships, the filter selects %d", len(f.Partnerships), len(ids))
	}
	want := map[string]bool{}
	projects := 0
	for _, i := range ids {
		want[ds.Partnerships[i].ID] = true
		projects += snap.PartnershipProjectCount(i)
	}
	years := 0
	for _, l := range f.Partnerships {
		if !want[l.ID] {
			t.Errorf("partnership %s is not Lyon's", l.ID)
		}
		if l.StartYear != 0 {
			years++
		}
	}
	if len(f.Projects) != projects {
		t.Errorf("%d projects, want %d", len(f.Projects), projects)
	}
	sum := 0
	for _, y := range f.Years {
		sum += y.Count
	}
	if sum != years {
		t.Errorf("timeline counts %d partnerships, %d have a year", sum, years)
	}
	if f.Contact != nil || f.ContactNote == "" {
		t.Errorf("a real collectivité has no invented contact: %+v", f.Contact)
	}
	// Neighbours: checked against every partner of every neighbour.
	if len(f.Neighbours) == 0 {
		t.Fatal("Lyon has no neighbours abroad")
	}
	for _, n := range f.Neighbours {
		if n.ID == "69123" {
			t.Fatal("Lyon is its own neighbour")
		}
		b := lookup(t, snap, index.LayerAuthorities, n.ID)
		best := math.Inf(1)
		for _, i := range snap.AuthorityPartnerships(b) {
			_, q := snap.PartnershipEnds(i)
			for _, j := range ids {
				_, p := snap.PartnershipEnds(j)
				best = math.Min(best, atlas.DistanceKm(ds.Partners[p].Point, ds.Partners[q].Point))
			}
		}
		if best > directory.NeighbourKM || math.Abs(best-n.NearestKM) > 0.06 {
			t.Errorf("neighbour %s: nearest %.2f km, the fiche says %.1f", n.Name, best, n.NearestKM)
		}
	}
	if len(f.Neighbours) > directory.MaxNeighbours || f.NeighboursTotal < len(f.Neighbours) {
		t.Errorf("%d neighbours of %d", len(f.Neighbours), f.NeighboursTotal)
	}
}

func TestPartnerFiche(t *testing.T) {
	snap := testkit.Snapshot(t)
	ds := snap.Dataset()
	// The partner with the most partnerships.
	best := int32(0)
	for p := range ds.Partners {
		if len(snap.PartnerPartnerships(int32(p))) > len(snap.PartnerPartnerships(best)) {
			best = int32(p)
		}
	}
	f := directory.Partner(snap, best)
	if len(f.Partnerships) != len(snap.PartnerPartnerships(best)) || f.CountryName == "" {
		t.Fatalf("%s: %d partnerships, want %d", f.Name, len(f.Partnerships), len(snap.PartnerPartnerships(best)))
	}
	own := map[string]bool{}
	for _, l := range f.Partnerships {
		own[l.Other.ID] = true
		if l.OtherType == "" {
			t.Errorf("%s: no type", l.Other.Name)
		}
	}
	for _, n := range f.Neighbours {
		if own[n.ID] {
			t.Errorf("%s works with %s itself: not a neighbour", n.Name, f.Name)
		}
		if n.NearestKM > directory.NeighbourKM {
			t.Errorf("%s: %.1f km", n.Name, n.NearestKM)
		}
	}
}

// "Qui coopère avec l'Allemagne ?" lists every French collectivité with a
// partnership in Germany once, in its type's group, and the counts add up
// to the filter's.
func TestWhoCooperates(t *testing.T) {
	snap := testkit.Snapshot(t)
	de, _ := snap.Country("DE")
	for _, f := range []atlas.Filter{{}, {Themes: []string{"culture-patrimoine"}}} {
		c, err := directory.WhoCooperates(snap, de, f)
		if err != nil {
			t.Fatal(err)
		}
		f.Countries = []string{"DE"}
		ids, sel, _ := snap.Items(index.LayerPartnerships, f)
		if c.Partnerships != len(ids) || c.Authorities != len(sel.Authorities()) {
			t.Fatalf("%+v: %d partnerships, %d authorities; want %d, %d", f, c.Partnerships, c.Authorities, len(ids), len(sel.Authorities()))
		}
		seen, n, sum := map[string]bool{}, 0, 0
		for k, g := range c.Groups {
			if g.Type != string(atlas.AuthorityTypes()[k]) || g.Count != len(g.Authorities) {
				t.Errorf("group %d: %s with %d of %d", k, g.Type, len(g.Authorities), g.Count)
			}
			for i, a := range g.Authorities {
				if seen[a.ID] || a.Type != g.Type {
					t.Errorf("%s listed twice or in the wrong group", a.ID)
				}
				seen[a.ID] = true
				n++
				sum += a.Partnerships
				if i > 0 && a.Partnerships > g.Authorities[i-1].Partnerships {
					t.Errorf("%s: not sorted by partnerships", g.Type)
				}
				if len(f.Themes) > 0 && !slices.Contains(a.Themes, f.Themes[0]) {
					t.Errorf("%s: themes %v lack the filter's", a.Name, a.Themes)
				}
			}
		}
		if n != c.Authorities || sum != c.Partnerships {
			t.Errorf("groups hold %d authorities and %d partnerships", n, sum)
		}
	}
}

// The countries' counts equal the stats API's, the 19 CICID countries are
// apart, and the population is the published figure.
func TestFewestCooperations(t *testing.T) {
	snap := testkit.Snapshot(t)
	res, err := directory.FewestCooperations(snap, atlas.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Priority) != 19 || len(directory.PriorityCountries()) != 19 {
		t.Fatalf("%d priority countries", len(res.Priority))
	}
	st, err := snap.Stats("country", "partnerships", atlas.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, g := range st.Groups {
		want[g.Key] = g.Count
	}
	for i, r := range res.Countries {
		if r.Partnerships != want[r.ISO2] {
			t.Errorf("%s: %d partnerships, stats say %d", r.ISO2, r.Partnerships, want[r.ISO2])
		}
		if i > 0 && r.Partnerships < res.Countries[i-1].Partnerships {
			t.Errorf("not sorted at %s", r.ISO2)
		}
		if r.ISO2 == "FR" {
			t.Error("France is listed")
		}
	}
	for i, r := range res.Priority {
		if !r.Priority || r.PerMillion == nil {
			t.Errorf("%s: priority %v, per million %v", r.ISO2, r.Priority, r.PerMillion)
		}
		if i > 0 && *r.PerMillion < *res.Priority[i-1].PerMillion {
			t.Errorf("priority not sorted at %s", r.ISO2)
		}
		if r.ISO2 == "BJ" && r.Population != 11485048 {
			t.Errorf("Bénin: population %d", r.Population)
		}
	}
}

// Every figure of country_population.csv is the raw file's.
func TestPopulationsAreThePublishedOnes(t *testing.T) {
	raw, err := fs.ReadFile(geodata.Sources(), "raw/country-by-population.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Country    string `json:"country"`
		Population *int64 `json:"population"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	pub := map[string]int64{}
	for _, r := range rows {
		if r.Population != nil {
			pub[r.Country] = *r.Population
		}
	}
	data, err := fs.ReadFile(geodata.Sources(), "country_population.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(lines) < 230 {
		t.Fatalf("%d countries, %v", len(lines), err)
	}
	for _, f := range lines[1:] {
		if got := f[1]; got != strconv.FormatInt(pub[f[2]], 10) {
			t.Errorf("%s: %s, the source says %d for %q", f[0], got, pub[f[2]], f[2])
		}
	}
}

// Territories: each partner lies within the radius of its territory's
// centre, in one territory at most; each territory has two French
// collectivités or more; and the greedy pass finds the same territories as
// a pairwise reference on the Bénin partnerships.
func TestCoordination(t *testing.T) {
	snap := testkit.Snapshot(t)
	ds := snap.Dataset()
	f := atlas.Filter{Countries: []string{"BJ", "SN", "ML"}}
	res, err := directory.Coordination(snap, f, directory.DefaultRadiusKM, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || res.Total != len(res.Territories) {
		t.Fatalf("%d territories of %d", len(res.Territories), res.Total)
	}
	_, sel, _ := snap.Items(index.LayerPartnerships, f)
	in := map[string]bool{}
	for _, tr := range res.Territories {
		c := lookup(t, snap, index.LayerPartners, tr.ID)
		if len(tr.Authorities) < 2 {
			t.Errorf("%s: %d collectivités", tr.Name, len(tr.Authorities))
		}
		actors := map[string]bool{}
		for _, p := range tr.Partners {
			if in[p.ID] {
				t.Errorf("%s in two territories", p.Name)
			}
			in[p.ID] = true
			q := lookup(t, snap, index.LayerPartners, p.ID)
			if d := atlas.DistanceKm(ds.Partners[c].Point, ds.Partners[q].Point); d > directory.DefaultRadiusKM {
				t.Errorf("%s: %s at %.1f km", tr.Name, p.Name, d)
			}
			for _, i := range snap.PartnerPartnerships(q) {
				if sel.Has(i) {
					a, _ := snap.PartnershipEnds(i)
					actors[ds.Authorities[a].ID] = true
				}
			}
		}
		if len(actors) != len(tr.Authorities) {
			t.Errorf("%s: %d actors listed, %d act there", tr.Name, len(tr.Authorities), len(actors))
		}
	}
	// Reference: the same greedy pass, by pairwise distances.
	parts := slices.Clone(sel.Partners())
	slices.SortStableFunc(parts, func(a, b int32) int {
		if d := sel.PartnerCount(b) - sel.PartnerCount(a); d != 0 {
			return d
		}
		return int(a - b)
	})
	taken := map[int32]bool{}
	want := 0
	for _, c := range parts {
		if taken[c] {
			continue
		}
		actors := map[int32]bool{}
		for _, q := range parts {
			if !taken[q] && atlas.DistanceKm(ds.Partners[c].Point, ds.Partners[q].Point) <= directory.DefaultRadiusKM {
				taken[q] = true
				for _, i := range snap.PartnerPartnerships(q) {
					if sel.Has(i) {
						a, _ := snap.PartnershipEnds(i)
						actors[a] = true
					}
				}
			}
		}
		if len(actors) >= 2 {
			want++
		}
	}
	if res.Total != want {
		t.Errorf("%d territories, the pairwise reference finds %d", res.Total, want)
	}
}

func BenchmarkCoordination(b *testing.B) {
	for _, c := range []struct {
		name string
		snap func(testing.TB) *index.Snapshot
	}{{"embedded", testkit.Snapshot}, {"100x", testkit.BigSnapshot}} {
		b.Run(c.name, func(b *testing.B) {
			snap := c.snap(b)
			b.ResetTimer()
			for b.Loop() {
				if _, err := directory.Coordination(snap, atlas.Filter{}, directory.DefaultRadiusKM, 100); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFiche(b *testing.B) {
	snap := testkit.Snapshot(b)
	a, _ := snap.Lookup(index.LayerAuthorities, "69123")
	de, _ := snap.Country("DE")
	b.Run("authority", func(b *testing.B) {
		for b.Loop() {
			directory.Authority(snap, a)
		}
	})
	b.Run("who-cooperates-DE", func(b *testing.B) {
		for b.Loop() {
			if _, err := directory.WhoCooperates(snap, de, atlas.Filter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
