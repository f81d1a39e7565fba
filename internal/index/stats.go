package index

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
)

// StatsBy returns the groupings a statistics table accepts, in the order
// the documentation lists them. The slice is the caller's own.
func StatsBy() []string {
	return []string{"country", "region", "departement", "type", "theme", "kind", "year", "provenance", "source"}
}

// StatsUnits returns the units a statistics table counts. The slice is the
// caller's own.
func StatsUnits() []string {
	return []string{"partnerships", "projects", "authorities", "partners"}
}

// Group is one row of a statistics table.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Stats is a statistics table: the number of distinct units of the selection
// in each group, sorted by count (by year: by year). Total is the number of
// distinct units, which is less than the sum of the groups when a unit falls
// in several groups (a project has up to three themes).
type Stats struct {
	By     string  `json:"by"`
	Unit   string  `json:"unit"`
	Total  int     `json:"total"`
	Groups []Group `json:"groups"`
	// BBox is [west, south, east, north] of both ends (French authority and
	// foreign partner) of the selected partnerships, for unit=partnerships
	// when the selection is not empty: what a map fits its view to.
	BBox []float64 `json:"bbox,omitempty"`
}

// UnknownYearLabel labels the group of unknown start years.
const UnknownYearLabel = "Non renseignée"

// NoSourceLabel labels, by source, the group of partnerships no real list
// documents (synthetic, or declared through the write API).
const NoSourceLabel = "Aucune liste publique (synthétique ou déclaré)"

// Stats counts the units selected by f, grouped by by. A bbox keeps the units
// whose own geometry intersects it (a project: its partnership's arc).
func (s *Snapshot) Stats(by, unit string, f atlas.Filter) (Stats, error) {
	if groupings := StatsBy(); !slices.Contains(groupings, by) {
		return Stats{}, atlas.InvalidParam("by", by, "allowed: "+strings.Join(groupings, ", "))
	}
	if units := StatsUnits(); !slices.Contains(units, unit) {
		return Stats{}, atlas.InvalidParam("unit", unit, "allowed: "+strings.Join(units, ", "))
	}
	counts := map[string]int{}
	var keys []string // scratch
	var bbox []float64
	total := 0
	addDistinct := func(ks []string) {
		slices.Sort(ks)
		for j, k := range ks {
			if j == 0 || ks[j-1] != k {
				counts[k]++
			}
		}
	}
	switch unit {
	case "partnerships":
		ids, sel, _ := s.Items(LayerPartnerships, f)
		total = len(ids)
		for _, i := range ids {
			keys = s.pshipKeys(keys[:0], by, i, sel)
			addDistinct(keys)
		}
		bbox = s.endsBBox(ids)
	case "projects":
		ids, sel, _ := s.Items(LayerPartnerships, f)
		for _, i := range ids {
			for _, pr := range s.pProjects[i] {
				if !sel.hasProject(pr) {
					continue
				}
				total++
				keys = s.projectKeys(keys[:0], by, pr)
				addDistinct(keys)
			}
		}
	case "authorities", "partners":
		layer := LayerAuthorities
		if unit == "partners" {
			layer = LayerPartners
		}
		ids, sel, _ := s.Items(layer, f)
		total = len(ids)
		for _, u := range ids {
			keys = keys[:0]
			var list []int32
			if unit == "partners" {
				list = s.partPships[u]
			} else {
				list = s.authPships[u]
			}
			for _, i := range list {
				if sel.Has(i) {
					keys = s.pshipKeys(keys, by, i, sel)
				}
			}
			addDistinct(keys)
		}
	}
	st := Stats{By: by, Unit: unit, Total: total, Groups: make([]Group, 0, len(counts)), BBox: bbox}
	for k, n := range counts {
		st.Groups = append(st.Groups, Group{Key: k, Label: s.groupLabel(by, k), Count: n})
	}
	if by == "year" {
		slices.SortFunc(st.Groups, func(a, b Group) int {
			if (a.Key == "") != (b.Key == "") {
				if a.Key == "" {
					return 1
				}
				return -1
			}
			return cmp.Compare(a.Key, b.Key)
		})
	} else {
		slices.SortFunc(st.Groups, func(a, b Group) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return cmp.Compare(a.Key, b.Key)
		})
	}
	return st, nil
}

// metropole is a box around metropolitan France (Corsica included).
var metropole = orb.Bound{Min: orb.Point{-5.5, 41}, Max: orb.Point{10, 51.5}}

// endsBBox returns [west, south, east, north] of both ends of the
// partnerships ids, or nil when there is none. The French ends overseas
// (outside metropolitan France) count only when no French end is in
// metropolitan France: a country's partners with French authorities from
// Polynesia to Guadeloupe would otherwise make the box the whole world.
func (s *Snapshot) endsBBox(ids []int32) []float64 {
	if len(ids) == 0 {
		return nil
	}
	auth, partners := s.ds.Authorities, s.ds.Partners
	metro := false
	for _, i := range ids {
		if metropole.Contains(auth[s.pAuth[i]].Point) {
			metro = true
			break
		}
	}
	b := orb.Bound{Min: partners[s.pPartner[ids[0]]].Point, Max: partners[s.pPartner[ids[0]]].Point}
	for _, i := range ids {
		b = b.Extend(partners[s.pPartner[i]].Point)
		if a := auth[s.pAuth[i]].Point; !metro || metropole.Contains(a) {
			b = b.Extend(a)
		}
	}
	return []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// pshipKeys appends the group keys of partnership i to dst.
func (s *Snapshot) pshipKeys(dst []string, by string, i int32, sel *Selection) []string {
	switch by {
	case "theme":
		for _, pr := range s.pProjects[i] {
			if sel.hasProject(pr) {
				dst = s.appendThemes(dst, s.prThemes[pr])
			}
		}
		return dst
	case "year":
		return append(dst, yearKey(int(s.pYear[i])))
	}
	return s.commonKeys(dst, by, i)
}

func (s *Snapshot) projectKeys(dst []string, by string, pr int32) []string {
	switch by {
	case "theme":
		return s.appendThemes(dst, s.prThemes[pr])
	case "year":
		return append(dst, yearKey(s.ds.Projects[pr].StartYear))
	case "provenance": // a project's own
		return append(dst, string(s.ds.Projects[pr].Provenance))
	}
	return s.commonKeys(dst, by, s.prPship[pr])
}

func (s *Snapshot) commonKeys(dst []string, by string, i int32) []string {
	a := s.ds.Authorities[s.pAuth[i]]
	switch by {
	case "country":
		return append(dst, s.ds.Countries[s.pCountry[i]].ISO2)
	case "region":
		return append(dst, a.Region)
	case "departement":
		return append(dst, a.Departement)
	case "type":
		return append(dst, string(a.Type))
	case "kind":
		return append(dst, string(s.ds.Partnerships[i].Kind))
	case "provenance":
		return append(dst, string(s.ds.Partnerships[i].Provenance))
	case "source": // a partnership falls in each list that documents it
		if ss := s.ds.Partnerships[i].Sources; len(ss) > 0 {
			return append(dst, ss...)
		}
		return append(dst, "")
	}
	return dst
}

func (s *Snapshot) appendThemes(dst []string, m uint16) []string {
	for t, th := range themeBits {
		if m&(1<<t) != 0 {
			dst = append(dst, th.Slug)
		}
	}
	return dst
}

func yearKey(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func (s *Snapshot) groupLabel(by, key string) string {
	switch by {
	case "country":
		if c, ok := s.countryByID[key]; ok {
			return s.ds.Countries[c].NameFR
		}
	case "region":
		if key == "" {
			return "Non renseignée"
		}
		return s.RegionName(key)
	case "departement":
		if key == "" {
			return "Sans département (région)"
		}
		return s.DepartementName(key)
	case "type":
		return atlas.AuthorityType(key).Label()
	case "kind":
		return atlas.Kind(key).Label()
	case "theme":
		if t, ok := atlas.ThemeBySlug(key); ok {
			return t.LabelFR
		}
	case "year":
		if key == "" {
			return UnknownYearLabel
		}
	case "provenance":
		return atlas.Provenance(key).Label()
	case "source":
		if key == "" {
			return NoSourceLabel
		}
		return atlas.SourceLabel(key)
	}
	return key
}

// Facets describes the values a filter can take in this snapshot.
type Facets struct {
	Themes    []FacetValue   `json:"themes"`
	Types     []FacetValue   `json:"types"`
	Kinds     []FacetValue   `json:"kinds"`
	Countries []CountryFacet `json:"countries"`
	Years     struct {
		Min int `json:"min"`
		Max int `json:"max"`
	} `json:"years"`
}

// FacetValue is one allowed value of a facet.
type FacetValue struct {
	Slug    string `json:"slug"`
	LabelFR string `json:"label_fr"`
	LabelEN string `json:"label_en,omitempty"`
	Count   int    `json:"partnerships"`
}

// CountryFacet is a partner country with its number of partnerships.
type CountryFacet struct {
	ISO2         string `json:"iso2"`
	NameFR       string `json:"name_fr"`
	NameEN       string `json:"name_en"`
	Partnerships int    `json:"partnerships"`
}

// Facets lists the allowed filter values with their partnership counts; only
// countries with partnerships are listed, by French name.
func (s *Snapshot) Facets() Facets {
	var f Facets
	for i, t := range themeBits {
		f.Themes = append(f.Themes, FacetValue{t.Slug, t.LabelFR, t.LabelEN, len(s.byTheme[i])})
	}
	typeEN := map[atlas.AuthorityType]string{atlas.Region: "Region", atlas.Departement: "Département", atlas.Groupement: "Inter-municipal body", atlas.Commune: "Municipality"}
	for _, t := range atlas.AuthorityTypes() {
		f.Types = append(f.Types, FacetValue{string(t), t.Label(), typeEN[t], len(s.byType[typeBit(t)])})
	}
	kindEN := map[atlas.Kind]string{atlas.Jumelage: "Twinning", atlas.Cooperation: "Decentralised cooperation", atlas.Amitie: "Friendship pact"}
	for _, k := range atlas.Kinds() {
		f.Kinds = append(f.Kinds, FacetValue{string(k), k.Label(), kindEN[k], len(s.byKind[kindBit(k)])})
	}
	for i, c := range s.ds.Countries {
		if n := len(s.byCountry[i]); n > 0 {
			f.Countries = append(f.Countries, CountryFacet{c.ISO2, c.NameFR, c.NameEN, n})
		}
	}
	slices.SortFunc(f.Countries, func(a, b CountryFacet) int { return strings.Compare(fold(a.NameFR), fold(b.NameFR)) })
	f.Years.Min, f.Years.Max = s.YearRange()
	return f
}
