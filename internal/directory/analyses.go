package directory

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// PriorityCountries are the 19 priority countries of French development
// aid set by the Comité interministériel de la coopération internationale
// et du développement of 8 February 2018 (CICID 2018, relevé de
// conclusions), by ISO 3166-1 alpha-2 code.
func PriorityCountries() []string {
	return []string{"BJ", "BF", "BI", "KM", "DJ", "ET", "GM", "GN", "HT", "LR", "MG", "ML", "MR", "NE", "CF", "CD", "SN", "TD", "TG"}
}

// PriorityReference names the list PriorityCountries returns.
const PriorityReference = "CICID du 8 février 2018 : 19 pays prioritaires de l'aide française au développement"

// PopulationSource names where the countries' populations come from.
const PopulationSource = "country-json 2.3.0 (MIT), country-by-population.json, figures as published (about 2018)"

// populations returns the population of each country by ISO2, read once
// (geodata/sources/country_population.csv; see geodata/PROVENANCE.md).
var populations = sync.OnceValues(func() (map[string]int64, error) {
	f, err := geodata.Sources().Open("country_population.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readPopulations(f)
})

// readPopulations reads a country_population.csv table (iso2, population,
// source_name).
func readPopulations(r io.Reader) (map[string]int64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	if _, err := cr.Read(); err != nil {
		return nil, fmt.Errorf("country_population.csv: %w", err)
	}
	out := map[string]int64{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("country_population.csv: %w", err)
		}
		n, err := strconv.ParseInt(rec[1], 10, 64)
		if err != nil || n <= 0 || len(rec[0]) != 2 {
			return nil, fmt.Errorf("country_population.csv:%d: want an ISO2 code and a positive population, got %q", line, rec[:2])
		}
		if _, dup := out[rec[0]]; dup {
			return nil, fmt.Errorf("country_population.csv:%d: %s twice", line, rec[0])
		}
		out[rec[0]] = n
	}
}

// CountryRow is one country of the "fewest cooperations" analysis.
type CountryRow struct {
	ISO2         string   `json:"iso2"`
	Name         string   `json:"name"`
	Priority     bool     `json:"priority"`
	Partnerships int      `json:"partnerships"`
	Cooperation  int      `json:"cooperation"` // partnerships of kind coopération décentralisée
	Projects     int      `json:"projects"`
	Authorities  int      `json:"authorities"` // French collectivités active there
	Population   int64    `json:"population,omitempty"`
	PerMillion   *float64 `json:"per_million"` // partnerships per million inhabitants, null without a population
}

// Fewest is the "countries with the fewest cooperations" analysis.
type Fewest struct {
	Reference        string       `json:"reference"`
	PopulationSource string       `json:"population_source"`
	Priority         []CountryRow `json:"priority"`  // the 19, fewest per million inhabitants first
	Countries        []CountryRow `json:"countries"` // every country but France, fewest partnerships first
}

// FewestCooperations counts the partnerships f selects by partner country,
// for every country of the dataset but France, with the CICID 2018
// priority countries apart.
func FewestCooperations(snap *index.Snapshot, f atlas.Filter) (Fewest, error) {
	pops, err := populations()
	if err != nil {
		return Fewest{}, err
	}
	ids, sel, err := snap.Items(index.LayerPartnerships, f)
	if err != nil {
		return Fewest{}, err
	}
	ds := snap.Dataset()
	priority := map[string]bool{}
	for _, c := range PriorityCountries() {
		priority[c] = true
	}
	rows := map[string]*CountryRow{}
	auths := map[string]map[int32]bool{}
	for _, c := range ds.Countries {
		if c.ISO2 == "FR" {
			continue
		}
		r := &CountryRow{ISO2: c.ISO2, Name: c.NameFR, Priority: priority[c.ISO2], Population: pops[c.ISO2]}
		rows[c.ISO2] = r
		auths[c.ISO2] = map[int32]bool{}
	}
	for _, i := range ids {
		a, pt := snap.PartnershipEnds(i)
		r := rows[ds.Partners[pt].Country]
		if r == nil {
			continue
		}
		r.Partnerships++
		if ds.Partnerships[i].Kind == atlas.Cooperation {
			r.Cooperation++
		}
		auths[r.ISO2][a] = true
	}
	for _, pr := range sel.Projects() {
		i, err := snap.Lookup(index.LayerPartnerships, ds.Projects[pr].PartnershipID)
		if err != nil {
			continue
		}
		_, pt := snap.PartnershipEnds(i)
		if r := rows[ds.Partners[pt].Country]; r != nil {
			r.Projects++
		}
	}
	out := Fewest{Reference: PriorityReference, PopulationSource: PopulationSource, Priority: []CountryRow{}, Countries: []CountryRow{}}
	for _, c := range ds.Countries {
		r := rows[c.ISO2]
		if r == nil {
			continue
		}
		r.Authorities = len(auths[c.ISO2])
		if r.Population > 0 {
			v := math.Round(float64(r.Partnerships)/(float64(r.Population)/1e6)*100) / 100
			r.PerMillion = &v
		}
		out.Countries = append(out.Countries, *r)
		if r.Priority {
			out.Priority = append(out.Priority, *r)
		}
	}
	slices.SortStableFunc(out.Countries, func(a, b CountryRow) int {
		return cmp.Or(cmp.Compare(a.Partnerships, b.Partnerships), strings.Compare(a.ISO2, b.ISO2))
	})
	slices.SortStableFunc(out.Priority, func(a, b CountryRow) int {
		return cmp.Or(cmp.Compare(perMillion(a), perMillion(b)), cmp.Compare(a.Partnerships, b.Partnerships), strings.Compare(a.ISO2, b.ISO2))
	})
	return out, nil
}

func perMillion(r CountryRow) float64 {
	if r.PerMillion == nil {
		return math.Inf(1)
	}
	return *r.PerMillion
}

// Coordination radius bounds, km.
const (
	DefaultRadiusKM = 25.0
	MinRadiusKM     = 1.0
	MaxRadiusKM     = 200.0
)

// Actor is a French collectivité acting on a territory.
type Actor struct {
	Ref
	Type         string   `json:"type"`
	TypeLabel    string   `json:"type_label"`
	Partnerships int      `json:"partnerships"`
	Partners     []string `json:"partners"`
	Themes       []string `json:"themes"`
}

// Territory is a foreign territory where two or more French collectivités
// act: the partners within the radius of its centre partner.
type Territory struct {
	ID           string     `json:"id"` // its centre partner's id
	Name         string     `json:"name"`
	Country      string     `json:"country"`
	CountryName  string     `json:"country_name"`
	Center       [2]float64 `json:"center"`
	RadiusKM     float64    `json:"radius_km"`
	Partnerships int        `json:"partnerships"`
	Partners     []Ref      `json:"partners"`
	Authorities  []Actor    `json:"authorities"`
	Themes       []Count    `json:"themes"`
}

// Coordinations is the coordination analysis.
type Coordinations struct {
	RadiusKM    float64     `json:"radius_km"`
	Method      string      `json:"method"`
	Total       int         `json:"total"`
	Territories []Territory `json:"territories"`
}

// CoordinationMethod says how territories are formed.
const CoordinationMethod = "Regroupement glouton : les autorités partenaires, de celle qui a le plus de partenariats sélectionnés à celle qui en a le moins, deviennent chacune le centre d'un territoire qui prend les partenaires non encore pris situés à moins du rayon (index R-tree, puis distance orthodromique) ; un territoire est retenu quand au moins deux collectivités françaises y agissent."

// Coordination groups the partners of the partnerships f selects into
// territories (CoordinationMethod) and returns those where two or more
// French collectivités act, the most collectivités first, at most limit.
// Each partner asks the R-tree once: no pairwise scan.
func Coordination(snap *index.Snapshot, f atlas.Filter, radiusKM float64, limit int) (Coordinations, error) {
	_, sel, err := snap.Items(index.LayerPartnerships, f)
	if err != nil {
		return Coordinations{}, err
	}
	ds := snap.Dataset()
	parts := slices.Clone(sel.Partners())
	slices.SortStableFunc(parts, func(a, b int32) int {
		return cmp.Or(cmp.Compare(sel.PartnerCount(b), sel.PartnerCount(a)), cmp.Compare(a, b))
	})
	taken := make([]bool, len(ds.Partners))
	// Territories are counted, and ranked, on a light summary; only the
	// ones returned are described in full.
	type cand struct {
		c              int32
		members        []int32
		actors, pships int
	}
	var cands []cand
	seen := make([]int32, len(ds.Authorities)) // stamp of the last centre that saw the authority
	var members []int32
	for n, c := range parts {
		if taken[c] {
			continue
		}
		at := ds.Partners[c].Point
		members = members[:0]
		searchKM(snap, at, radiusKM, func(q int32) bool {
			if !taken[q] && sel.PartnerCount(q) > 0 && atlas.DistanceKm(at, ds.Partners[q].Point) <= radiusKM {
				members = append(members, q)
			}
			return true
		})
		actors, pships := 0, 0
		for _, q := range members {
			taken[q] = true
			for _, i := range snap.PartnerPartnerships(q) {
				if !sel.Has(i) {
					continue
				}
				pships++
				if a, _ := snap.PartnershipEnds(i); seen[a] != int32(n+1) {
					seen[a] = int32(n + 1)
					actors++
				}
			}
		}
		if actors >= 2 {
			cands = append(cands, cand{c, slices.Clone(members), actors, pships})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.actors, a.actors), cmp.Compare(b.pships, a.pships), strings.Compare(ds.Partners[a.c].ID, ds.Partners[b.c].ID))
	})
	out := make([]Territory, 0, min(len(cands), limit))
	for _, k := range cands[:min(len(cands), limit)] {
		out = append(out, territory(snap, sel, k.c, k.members))
	}
	return Coordinations{RadiusKM: radiusKM, Method: CoordinationMethod, Total: len(cands), Territories: out}, nil
}

// territory describes the territory of centre c and its members.
func territory(snap *index.Snapshot, sel *index.Selection, c int32, members []int32) Territory {
	ds := snap.Dataset()
	type acc struct {
		n        int
		partners map[string]bool
		themes   map[string]bool
	}
	actors := map[int32]*acc{}
	var order []int32
	var byTheme [atlas.NumThemes]int
	n := 0
	for _, q := range members {
		for _, i := range snap.PartnerPartnerships(q) {
			if !sel.Has(i) {
				continue
			}
			a, _ := snap.PartnershipEnds(i)
			x := actors[a]
			if x == nil {
				x = &acc{partners: map[string]bool{}, themes: map[string]bool{}}
				actors[a] = x
				order = append(order, a)
			}
			x.n++
			n++
			x.partners[ds.Partners[q].Name] = true
			for _, t := range snap.PartnershipThemes(i) {
				x.themes[t] = true
				byTheme[atlas.ThemeIndex(t)]++
			}
		}
	}
	cp := ds.Partners[c]
	country, _ := snap.Country(cp.Country)
	t := Territory{ID: cp.ID, Name: cp.Name, Country: cp.Country, CountryName: country.NameFR, Center: cp.Point, Partnerships: n}
	slices.SortFunc(members, func(a, b int32) int { return strings.Compare(ds.Partners[a].Name, ds.Partners[b].Name) })
	for _, q := range members {
		p := ds.Partners[q]
		t.Partners = append(t.Partners, Ref{p.ID, p.Name, p.Point})
		t.RadiusKM = math.Max(t.RadiusKM, math.Round(atlas.DistanceKm(cp.Point, p.Point)*10)/10)
	}
	for _, a := range order {
		au, x := ds.Authorities[a], actors[a]
		act := Actor{Ref: Ref{au.ID, au.Name, au.Point}, Type: string(au.Type), TypeLabel: au.Type.Label(), Partnerships: x.n,
			Partners: sortedKeys(x.partners), Themes: []string{}}
		for _, th := range atlas.Themes() {
			if x.themes[th.Slug] {
				act.Themes = append(act.Themes, th.Slug)
			}
		}
		t.Authorities = append(t.Authorities, act)
	}
	slices.SortFunc(t.Authorities, func(a, b Actor) int {
		return cmp.Or(cmp.Compare(b.Partnerships, a.Partnerships), strings.Compare(a.Name, b.Name))
	})
	t.Themes = []Count{}
	for k, th := range atlas.Themes() {
		if byTheme[k] > 0 {
			t.Themes = append(t.Themes, Count{th.Slug, th.LabelFR, byTheme[k]})
		}
	}
	sortCounts(t.Themes)
	return t
}
