package index_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

func mustFilter(t testing.TB, snap *index.Snapshot, query string) atlas.Filter {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	f, err := atlas.ParseFilter(q, snap)
	if err != nil {
		t.Fatalf("filter %q: %v", query, err)
	}
	return f
}

// scan is the obvious full scan the index must agree with.
func scan(snap *index.Snapshot, f atlas.Filter) []int32 {
	ds := snap.Dataset()
	themesOf := map[string][]string{}
	for _, pr := range ds.Projects {
		themesOf[pr.PartnershipID] = append(themesOf[pr.PartnershipID], pr.Themes...)
	}
	auth := map[string]atlas.Authority{}
	for _, a := range ds.Authorities {
		auth[a.ID] = a
	}
	country := map[string]string{}
	for _, p := range ds.Partners {
		country[p.ID] = p.Country
	}
	var out []int32
	for i, p := range ds.Partnerships {
		ok := (len(f.Countries) == 0 || slices.Contains(f.Countries, country[p.PartnerID])) &&
			(len(f.Types) == 0 || slices.Contains(f.Types, auth[p.AuthorityID].Type)) &&
			(len(f.Kinds) == 0 || slices.Contains(f.Kinds, p.Kind)) &&
			(len(f.Provenances) == 0 || slices.Contains(f.Provenances, p.Provenance)) &&
			(len(f.Authorities) == 0 || slices.Contains(f.Authorities, p.AuthorityID)) &&
			(len(f.Partners) == 0 || slices.Contains(f.Partners, p.PartnerID)) &&
			f.MatchYear(p.StartYear)
		if ok && len(f.Themes) > 0 {
			ok = false
			for _, t := range themesOf[p.ID] {
				if slices.Contains(f.Themes, t) {
					ok = true
				}
			}
		}
		if ok && f.BBox != nil {
			ok = snap.Intersects(index.LayerPartnerships, int32(i), *f.BBox)
		}
		if ok {
			out = append(out, int32(i))
		}
	}
	return out
}

func TestItemsAgreeWithScan(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for _, q := range []string{
		"", "country=JP", "country=JP,BJ", "theme=culture-patrimoine,tourisme", "type=commune,region",
		"kind=cooperation", "since=2000", "until=1990", "since=2000&until=2010&kind=cooperation,amitie",
		"country=DE&type=commune&kind=jumelage", "provenance=real", "authority=75056", "theme=eau-assainissement&country=ML,BF,SN",
		"bbox=-20,5,10,25", "bbox=-20,5,10,25&theme=sante", "country=PF,NZ,FJ,US",
	} {
		t.Run(q, func(t *testing.T) {
			f := mustFilter(t, snap, q)
			got, _, err := snap.Items(index.LayerPartnerships, f)
			if err != nil {
				t.Fatal(err)
			}
			want := scan(snap, f)
			if !slices.Equal(got, want) {
				t.Fatalf("index selects %d partnerships, scan %d", len(got), len(want))
			}
			st, err := snap.Stats("kind", "partnerships", f)
			if err != nil || st.Total != len(want) {
				t.Fatalf("stats total %d (%v), want %d", st.Total, err, len(want))
			}
		})
	}
}

func TestDerivedLayers(t *testing.T) {
	snap := atlastest.Snapshot(t)
	f := mustFilter(t, snap, "country=JP")
	pships, sel, _ := snap.Items(index.LayerPartnerships, f)
	auths, _, _ := snap.Items(index.LayerAuthorities, f)
	parts, _, _ := snap.Items(index.LayerPartners, f)
	wantA, wantP := map[int32]int{}, map[int32]int{}
	for _, i := range pships {
		a, p := snap.PartnershipEnds(i)
		wantA[a]++
		wantP[p]++
	}
	if len(auths) != len(wantA) || len(parts) != len(wantP) {
		t.Fatalf("%d authorities, %d partners; want %d, %d", len(auths), len(wantA), len(parts), len(wantP))
	}
	for _, a := range auths {
		if sel.AuthorityCount(a) != wantA[a] {
			t.Fatalf("authority %d count %d want %d", a, sel.AuthorityCount(a), wantA[a])
		}
	}
	for _, p := range parts {
		if snap.Dataset().Partners[p].Country != "JP" {
			t.Fatal("partner outside Japan")
		}
	}
	// Countries always list every polygon, with counts.
	countries, _, _ := snap.Items(index.LayerCountries, f)
	if len(countries) != snap.Len(index.LayerCountries) {
		t.Fatalf("countries layer lists %d of %d", len(countries), snap.Len(index.LayerCountries))
	}
	jp, err := snap.Lookup(index.LayerCountries, "JP")
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Properties(index.LayerCountries, jp, sel)["partnerships"]; got != len(pships) {
		t.Fatalf("JP polygon count %v, want %d", got, len(pships))
	}
}

func TestSearchTree(t *testing.T) {
	snap := atlastest.Snapshot(t)
	// Every partner point inside a box is found by the R-tree.
	b := orb.Bound{Min: orb.Point{-10, 10}, Max: orb.Point{5, 20}}
	found := map[int32]bool{}
	snap.Search(index.LayerPartners, b, func(i int32) bool { found[i] = true; return true })
	for i, p := range snap.Dataset().Partners {
		if b.Contains(p.Point) != found[int32(i)] {
			t.Fatalf("partner %s at %v: in box %v, found %v", p.ID, p.Point, b.Contains(p.Point), found[int32(i)])
		}
	}
	if len(found) == 0 {
		t.Fatal("no partner in West Africa box")
	}
}

func TestVersionIsContentDerived(t *testing.T) {
	snap := atlastest.Snapshot(t)
	again, err := index.New(snap.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	if again.Version() != snap.Version() {
		t.Fatal("same data, different version")
	}
	ds := *snap.Dataset()
	ds.Partnerships = slices.Clone(ds.Partnerships)
	ds.Partnerships[0].Active = !ds.Partnerships[0].Active
	changed, err := index.New(&ds)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version() == snap.Version() {
		t.Fatal("changed data, same version")
	}
}

func TestSearchNames(t *testing.T) {
	snap := atlastest.Snapshot(t)
	as, _ := snap.SearchNames("lyon", 5)
	if len(as) == 0 || snap.Dataset().Authorities[as[0]].Name != "Lyon" {
		t.Fatalf("search lyon: %v", as)
	}
	as2, _ := snap.SearchNames("LYÔN", 5)
	if !slices.Equal(as, as2) {
		t.Fatal("search is not accent/case-insensitive")
	}
	// One typo: a letter dropped, changed, added, or two swapped; at the
	// start of the name or of one of its words; never before exact hits.
	ds := snap.Dataset()
	for q, want := range map[string]string{"marseile": "Marseille", "bamko": "Bamako", "toulouze": "Toulouse", "bordaeux": "Bordeaux",
		"strasbourgg": "Strasbourg", "ouagadougu": "Ouagadougou"} {
		as, ps := snap.SearchNames(q, 20)
		var names []string
		for _, i := range as {
			names = append(names, ds.Authorities[i].Name)
		}
		for _, i := range ps {
			names = append(names, ds.Partners[i].Name)
		}
		if !slices.Contains(names, want) {
			t.Errorf("search %q: %q, want %s", q, names, want)
		}
	}
	if as, _ := snap.SearchNames("lyo", 50); len(as) == 0 {
		t.Error("search lyo finds nothing")
	} else {
		for _, i := range as {
			if !strings.Contains(strings.ToLower(ds.Authorities[i].Name), "lyo") {
				t.Errorf("a 3-letter query finds %q, one typo away", ds.Authorities[i].Name)
			}
		}
	}
}

func TestLive(t *testing.T) {
	snap := atlastest.Snapshot(t)
	l := index.NewLive(nil)
	if l.Current() != nil {
		t.Fatal("empty Live has a snapshot")
	}
	l.Swap(snap)
	if l.Current() != snap {
		t.Fatal("swap not visible")
	}
}

func BenchmarkNew(b *testing.B) {
	ds := atlastest.Snapshot(b).Dataset()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := index.New(ds); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchTree(b *testing.B) {
	snap := atlastest.Snapshot(b)
	bound := orb.Bound{Min: orb.Point{-5, 42}, Max: orb.Point{8, 51}}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		snap.Search(index.LayerAuthorities, bound, func(int32) bool { n++; return true })
	}
}

// TestAreaLabels checks that every région and département of the stats is
// labelled with its name, overseas collectivities (which have no IGN
// boundary) included.
func TestAreaLabels(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for _, by := range []string{"region", "departement"} {
		st, err := snap.Stats(by, "partnerships", atlas.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range st.Groups {
			if g.Key != "" && g.Label == g.Key {
				t.Errorf("by=%s: group %q has no name", by, g.Key)
			}
		}
	}
	for code, want := range map[string]string{"987": "Polynésie française", "988": "Nouvelle-Calédonie", "11": "Île-de-France"} {
		if got := snap.RegionName(code); got != want {
			t.Errorf("RegionName(%s) = %q, want %q", code, got, want)
		}
	}
	// Région and département codes overlap ("11" is Île-de-France and Aude).
	if got := snap.DepartementName("11"); got != "Aude" {
		t.Errorf("DepartementName(11) = %q, want Aude", got)
	}
}

// TestExtent compares each layer's extent with the union of its features'
// bounds, and checks that an empty layer has none.
func TestExtent(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for _, l := range index.Layers() {
		n := snap.Len(l.ID)
		if n == 0 {
			t.Fatalf("%s: the test data has no feature", l.ID)
		}
		want := snap.Geometry(l.ID, 0).Bound()
		for i := int32(1); i < int32(n); i++ {
			want = want.Union(snap.Geometry(l.ID, i).Bound())
		}
		got, ok := snap.Extent(l.ID)
		if !ok || got != want {
			t.Errorf("%s: extent %v, %v; want %v", l.ID, got, ok, want)
		}
		if again, _ := snap.Extent(l.ID); again != got {
			t.Errorf("%s: the second answer %v differs from the first %v", l.ID, again, got)
		}
	}
	if _, ok := snap.Extent("nope"); ok {
		t.Error("an unknown layer has an extent")
	}
	empty, err := index.New(&atlas.Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := empty.Extent(index.LayerAuthorities); ok {
		t.Errorf("an empty layer has the extent %v", b)
	}
}
