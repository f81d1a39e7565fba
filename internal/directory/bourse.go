package directory

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// MatchNearKM is how near the request's place one of a collectivité's
// partners must be for the nearness points, km.
const MatchNearKM = 100.0

// MatchMethod documents the bourse-projets' score.
const MatchMethod = "Score d'une collectivité française pour une demande : 3 points par thème recherché que ses projets portent déjà ; 4 points si elle a déjà un partenariat dans le pays de la demande ; 3 points si l'un de ses partenaires est à moins de 100 km du lieu de la demande ; 2 points si son type est recherché (ou si aucun type ne l'est) ; 1 point si sa population est dans la fourchette demandée (ou s'il n'y en a pas). Ne sont classées que les collectivités qui ont au moins un partenariat, sauf celles qui ont déjà l'autorité demandeuse pour partenaire ; à score égal, la plus engagée (le plus de partenariats) d'abord."

// Score points.
const (
	pointsPerTheme = 3
	pointsCountry  = 4
	pointsNear     = 3
	pointsType     = 2
	pointsSize     = 1
)

// Match is one French collectivité ranked for a request, or one request
// ranked for a collectivité, with what its score is made of.
type Match struct {
	Score        int      `json:"score"`
	SharedThemes []string `json:"shared_themes"`
	InCountry    bool     `json:"in_country"`
	NearKM       *float64 `json:"near_km"` // its nearest partner to the request's place, when within MatchNearKM
	TypeFit      bool     `json:"type_fit"`
	SizeFit      bool     `json:"size_fit"`
}

// AuthorityMatch is a collectivité ranked for a request.
type AuthorityMatch struct {
	Ref
	Type         string `json:"type"`
	TypeLabel    string `json:"type_label"`
	Population   int    `json:"population,omitempty"`
	Partnerships int    `json:"partnerships"`
	Match
}

// RequestMatch is a request ranked for a collectivité.
type RequestMatch struct {
	atlas.Request
	CountryName string `json:"country_name"`
	Match
}

// OpenRequests returns the requests open on day (YYYY-MM-DD) in the given
// countries and with one of the given themes (none: all), the soonest to
// close first, then by id.
func OpenRequests(snap *index.Snapshot, countries, themes []string, day string) []atlas.Request {
	out := []atlas.Request{}
	for _, r := range snap.Dataset().Requests {
		if !r.IsOpen(day) || (len(countries) > 0 && !slices.Contains(countries, r.Country)) {
			continue
		}
		if len(themes) > 0 && !slices.ContainsFunc(r.Themes, func(t string) bool { return slices.Contains(themes, t) }) {
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b atlas.Request) int {
		return cmp.Or(strings.Compare(a.ValidUntil, b.ValidUntil), strings.Compare(a.ID, b.ID))
	})
	return out
}

// scorer holds what the score of the collectivités for one request needs:
// who is near the request's place (found with the partners' R-tree).
type scorer struct {
	snap    *index.Snapshot
	req     atlas.Request
	themes  uint16
	near    map[int32]float64 // authority → its nearest partner's distance, km
	partner int32             // the request's partner, -1 when a new place
}

func newScorer(snap *index.Snapshot, r atlas.Request) *scorer {
	s := &scorer{snap: snap, req: r, near: map[int32]float64{}, partner: -1}
	for _, t := range r.Themes {
		if k := atlas.ThemeIndex(t); k >= 0 {
			s.themes |= 1 << k
		}
	}
	if r.PartnerID != "" {
		if p, err := snap.Lookup(index.LayerPartners, r.PartnerID); err == nil {
			s.partner = p
		}
	}
	ds := snap.Dataset()
	searchKM(snap, r.Point, MatchNearKM, func(q int32) bool {
		d := atlas.DistanceKm(r.Point, ds.Partners[q].Point)
		if d > MatchNearKM {
			return true
		}
		for _, i := range snap.PartnerPartnerships(q) {
			a, _ := snap.PartnershipEnds(i)
			if old, ok := s.near[a]; !ok || d < old {
				s.near[a] = d
			}
		}
		return true
	})
	return s
}

// score scores authority a; ok is false when a is not ranked (no
// partnership, or already the requester's partner).
func (s *scorer) score(a int32) (Match, bool) {
	snap, ds := s.snap, s.snap.Dataset()
	pships := snap.AuthorityPartnerships(a)
	if len(pships) == 0 {
		return Match{}, false
	}
	var mask uint16
	var m Match
	for _, i := range pships {
		_, pt := snap.PartnershipEnds(i)
		if pt == s.partner {
			return Match{}, false
		}
		mask |= snap.PartnershipThemeMask(i)
		if ds.Partners[pt].Country == s.req.Country {
			m.InCountry = true
		}
	}
	m.SharedThemes = themeSlugs(atlas.Themes(), mask&s.themes)
	m.Score = pointsPerTheme * len(m.SharedThemes)
	if m.InCountry {
		m.Score += pointsCountry
	}
	if d, ok := s.near[a]; ok {
		d = math.Round(d*10) / 10
		m.NearKM = &d
		m.Score += pointsNear
	}
	au := ds.Authorities[a]
	if m.TypeFit = len(s.req.SoughtTypes) == 0 || slices.Contains(s.req.SoughtTypes, au.Type); m.TypeFit {
		m.Score += pointsType
	}
	if m.SizeFit = au.Population >= s.req.MinPopulation && (s.req.MaxPopulation == 0 || au.Population <= s.req.MaxPopulation); m.SizeFit {
		m.Score += pointsSize
	}
	return m, true
}

// MatchAuthorities ranks the French collectivités for request r
// (MatchMethod), at most limit, and says how many were ranked.
func MatchAuthorities(snap *index.Snapshot, r atlas.Request, limit int) ([]AuthorityMatch, int) {
	s := newScorer(snap, r)
	ds := snap.Dataset()
	var out []AuthorityMatch
	for a := range ds.Authorities {
		m, ok := s.score(int32(a))
		if !ok {
			continue
		}
		au := ds.Authorities[a]
		out = append(out, AuthorityMatch{Ref: Ref{au.ID, au.Name, au.Point}, Type: string(au.Type), TypeLabel: au.Type.Label(),
			Population: au.Population, Partnerships: len(snap.AuthorityPartnerships(int32(a))), Match: m})
	}
	slices.SortFunc(out, func(a, b AuthorityMatch) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(b.Partnerships, a.Partnerships), strings.Compare(a.ID, b.ID))
	})
	total := len(out)
	if out == nil {
		out = []AuthorityMatch{}
	}
	return out[:min(total, limit)], total
}

// MatchRequests ranks the requests open on day for authority a, by the
// same score, the best first (then the soonest to close).
func MatchRequests(snap *index.Snapshot, a int32, day string) []RequestMatch {
	out := []RequestMatch{}
	for _, r := range OpenRequests(snap, nil, nil, day) {
		m, ok := newScorer(snap, r).score(a)
		if !ok {
			continue
		}
		c, _ := snap.Country(r.Country)
		out = append(out, RequestMatch{Request: r, CountryName: c.NameFR, Match: m})
	}
	slices.SortStableFunc(out, func(x, y RequestMatch) int { return cmp.Compare(y.Score, x.Score) })
	return out
}
