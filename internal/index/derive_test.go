package index_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// answers is what a snapshot says about its links, compared between a
// derived snapshot and one indexed from scratch.
func answers(t *testing.T, snap *index.Snapshot) string {
	t.Helper()
	out := snap.Version() + "\n"
	boxes := []orb.Bound{
		{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}},
		{Min: orb.Point{-10, 10}, Max: orb.Point{5, 20}},
		{Min: orb.Point{130, 30}, Max: orb.Point{145, 45}},
		{Min: orb.Point{-5, 42}, Max: orb.Point{8, 51}},
	}
	for _, b := range boxes {
		var ids []string
		snap.Search(index.LayerPartnerships, b, func(i int32) bool {
			ids = append(ids, snap.FeatureID(index.LayerPartnerships, i))
			return true
		})
		slices.Sort(ids)
		ids = slices.Compact(ids)
		out += fmt.Sprintf("box %v: %v\n", b, ids)
	}
	for _, q := range []string{"", "country=JP", "theme=eau-assainissement", "kind=jumelage", "type=region&year=2000..2020", "bbox=-10,10,5,20"} {
		f := mustFilter(t, snap, q)
		items, _, err := snap.Items(index.LayerPartnerships, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, i := range items {
			ids = append(ids, snap.FeatureID(index.LayerPartnerships, i))
		}
		out += fmt.Sprintf("items %q: %v\n", q, ids)
		st, err := snap.Stats("country", "partnerships", f)
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("stats %q: %+v\n", q, st)
	}
	return out
}

func TestDeriveEqualsNew(t *testing.T) {
	base := atlastest.Snapshot(t)
	ds0 := base.Dataset()
	before := answers(t, base)
	p0 := ds0.Partnerships

	// A partner far from partnership 0's (another continent), so that its
	// arc moves in the R-tree.
	far := ""
	for _, p := range ds0.Partners {
		if p.Country == "JP" {
			far = p.ID
			break
		}
	}
	if far == "" {
		t.Fatal("no Japanese partner in the test data")
	}
	cases := map[string]func(ds *atlas.Dataset){
		"update in place": func(ds *atlas.Dataset) {
			ds.Partnerships = slices.Clone(p0)
			ds.Partnerships[0].PartnerID = far
			ds.Partnerships[1].Kind = atlas.Cooperation
			ds.Partnerships[2].StartYear = 1999
		},
		"append": func(ds *atlas.Dataset) {
			ds.Partnerships = append(slices.Clip(slices.Clone(p0)), atlas.Partnership{
				ID: "test-new", AuthorityID: p0[5].AuthorityID, PartnerID: far,
				Kind: atlas.Cooperation, StartYear: 2024, Active: true, Provenance: atlas.Synthetic,
			})
			ds.Projects = append(slices.Clip(slices.Clone(ds0.Projects)), atlas.Project{
				ID: "test-new-project", PartnershipID: "test-new", Title: "Eau potable",
				Themes: []string{"eau-assainissement"}, StartYear: 2024, Provenance: atlas.Synthetic,
			})
		},
		"delete": func(ds *atlas.Dataset) {
			gone := p0[3].ID
			ds.Partnerships = slices.Delete(slices.Clone(p0), 3, 4)
			ds.Projects = slices.DeleteFunc(slices.Clone(ds0.Projects), func(pr atlas.Project) bool { return pr.PartnershipID == gone })
		},
		"projects only": func(ds *atlas.Dataset) {
			ds.Projects = slices.Clone(ds0.Projects)
			ds.Projects[0].Themes = []string{"culture-patrimoine", "eau-assainissement"}
			ds.Projects = ds.Projects[1:]
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			ds := *ds0
			change(&ds)
			want, err := index.New(&ds)
			if err != nil {
				t.Fatal(err)
			}
			got, err := index.Derive(base, &ds)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version() == base.Version() {
				t.Fatal("derived snapshot has the previous version")
			}
			if g, w := answers(t, got), answers(t, want); g != w {
				t.Fatalf("derived answers differ from a fresh index:\n%s\nwant\n%s", g, w)
			}
			if answers(t, base) != before {
				t.Fatal("deriving changed the previous snapshot's answers")
			}
			// Chained: deriving the original back gives the original.
			back, err := index.Derive(got, ds0)
			if err != nil {
				t.Fatal(err)
			}
			if answers(t, back) != before {
				t.Fatal("deriving back does not give the original answers")
			}
		})
	}
}

// TestDeriveNewPlaces checks that a dataset with its own places (here a
// renamed authority) is indexed from scratch, names included.
func TestDeriveNewPlaces(t *testing.T) {
	base := atlastest.Snapshot(t)
	ds := *base.Dataset()
	ds.Authorities = slices.Clone(ds.Authorities)
	i := slices.IndexFunc(ds.Authorities, func(a atlas.Authority) bool { return a.Name == "Lyon" })
	ds.Authorities[i].Name = "Lugdunum"
	got, err := index.Derive(base, &ds)
	if err != nil {
		t.Fatal(err)
	}
	want, err := index.New(&ds)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version() != want.Version() || got.Version() == base.Version() {
		t.Fatalf("versions: derived %s, fresh %s, previous %s", got.Version(), want.Version(), base.Version())
	}
	if as, _ := got.SearchNames("lugdunum", 1); len(as) != 1 || int(as[0]) != i {
		t.Fatalf("renamed authority not found: %v", as)
	}
}

func BenchmarkDerive(b *testing.B) {
	base := atlastest.Snapshot(b)
	ds := *base.Dataset()
	ds.Partnerships = slices.Clone(ds.Partnerships)
	ds.Partnerships[0].StartYear = 2001
	b.ReportAllocs()
	for b.Loop() {
		if _, err := index.Derive(base, &ds); err != nil {
			b.Fatal(err)
		}
	}
}
