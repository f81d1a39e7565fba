// Package directory answers the questions asked of one place rather than of
// a map: the fiche of a French collectivité or of a foreign partner (its
// partnerships, projects, themes and the collectivités working near it), the
// list of French collectivités active in a country ("qui coopère avec… ?"),
// and the ministry's analyses (countries with the fewest cooperations,
// foreign territories where several collectivités act). Everything is
// computed from one index.Snapshot, so both stores give the same answers.
package directory

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// NeighbourKM is the radius within which another collectivité's partner
// counts as working on the same foreign territory, km.
const NeighbourKM = 50.0

// MaxNeighbours bounds the neighbours a fiche lists (the total is given).
const MaxNeighbours = 50

// Ref names a place of the atlas.
type Ref struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Point [2]float64 `json:"point"`
}

// Count is a labelled count.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Line is one partnership of a fiche, seen from the other side.
type Line struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	KindLabel   string   `json:"kind_label"`
	StartYear   int      `json:"start_year,omitempty"`
	Active      bool     `json:"active"`
	Provenance  string   `json:"provenance"`
	Sources     []string `json:"sources,omitempty"`
	Themes      []string `json:"themes"`
	Projects    int      `json:"projects"`
	Other       Ref      `json:"other"`                  // the partner (authority fiche) or the French authority (partner fiche)
	OtherType   string   `json:"other_type,omitempty"`   // the French authority's type (partner fiche)
	Country     string   `json:"country,omitempty"`      // the partner's country (authority fiche)
	CountryName string   `json:"country_name,omitempty"` //
}

// Project is one project of a fiche, with its partnership.
type Project struct {
	index.ProjectJSON
	PartnershipID string `json:"partnership_id"`
	Other         string `json:"other"` // the other side's name
}

// Neighbour is another French collectivité whose partners lie within
// NeighbourKM of this fiche's partners (or of the partner itself).
type Neighbour struct {
	Ref
	Type      string   `json:"type"`
	TypeLabel string   `json:"type_label"`
	Places    int      `json:"places"`     // its partners near ours
	NearestKM float64  `json:"nearest_km"` // the closest of them to one of ours, km
	Shared    int      `json:"shared"`     // partners it shares with this fiche
	Countries []string `json:"countries"`  // the countries of those partners
}

// Contact is the international relations contact a collectivité keeps on
// its fiche (a service and a role, never a person's name). The embedded
// data carries none: the collectivités are real, and no contact is ever
// invented for them; a collectivité writes its own through the write API.
type Contact struct {
	Service   string `json:"service"`
	Role      string `json:"role"`
	Email     string `json:"email"`
	Phone     string `json:"phone,omitempty"`
	Website   string `json:"website,omitempty"`
	UpdatedAt string `json:"updated_at"`
	Version   int    `json:"version"`
}

// contactOf returns the contact of authority a's fiche, or nil.
func contactOf(snap *index.Snapshot, a int32) *Contact {
	f, ok := snap.Fiche(a)
	if !ok {
		return nil
	}
	return &Contact{f.Service, f.Role, f.Email, f.Phone, f.Website, f.UpdatedAt, f.Version}
}

// NoContact says why a fiche has no contact.
const NoContact = "Aucun contact déclaré : la collectivité renseigne le sien depuis l'extranet de l'atlas."

// AuthorityFiche is the page of one French collectivité.
type AuthorityFiche struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Type            string      `json:"type"`
	TypeLabel       string      `json:"type_label"`
	Code            string      `json:"code"`
	Departement     string      `json:"departement,omitempty"`
	DepartementName string      `json:"departement_name,omitempty"`
	Region          string      `json:"region,omitempty"`
	RegionName      string      `json:"region_name,omitempty"`
	Population      int         `json:"population,omitempty"`
	Point           [2]float64  `json:"point"`
	Partnerships    []Line      `json:"partnerships"`
	Countries       []Count     `json:"countries"`
	Themes          []Count     `json:"themes"`
	Years           []Count     `json:"years"` // partnerships by start year
	Provenance      []Count     `json:"provenance"`
	Projects        []Project   `json:"projects"`
	Neighbours      []Neighbour `json:"neighbours"`
	NeighboursTotal int         `json:"neighbours_total"`
	Contact         *Contact    `json:"contact"`
	ContactNote     string      `json:"contact_note,omitempty"`
	PresentationFR  string      `json:"presentation_fr,omitempty"`
	PresentationEN  string      `json:"presentation_en,omitempty"`
	LogoURL         string      `json:"logo_url,omitempty"`
}

// PartnerFiche is the page of one foreign partner authority.
type PartnerFiche struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Country         string      `json:"country"`
	CountryName     string      `json:"country_name"`
	Subdivision     string      `json:"subdivision,omitempty"`
	GeonameID       int64       `json:"geonameid,omitempty"`
	Population      int         `json:"population,omitempty"`
	Point           [2]float64  `json:"point"`
	Partnerships    []Line      `json:"partnerships"`
	Themes          []Count     `json:"themes"`
	Years           []Count     `json:"years"`
	Provenance      []Count     `json:"provenance"`
	Projects        []Project   `json:"projects"`
	Neighbours      []Neighbour `json:"neighbours"` // French collectivités with other partners nearby
	NeighboursTotal int         `json:"neighbours_total"`
}

// Authority returns the fiche of French authority a.
func Authority(snap *index.Snapshot, a int32) AuthorityFiche {
	ds := snap.Dataset()
	au := ds.Authorities[a]
	f := AuthorityFiche{ID: au.ID, Name: au.Name, Type: string(au.Type), TypeLabel: au.Type.Label(), Code: au.Code,
		Departement: au.Departement, Region: au.Region, Population: au.Population, Point: au.Point,
		Partnerships: []Line{}, Projects: []Project{}, ContactNote: NoContact}
	if au.Departement != "" {
		f.DepartementName = snap.DepartementName(au.Departement)
	}
	if au.Region != "" {
		f.RegionName = snap.RegionName(au.Region)
	}
	if fc, ok := snap.Fiche(a); ok {
		f.Contact, f.ContactNote = contactOf(snap, a), ""
		f.PresentationFR, f.PresentationEN, f.LogoURL = fc.PresentationFR, fc.PresentationEN, fc.LogoURL
	}
	pships := snap.AuthorityPartnerships(a)
	countries := map[string]int{}
	var mine []int32
	for _, i := range pships {
		_, pt := snap.PartnershipEnds(i)
		p := ds.Partners[pt]
		c, _ := snap.Country(p.Country)
		l := line(snap, i, Ref{p.ID, p.Name, p.Point})
		l.Country, l.CountryName = p.Country, c.NameFR
		f.Partnerships = append(f.Partnerships, l)
		countries[p.Country]++
		mine = append(mine, pt)
		f.Projects = appendProjects(f.Projects, snap, i, p.Name)
	}
	sortLines(f.Partnerships)
	for iso, n := range countries {
		c, _ := snap.Country(iso)
		f.Countries = append(f.Countries, Count{iso, c.NameFR, n})
	}
	sortCounts(f.Countries)
	f.Themes, f.Years, f.Provenance = summary(snap, pships)
	f.Neighbours, f.NeighboursTotal = neighbours(snap, mine, a)
	return f
}

// Partner returns the fiche of partner p.
func Partner(snap *index.Snapshot, p int32) PartnerFiche {
	ds := snap.Dataset()
	pt := ds.Partners[p]
	c, _ := snap.Country(pt.Country)
	f := PartnerFiche{ID: pt.ID, Name: pt.Name, Country: pt.Country, CountryName: c.NameFR, Subdivision: pt.Subdivision,
		GeonameID: pt.GeonameID, Population: pt.Population, Point: pt.Point, Partnerships: []Line{}, Projects: []Project{}}
	pships := snap.PartnerPartnerships(p)
	own := map[int32]bool{}
	for _, i := range pships {
		a, _ := snap.PartnershipEnds(i)
		au := ds.Authorities[a]
		l := line(snap, i, Ref{au.ID, au.Name, au.Point})
		l.OtherType = string(au.Type)
		f.Partnerships = append(f.Partnerships, l)
		own[a] = true
		f.Projects = appendProjects(f.Projects, snap, i, au.Name)
	}
	sortLines(f.Partnerships)
	f.Themes, f.Years, f.Provenance = summary(snap, pships)
	// French collectivités working near this partner, but not with it.
	f.Neighbours, f.NeighboursTotal = neighbours(snap, []int32{p}, -1)
	kept := f.Neighbours[:0]
	for _, n := range f.Neighbours {
		if i, err := snap.Lookup(index.LayerAuthorities, n.ID); err == nil && !own[i] {
			kept = append(kept, n)
		} else {
			f.NeighboursTotal--
		}
	}
	f.Neighbours = kept
	return f
}

func line(snap *index.Snapshot, i int32, other Ref) Line {
	p := snap.Dataset().Partnerships[i]
	return Line{ID: p.ID, Kind: string(p.Kind), KindLabel: p.Kind.Label(), StartYear: p.StartYear, Active: p.Active,
		Provenance: string(p.Provenance), Sources: p.Sources, Themes: snap.PartnershipThemes(i),
		Projects: snap.PartnershipProjectCount(i), Other: other}
}

func appendProjects(dst []Project, snap *index.Snapshot, i int32, other string) []Project {
	id := snap.Dataset().Partnerships[i].ID
	for _, pr := range snap.PartnershipProjects(i) {
		dst = append(dst, Project{pr, id, other})
	}
	return dst
}

// sortLines orders partnerships by start year (unknown last), then by the
// other side's name, then id.
func sortLines(ls []Line) {
	slices.SortStableFunc(ls, func(a, b Line) int {
		ya, yb := a.StartYear, b.StartYear
		if ya == 0 {
			ya = math.MaxInt
		}
		if yb == 0 {
			yb = math.MaxInt
		}
		return cmp.Or(cmp.Compare(ya, yb), strings.Compare(a.Other.Name, b.Other.Name), strings.Compare(a.ID, b.ID))
	})
}

// sortCounts orders counts by count, descending, then by key.
func sortCounts(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key)) })
}

// summary counts the partnerships' themes (by partnership), start years
// (in year order, unknown years left out) and provenances.
func summary(snap *index.Snapshot, pships []int32) (themes, years, prov []Count) {
	ds := snap.Dataset()
	var byTheme [atlas.NumThemes]int
	byYear := map[int]int{}
	byProv := map[atlas.Provenance]int{}
	for _, i := range pships {
		for _, t := range snap.PartnershipThemes(i) {
			byTheme[atlas.ThemeIndex(t)]++
		}
		p := ds.Partnerships[i]
		if p.StartYear != 0 {
			byYear[p.StartYear]++
		}
		byProv[p.Provenance]++
	}
	themes, years, prov = []Count{}, []Count{}, []Count{}
	for k, t := range atlas.Themes() {
		if byTheme[k] > 0 {
			themes = append(themes, Count{t.Slug, t.LabelFR, byTheme[k]})
		}
	}
	sortCounts(themes)
	for y, n := range byYear {
		years = append(years, Count{strconv.Itoa(y), strconv.Itoa(y), n})
	}
	slices.SortFunc(years, func(a, b Count) int { return strings.Compare(a.Key, b.Key) })
	for _, pv := range []atlas.Provenance{atlas.Real, atlas.Synthetic} {
		if byProv[pv] > 0 {
			prov = append(prov, Count{string(pv), pv.Label(), byProv[pv]})
		}
	}
	return themes, years, prov
}

// neighbours returns the French authorities other than self (-1: none)
// with a partner within NeighbourKM of one of the partners ours, the
// closest first, at most MaxNeighbours, and how many there are. Found with
// the partners' R-tree: each of ours asks its box, then the exact distance.
func neighbours(snap *index.Snapshot, ours []int32, self int32) ([]Neighbour, int) {
	ds := snap.Dataset()
	mine := map[int32]bool{}
	for _, p := range ours {
		mine[p] = true
	}
	type acc struct {
		places    map[int32]bool
		shared    int
		nearest   float64
		countries map[string]bool
	}
	found := map[int32]*acc{}
	for p := range mine {
		at := ds.Partners[p].Point
		searchKM(snap, at, NeighbourKM, func(q int32) bool {
			d := atlas.DistanceKm(at, ds.Partners[q].Point)
			if d > NeighbourKM {
				return true
			}
			for _, i := range snap.PartnerPartnerships(q) {
				a, _ := snap.PartnershipEnds(i)
				if a == self {
					continue
				}
				n := found[a]
				if n == nil {
					n = &acc{places: map[int32]bool{}, nearest: math.Inf(1), countries: map[string]bool{}}
					found[a] = n
				}
				if !n.places[q] {
					n.places[q] = true
					if mine[q] {
						n.shared++
					}
				}
				n.nearest = math.Min(n.nearest, d)
				n.countries[ds.Partners[q].Country] = true
			}
			return true
		})
	}
	out := make([]Neighbour, 0, len(found))
	for a, n := range found {
		au := ds.Authorities[a]
		cs := make([]string, 0, len(n.countries))
		for c := range n.countries {
			cs = append(cs, c)
		}
		slices.Sort(cs)
		out = append(out, Neighbour{Ref: Ref{au.ID, au.Name, au.Point}, Type: string(au.Type), TypeLabel: au.Type.Label(),
			Places: len(n.places), NearestKM: math.Round(n.nearest*10) / 10, Shared: n.shared, Countries: cs})
	}
	slices.SortFunc(out, func(a, b Neighbour) int {
		return cmp.Or(cmp.Compare(b.Shared, a.Shared), cmp.Compare(a.NearestKM, b.NearestKM), cmp.Compare(b.Places, a.Places), strings.Compare(a.ID, b.ID))
	})
	total := len(out)
	return out[:min(total, MaxNeighbours)], total
}

// searchKM calls fn with the partners in the WGS84 box around p that holds
// every point within km of it (both sides of the antimeridian when the box
// crosses it); fn checks the exact distance.
func searchKM(snap *index.Snapshot, p orb.Point, km float64, fn func(q int32) bool) {
	dLat := km / 111.0
	dLon := math.Min(180, km/(111.0*math.Max(0.01, math.Cos(p[1]*math.Pi/180))))
	b := orb.Bound{Min: orb.Point{p[0] - dLon, p[1] - dLat}, Max: orb.Point{p[0] + dLon, p[1] + dLat}}
	snap.Search(index.LayerPartners, b, fn)
	switch {
	case b.Min[0] < -180:
		snap.Search(index.LayerPartners, orb.Bound{Min: orb.Point{b.Min[0] + 360, b.Min[1]}, Max: orb.Point{180, b.Max[1]}}, fn)
	case b.Max[0] > 180:
		snap.Search(index.LayerPartners, orb.Bound{Min: orb.Point{-180, b.Min[1]}, Max: orb.Point{b.Max[0] - 360, b.Max[1]}}, fn)
	}
}
