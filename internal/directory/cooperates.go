package directory

import (
	"cmp"
	"slices"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Active is a French collectivité active in a country: what the posts
// abroad ask for.
type Active struct {
	Ref
	Type            string   `json:"type"`
	TypeLabel       string   `json:"type_label"`
	Departement     string   `json:"departement,omitempty"`
	DepartementName string   `json:"departement_name,omitempty"`
	RegionName      string   `json:"region_name,omitempty"`
	Partnerships    int      `json:"partnerships"`
	Partners        []string `json:"partners"` // their names, in name order
	Kinds           []string `json:"kinds"`
	Themes          []string `json:"themes"`
	FirstYear       int      `json:"first_year,omitempty"`
	Synthetic       bool     `json:"synthetic"` // every partnership listed is synthetic
	Contact         *Contact `json:"contact"`
}

// TypeGroup is the active collectivités of one type.
type TypeGroup struct {
	Type        string   `json:"type"`
	Label       string   `json:"label"`
	Count       int      `json:"count"`
	Authorities []Active `json:"authorities"`
}

// Cooperations answers "qui coopère avec … ?".
type Cooperations struct {
	Country      string      `json:"country"`
	CountryName  string      `json:"country_name"`
	Themes       []string    `json:"themes"`
	Partnerships int         `json:"partnerships"`
	Authorities  int         `json:"authorities"`
	Groups       []TypeGroup `json:"groups"` // régions, départements, groupements, communes
	ContactNote  string      `json:"contact_note"`
}

// WhoCooperates lists the French collectivités with a partnership selected
// by f (its country, and the other filters), grouped by type in the order
// of atlas.AuthorityTypes, the most partnerships first within a type.
func WhoCooperates(snap *index.Snapshot, country atlas.Country, f atlas.Filter) (Cooperations, error) {
	f.Countries = []string{country.ISO2}
	ids, _, err := snap.Items(index.LayerPartnerships, f)
	if err != nil {
		return Cooperations{}, err
	}
	ds := snap.Dataset()
	out := Cooperations{Country: country.ISO2, CountryName: country.NameFR, Themes: f.Themes, Partnerships: len(ids), ContactNote: NoContact}
	if out.Themes == nil {
		out.Themes = []string{}
	}
	type acc struct {
		a         int32
		n         int
		partners  []int32
		kinds     uint8
		themes    uint16
		first     int
		synthetic bool
	}
	pos := map[int32]int{}
	var accs []acc
	for _, i := range ids {
		a, pt := snap.PartnershipEnds(i)
		k, ok := pos[a]
		if !ok {
			k = len(accs)
			pos[a] = k
			accs = append(accs, acc{a: a, synthetic: true})
		}
		c := &accs[k]
		p := ds.Partnerships[i]
		c.n++
		c.partners = append(c.partners, pt)
		c.kinds |= 1 << slices.Index(atlas.Kinds(), p.Kind)
		c.themes |= snap.PartnershipThemeMask(i)
		if p.StartYear != 0 && (c.first == 0 || p.StartYear < c.first) {
			c.first = p.StartYear
		}
		c.synthetic = c.synthetic && p.Provenance == atlas.Synthetic
	}
	out.Authorities = len(accs)
	groups := map[atlas.AuthorityType]*TypeGroup{}
	for _, t := range atlas.AuthorityTypes() {
		groups[t] = &TypeGroup{Type: string(t), Label: t.Label(), Authorities: []Active{}}
	}
	kinds, themes := atlas.Kinds(), atlas.Themes()
	for _, c := range accs {
		au := ds.Authorities[c.a]
		act := Active{Ref: Ref{au.ID, au.Name, au.Point}, Type: string(au.Type), TypeLabel: au.Type.Label(),
			Departement: au.Departement, Partnerships: c.n, FirstYear: c.first, Synthetic: c.synthetic, Contact: contactOf(snap, c.a)}
		if au.Departement != "" {
			act.DepartementName = snap.DepartementName(au.Departement)
		}
		if au.Region != "" {
			act.RegionName = snap.RegionName(au.Region)
		}
		for _, pt := range c.partners {
			act.Partners = append(act.Partners, ds.Partners[pt].Name)
		}
		slices.Sort(act.Partners)
		act.Partners = slices.Compact(act.Partners)
		for k, kd := range kinds {
			if c.kinds&(1<<k) != 0 {
				act.Kinds = append(act.Kinds, string(kd))
			}
		}
		act.Themes = themeSlugs(themes, c.themes)
		g := groups[au.Type]
		g.Authorities = append(g.Authorities, act)
		g.Count++
	}
	for _, t := range atlas.AuthorityTypes() {
		g := groups[t]
		slices.SortFunc(g.Authorities, func(a, b Active) int {
			return cmp.Or(cmp.Compare(b.Partnerships, a.Partnerships), strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
		})
		out.Groups = append(out.Groups, *g)
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// themeSlugs returns the slugs of the themes in mask, in display order.
func themeSlugs(themes []atlas.Theme, mask uint16) []string {
	out := []string{}
	for k, t := range themes {
		if mask&(1<<k) != 0 {
			out = append(out, t.Slug)
		}
	}
	return out
}
