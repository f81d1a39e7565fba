package directory_test

import (
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/directory"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// handMade is a small atlas whose rankings are worked out by hand in
// TestMatching.
func handMade(t *testing.T) *index.Snapshot {
	t.Helper()
	cotonou, portoNovo, dakar := orb.Point{2.41833, 6.36536}, orb.Point{2.60359, 6.49646}, orb.Point{-17.44406, 14.6937}
	ds := &atlas.Dataset{
		Countries: []atlas.Country{{ISO2: "FR", NameFR: "France", NameEN: "France"}, {ISO2: "BJ", NameFR: "Bénin", NameEN: "Benin"},
			{ISO2: "SN", NameFR: "Sénégal", NameEN: "Senegal"}},
		Authorities: []atlas.Authority{
			{ID: "A", Type: atlas.Commune, Code: "A", Name: "Commune A", Population: 50_000, Point: orb.Point{4.8, 45.7}},
			{ID: "B", Type: atlas.Region, Code: "B", Name: "Région B", Population: 5_000_000, Point: orb.Point{-1.7, 48.1}},
			{ID: "C", Type: atlas.Commune, Code: "C", Name: "Commune C", Population: 20_000, Point: orb.Point{2.3, 48.8}},
			{ID: "D", Type: atlas.Departement, Code: "D", Name: "Département D", Population: 300_000, Point: orb.Point{3, 45}},
		},
		Partners: []atlas.Partner{
			{ID: "P1", Name: "Cotonou", Country: "BJ", Point: cotonou},
			{ID: "P2", Name: "Porto-Novo", Country: "BJ", Point: portoNovo},
			{ID: "P3", Name: "Dakar", Country: "SN", Point: dakar},
		},
		Partnerships: []atlas.Partnership{
			{ID: "S1", AuthorityID: "A", PartnerID: "P3", Kind: atlas.Cooperation, StartYear: 2001, Active: true, Provenance: atlas.Synthetic},
			{ID: "S2", AuthorityID: "B", PartnerID: "P2", Kind: atlas.Cooperation, StartYear: 2005, Active: true, Provenance: atlas.Synthetic},
			{ID: "S3", AuthorityID: "C", PartnerID: "P1", Kind: atlas.Jumelage, Active: true, Provenance: atlas.Real},
		},
		Projects: []atlas.Project{
			{ID: "J1", PartnershipID: "S1", Title: "Eau", Themes: []string{"eau-assainissement"}, Provenance: atlas.Synthetic},
			{ID: "J2", PartnershipID: "S2", Title: "Culture", Themes: []string{"culture-patrimoine"}, Provenance: atlas.Synthetic},
		},
		Requests: []atlas.Request{
			{ID: "BRS-1", PartnerID: "P1", Name: "Cotonou", Country: "BJ", Point: cotonou, Themes: []string{"eau-assainissement", "culture-patrimoine"},
				Description: "Cotonou cherche un partenaire pour l'eau et la culture.", SoughtTypes: []atlas.AuthorityType{atlas.Commune},
				MinPopulation: 10_000, MaxPopulation: 100_000, Languages: []string{"fr"}, ValidUntil: "2027-06-30", Status: atlas.RequestOpen, Published: "2026-12-01"},
			{ID: "BRS-2", Name: "Rufisque", Country: "SN", Point: orb.Point{-17.27, 14.72}, Themes: []string{"eau-assainissement"},
				Description: "Rufisque cherche une commune pour l'assainissement.", SoughtTypes: []atlas.AuthorityType{atlas.Commune},
				Languages: []string{"fr", "wo"}, ValidUntil: "2027-01-31", Status: atlas.RequestOpen, Published: "2026-12-01"},
			{ID: "BRS-3", Name: "Closed", Country: "SN", Point: dakar, Themes: []string{"sante"}, Description: "Une demande close depuis longtemps.",
				Languages: []string{"fr"}, ValidUntil: "2027-12-31", Status: atlas.RequestClosed, Published: "2026-01-01"},
			{ID: "BRS-4", Name: "Expired", Country: "BJ", Point: cotonou, Themes: []string{"sante"}, Description: "Une demande arrivée à échéance.",
				Languages: []string{"fr"}, ValidUntil: "2026-01-31", Status: atlas.RequestOpen, Published: "2025-12-01"},
		},
	}
	snap, err := index.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// The rankings of the hand-made atlas, point by point:
//
//	BRS-1 (Cotonou, water and culture, a commune of 10,000 to 100,000):
//	  Région B: culture 3 + in Bénin 4 + Porto-Novo 28 km away 3 + type 0 + size 0 = 10
//	  Commune A: water 3 + type 2 + size 1 = 6
//	  Commune C: already Cotonou's partner, not ranked; Département D: no partnership.
//	For Commune A: BRS-2 (Rufisque, water, a commune): water 3 + in Sénégal 4
//	  + Dakar 19 km away 3 + type 2 + size 1 = 13, before BRS-1 (6);
//	  BRS-3 is closed and BRS-4 expired on 2026-12-07.
func TestMatching(t *testing.T) {
	snap := handMade(t)
	day := "2026-12-07"
	open := directory.OpenRequests(snap, nil, nil, day)
	if len(open) != 2 || open[0].ID != "BRS-2" || open[1].ID != "BRS-1" {
		t.Fatalf("open requests %v", open)
	}
	if got := directory.OpenRequests(snap, []string{"BJ"}, []string{"culture-patrimoine"}, day); len(got) != 1 || got[0].ID != "BRS-1" {
		t.Errorf("open in BJ on culture: %v", got)
	}
	ranked, total := directory.MatchAuthorities(snap, snap.Dataset().Requests[0], 10)
	var got []string
	var scores []int
	for _, m := range ranked {
		got = append(got, m.ID)
		scores = append(scores, m.Score)
	}
	if total != 2 || !slices.Equal(got, []string{"B", "A"}) || !slices.Equal(scores, []int{10, 6}) {
		t.Fatalf("BRS-1 ranks %v with %v (of %d)", got, scores, total)
	}
	b := ranked[0]
	if !b.InCountry || b.NearKM == nil || *b.NearKM > 30 || b.TypeFit || b.SizeFit || !slices.Equal(b.SharedThemes, []string{"culture-patrimoine"}) {
		t.Errorf("Région B's score parts: %+v", b.Match)
	}
	a, _ := snap.Lookup(index.LayerAuthorities, "A")
	reqs := directory.MatchRequests(snap, a, day)
	if len(reqs) != 2 || reqs[0].ID != "BRS-2" || reqs[0].Score != 13 || reqs[1].ID != "BRS-1" || reqs[1].Score != 6 {
		t.Errorf("Commune A's requests: %+v", reqs)
	}
}
