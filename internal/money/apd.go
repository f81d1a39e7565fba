package money

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// By returns the groupings of an APD table, in the order the documentation
// lists them. The slice is the caller's own.
func By() []string {
	return []string{"year", "country", "sector", "sector_code", "region", "departement", "type", "authority", "channel"}
}

// Amounts are the sums and counts of a set of APD lines.
type Amounts struct {
	AmountEUR    int64 `json:"amount_eur"`
	RefugeesEUR  int64 `json:"refugees_eur"` // of which aid to refugees in France
	Lines        int   `json:"lines"`
	Authorities  int   `json:"authorities"`   // distinct declaring collectivités
	SyntheticEUR int64 `json:"synthetic_eur"` // of which from the synthetic complement
}

// Group is one row of an APD table.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Amounts
}

// Table is the APD of the declared lines a filter selects, grouped.
type Table struct {
	Unit   string  `json:"unit"` // "eur"
	By     string  `json:"by"`
	Filter Filter  `json:"filter"`
	Total  Amounts `json:"total"`
	Groups []Group `json:"groups"`
}

// acc accumulates Amounts over lines in authority order, counting distinct
// authorities as they change.
type acc struct {
	Amounts
	last int32
}

func (a *acc) add(ln *line) {
	a.AmountEUR += ln.amount
	if ln.refugees {
		a.RefugeesEUR += ln.amount
	}
	if ln.synthetic {
		a.SyntheticEUR += ln.amount
	}
	a.Lines++
	if a.Lines == 1 || a.last != ln.auth {
		a.Authorities++
		a.last = ln.auth
	}
}

// APD returns the table of the declared lines f selects grouped by by (one
// of By): by year, in ascending order with every year from the first to the
// last present that f admits (zero when none); otherwise by amount,
// largest first, then key. The table is shared: do not modify it.
func (l *Ledger) APD(by string, f Filter) (*Table, error) {
	if !slices.Contains(By(), by) {
		return nil, atlas.InvalidParam("by", by, "allowed: "+strings.Join(By(), ", "))
	}
	return get(l.memo, "apd?by="+by+"&"+f.Encode(), func() *Table { return l.table(by, f) }), nil
}

func (l *Ledger) table(by string, f Filter) *Table {
	var total acc
	groups := map[string]*acc{}
	for k := range l.lines {
		ln := &l.lines[k]
		if !l.match(&f, ln) {
			continue
		}
		total.add(ln)
		key := l.key(by, ln)
		g := groups[key]
		if g == nil {
			g = &acc{}
			groups[key] = g
		}
		g.add(ln)
	}
	if by == "year" && len(groups) > 0 {
		lo, hi := atlas.MaxYear, atlas.MinYear
		for k := range groups {
			y, _ := strconv.Atoi(k)
			lo, hi = min(lo, y), max(hi, y)
		}
		for y := lo; y <= hi; y++ {
			if k := strconv.Itoa(y); groups[k] == nil && f.matchYear(y) {
				groups[k] = &acc{}
			}
		}
	}
	t := &Table{Unit: "eur", By: by, Filter: f, Total: total.Amounts, Groups: make([]Group, 0, len(groups))}
	for k, g := range groups {
		t.Groups = append(t.Groups, Group{Key: k, Label: l.label(by, k), Amounts: g.Amounts})
	}
	if by == "year" {
		slices.SortFunc(t.Groups, func(a, b Group) int { return cmp.Compare(a.Key, b.Key) })
	} else {
		slices.SortFunc(t.Groups, func(a, b Group) int { return cmp.Or(cmp.Compare(b.AmountEUR, a.AmountEUR), cmp.Compare(a.Key, b.Key)) })
	}
	return t
}

// key is the group of ln in a table by by.
func (l *Ledger) key(by string, ln *line) string {
	a := &l.snap.Dataset().Authorities[ln.auth]
	switch by {
	case "year":
		return strconv.Itoa(ln.year)
	case "country":
		if ln.country == "" {
			return atlas.Unallocated
		}
		return ln.country
	case "sector":
		if s, ok := l.sectors[ln.sector]; ok {
			return s.Category
		}
		if len(ln.sector) >= 3 {
			return ln.sector[:3]
		}
		return ln.sector
	case "sector_code":
		return ln.sector
	case "region":
		return a.Region
	case "departement":
		return a.Departement
	case "type":
		return string(a.Type)
	case "authority":
		return a.ID
	case "channel":
		return string(ln.channel)
	}
	return ""
}

// label is the French label of a group key.
func (l *Ledger) label(by, key string) string {
	switch by {
	case "country":
		if key == atlas.Unallocated {
			return atlas.UnallocatedLabel
		}
		if c, ok := l.snap.Country(key); ok {
			return c.NameFR
		}
	case "sector":
		if s, ok := l.categories[key]; ok {
			return s.CategoryFR
		}
	case "sector_code":
		if s, ok := l.sectors[key]; ok {
			return s.NameFR
		}
	case "region":
		if key == "" {
			return "Non renseignée"
		}
		return l.snap.RegionName(key)
	case "departement":
		if key == "" {
			return "Sans département (région)"
		}
		return l.snap.DepartementName(key)
	case "type":
		return atlas.AuthorityType(key).Label()
	case "authority":
		if a, err := l.snap.Lookup("authorities", key); err == nil {
			return l.snap.Dataset().Authorities[a].Name
		}
	case "channel":
		return atlas.Channel(key).Label()
	}
	return key
}

// ByLabelFR is the French name of a grouping, for column headers.
func ByLabelFR(by string) string {
	switch by {
	case "year":
		return "Année"
	case "country":
		return "Pays bénéficiaire"
	case "sector":
		return "Catégorie CAD"
	case "sector_code":
		return "Code CAD"
	case "region":
		return "Région"
	case "departement":
		return "Département"
	case "type":
		return "Type de collectivité"
	case "authority":
		return "Collectivité"
	case "channel":
		return "Canal"
	}
	return by
}

// Received returns the APD received per beneficiary country (ISO2; the
// unallocated lines are left out) over the declared lines of the years
// since to until (0: open), for the countries layer. The map is shared: do
// not modify it.
func (l *Ledger) Received(since, until int) map[string]int64 {
	return get(l.memo, "received?"+strconv.Itoa(since)+"-"+strconv.Itoa(until), func() map[string]int64 {
		out := map[string]int64{}
		f := Filter{Since: since, Until: until}
		for k := range l.lines {
			if ln := &l.lines[k]; ln.country != "" && f.matchYear(ln.year) {
				out[ln.country] += ln.amount
			}
		}
		return out
	})
}

// Given returns the APD given per authority (by index in the dataset's
// authorities) over the declared lines of the years since to until (0:
// open), for the authorities layer. The slice is shared: do not modify it.
func (l *Ledger) Given(since, until int) []int64 {
	return get(l.memo, "given?"+strconv.Itoa(since)+"-"+strconv.Itoa(until), func() []int64 {
		out := make([]int64, len(l.snap.Dataset().Authorities))
		f := Filter{Since: since, Until: until}
		for k := range l.lines {
			if ln := &l.lines[k]; f.matchYear(ln.year) {
				out[ln.auth] += ln.amount
			}
		}
		return out
	})
}

// SectorJSON is a DAC purpose code as /api/apd/sectors lists it.
type SectorJSON struct {
	Code       string `json:"code"`
	Category   string `json:"category"`
	NameFR     string `json:"name_fr"`
	NameEN     string `json:"name_en"`
	CategoryFR string `json:"category_fr"`
	CategoryEN string `json:"category_en"`
	Theme      string `json:"theme"` // atlas theme slug, "" when none covers it
}

// CategoryJSON is a DAC category with its codes.
type CategoryJSON struct {
	Code    string   `json:"code"`
	NameFR  string   `json:"name_fr"`
	NameEN  string   `json:"name_en"`
	Theme   string   `json:"theme"`
	Sectors []string `json:"sectors"`
}

// SectorList is the DAC list of the snapshot.
type SectorList struct {
	RefugeesCode string         `json:"refugees_code"`
	Categories   []CategoryJSON `json:"categories"`
	Sectors      []SectorJSON   `json:"sectors"`
}

// Sectors returns the DAC purpose codes in code order with their categories
// and the atlas theme that covers each.
func (l *Ledger) Sectors() *SectorList {
	return get(l.memo, "sectors", func() *SectorList {
		out := &SectorList{RefugeesCode: atlas.SectorRefugees, Categories: []CategoryJSON{}, Sectors: []SectorJSON{}}
		ss := slices.Clone(l.snap.Dataset().Sectors)
		slices.SortFunc(ss, func(a, b atlas.Sector) int { return cmp.Compare(a.Code, b.Code) })
		for _, s := range ss {
			out.Sectors = append(out.Sectors, SectorJSON{s.Code, s.Category, s.NameFR, s.NameEN, s.CategoryFR, s.CategoryEN, atlas.SectorTheme(s.Code)})
			if n := len(out.Categories); n == 0 || out.Categories[n-1].Code != s.Category {
				out.Categories = append(out.Categories, CategoryJSON{s.Category, s.CategoryFR, s.CategoryEN, atlas.SectorTheme(s.Category + "00"), nil})
			}
			c := &out.Categories[len(out.Categories)-1]
			c.Sectors = append(c.Sectors, s.Code)
		}
		return out
	})
}
