package index

import (
	"fmt"
	"slices"
	"sync"

	"github.com/atlas-cooperation/atlas/internal/cache"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// Selection is the set of partnerships (and derived projects, authorities,
// partners, counts) that a filter's non-spatial facets select. The bbox of a
// filter is not part of a selection: each layer applies it to its own
// geometry. A Selection is immutable once returned and safe for concurrent
// use; derived counts are computed once, on first use.
type Selection struct {
	s      *Snapshot
	filter atlas.Filter // without BBox
	all    bool

	pships []int32 // sorted partnership indices
	member []bool  // by partnership index; nil when all
	themes uint16  // theme mask of the filter, 0 when none

	once     sync.Once
	projects []int32 // sorted matching projects
	authN    []int32 // matching partnerships per authority
	partN    []int32 // per partner
	countryN []int32 // per country (ds.Countries)
	countryP []int32 // matching projects per country
	regionN  []int32 // per region shape
	regionP  []int32
	deptN    []int32
	deptP    []int32
	pshipP   []int32 // matching projects per partnership
	auths    []int32 // authorities with ≥1 matching partnership, sorted
	parts    []int32 // partners with ≥1 matching partnership, sorted
}

// ownSelectionBudget is the budget of the selections of a snapshot that no
// Live with a budget publishes (a command's, a test's).
const ownSelectionBudget = 64 << 20

// Select returns the selection of f's non-spatial facets. Results are cached
// per canonical filter (see Canonical), charged to the memory budget.
func (s *Snapshot) Select(f atlas.Filter) *Selection {
	f.BBox = nil
	f = s.Canonical(f)
	c := s.sels.Load()
	if c == nil {
		s.ownOnce.Do(func() {
			s.sels.CompareAndSwap(nil, cache.New[*Selection](cache.NewBudget(ownSelectionBudget), "selections", 0))
		})
		c = s.sels.Load()
	}
	return c.Memo(s.selKey()+f.Encode(), f.IsZero(), func() (*Selection, int64) {
		sel := s.compute(f)
		return sel, sel.bytes()
	}, nil)
}

// selKey is the prefix of the keys of s's selections in a cache that
// several snapshots share: s's address, which no other snapshot can have
// while an entry (which holds s) is cached.
func (s *Snapshot) selKey() string { return fmt.Sprintf("sel/%p?", s) }

// bytes is an upper bound of what sel holds once its derived counts are
// made (they are made on first use, after sel is charged).
func (sel *Selection) bytes() int64 {
	s := sel.s
	n := int64(4*cap(sel.pships) + len(sel.member) + 256)
	n += 4 * int64(2*len(s.ds.Authorities)+2*len(s.ds.Partners)+len(s.ds.Partnerships)+len(s.ds.Projects))
	n += 8 * int64(len(s.ds.Countries)+s.Len(LayerRegions)+s.Len(LayerDepartements))
	return n
}

func (s *Snapshot) compute(f atlas.Filter) *Selection {
	sel := &Selection{s: s, filter: f}
	for _, t := range f.Themes {
		sel.themes |= 1 << atlas.ThemeIndex(t)
	}
	if f.IsZero() {
		sel.all = true
		sel.pships = make([]int32, len(s.ds.Partnerships))
		for i := range sel.pships {
			sel.pships[i] = int32(i)
		}
		return sel
	}
	// Candidate postings per constrained facet; start from the smallest
	// union and check the other facets on the columns.
	var facets [][][]int32
	if len(f.Countries) > 0 {
		var ls [][]int32
		for _, c := range f.Countries {
			ls = append(ls, s.byCountry[s.countryByID[c]])
		}
		facets = append(facets, ls)
	}
	if len(f.Themes) > 0 {
		var ls [][]int32
		for _, t := range f.Themes {
			ls = append(ls, s.byTheme[atlas.ThemeIndex(t)])
		}
		facets = append(facets, ls)
	}
	if len(f.Types) > 0 {
		var ls [][]int32
		for _, t := range f.Types {
			ls = append(ls, s.byType[typeBit(t)])
		}
		facets = append(facets, ls)
	}
	if len(f.Kinds) > 0 {
		var ls [][]int32
		for _, k := range f.Kinds {
			ls = append(ls, s.byKind[kindBit(k)])
		}
		facets = append(facets, ls)
	}
	if len(f.Provenances) > 0 {
		var ls [][]int32
		for _, p := range f.Provenances {
			ls = append(ls, s.byProv[provBit(p)])
		}
		facets = append(facets, ls)
	}
	if len(f.Authorities) > 0 {
		var ls [][]int32
		for _, a := range f.Authorities {
			ls = append(ls, s.authPships[s.authByID[a]])
		}
		facets = append(facets, ls)
	}
	if len(f.Partners) > 0 {
		var ls [][]int32
		for _, p := range f.Partners {
			ls = append(ls, s.partPships[s.partnerByID[p]])
		}
		facets = append(facets, ls)
	}
	if f.Since != 0 || f.Until != 0 {
		facets = append(facets, [][]int32{s.yearPosting(f.Since, f.Until)})
	}
	best, bestN := 0, -1
	for i, ls := range facets {
		n := 0
		for _, l := range ls {
			n += len(l)
		}
		if bestN < 0 || n < bestN {
			best, bestN = i, n
		}
	}
	var cand []int32
	for _, l := range facets[best] {
		cand = append(cand, l...)
	}
	cand = sortedUnique(cand)
	m := s.matcher(f, sel.themes)
	out := cand[:0:0]
	for _, i := range cand {
		if m(i) {
			out = append(out, i)
		}
	}
	sel.pships = out
	sel.member = make([]bool, len(s.ds.Partnerships))
	for _, i := range out {
		sel.member[i] = true
	}
	return sel
}

// yearPosting returns the partnerships whose known start year lies in
// [since, until] (0 = open bound), sorted by index.
func (s *Snapshot) yearPosting(since, until int) []int32 {
	lo, _ := slices.BinarySearchFunc(s.byYear, max(since, 1), func(i int32, y int) int { return int(s.pYear[i]) - y })
	hi := len(s.byYear)
	if until != 0 {
		hi, _ = slices.BinarySearchFunc(s.byYear, until+1, func(i int32, y int) int { return int(s.pYear[i]) - y })
	}
	out := slices.Clone(s.byYear[lo:hi])
	slices.Sort(out)
	return out
}

// matcher returns a predicate checking every facet of f on the columns.
func (s *Snapshot) matcher(f atlas.Filter, themes uint16) func(int32) bool {
	var countries []bool
	if len(f.Countries) > 0 {
		countries = make([]bool, len(s.ds.Countries))
		for _, c := range f.Countries {
			countries[s.countryByID[c]] = true
		}
	}
	var types, kinds, provs uint8
	for _, t := range f.Types {
		types |= 1 << typeBit(t)
	}
	for _, k := range f.Kinds {
		kinds |= 1 << kindBit(k)
	}
	for _, p := range f.Provenances {
		provs |= 1 << provBit(p)
	}
	auths := map[int32]bool{}
	for _, a := range f.Authorities {
		auths[s.authByID[a]] = true
	}
	parts := map[int32]bool{}
	for _, p := range f.Partners {
		parts[s.partnerByID[p]] = true
	}
	return func(i int32) bool {
		switch {
		case countries != nil && !countries[s.pCountry[i]]:
			return false
		case themes != 0 && s.pThemes[i]&themes == 0:
			return false
		case types != 0 && types&(1<<s.pType[i]) == 0:
			return false
		case kinds != 0 && kinds&(1<<s.pKind[i]) == 0:
			return false
		case provs != 0 && provs&(1<<s.pProv[i]) == 0:
			return false
		case len(auths) > 0 && !auths[s.pAuth[i]]:
			return false
		case len(parts) > 0 && !parts[s.pPartner[i]]:
			return false
		case !f.MatchYear(int(s.pYear[i])):
			return false
		}
		return true
	}
}

// Has reports whether partnership i is selected.
func (sel *Selection) Has(i int32) bool { return sel.all || sel.member[i] }

// Partnerships returns the selected partnership indices, sorted. The caller
// must not modify the slice.
func (sel *Selection) Partnerships() []int32 { return sel.pships }

// hasProject reports whether project pr of a selected partnership matches
// the theme facet.
func (sel *Selection) hasProject(pr int32) bool {
	return sel.themes == 0 || sel.s.prThemes[pr]&sel.themes != 0
}

func (sel *Selection) derive() {
	sel.once.Do(func() {
		s := sel.s
		ds := s.ds
		sel.authN = make([]int32, len(ds.Authorities))
		sel.partN = make([]int32, len(ds.Partners))
		sel.countryN = make([]int32, len(ds.Countries))
		sel.countryP = make([]int32, len(ds.Countries))
		sel.regionN = make([]int32, len(ds.RegionShapes))
		sel.regionP = make([]int32, len(ds.RegionShapes))
		sel.deptN = make([]int32, len(ds.DepartementShapes))
		sel.deptP = make([]int32, len(ds.DepartementShapes))
		sel.pshipP = make([]int32, len(ds.Partnerships))
		for _, i := range sel.pships {
			a := s.pAuth[i]
			sel.authN[a]++
			sel.partN[s.pPartner[i]]++
			sel.countryN[s.pCountry[i]]++
			r, d := s.authRegion[a], s.authDept[a]
			if r >= 0 {
				sel.regionN[r]++
			}
			if d >= 0 {
				sel.deptN[d]++
			}
			for _, pr := range s.pProjects[i] {
				if !sel.hasProject(pr) {
					continue
				}
				sel.projects = append(sel.projects, pr)
				sel.pshipP[i]++
				sel.countryP[s.pCountry[i]]++
				if r >= 0 {
					sel.regionP[r]++
				}
				if d >= 0 {
					sel.deptP[d]++
				}
			}
		}
		slices.Sort(sel.projects)
		for a, n := range sel.authN {
			if n > 0 {
				sel.auths = append(sel.auths, int32(a))
			}
		}
		for p, n := range sel.partN {
			if n > 0 {
				sel.parts = append(sel.parts, int32(p))
			}
		}
	})
}

// Projects returns the selected projects (sorted indices): the projects of
// selected partnerships that carry one of the filter's themes (all of them
// when the filter names no theme).
func (sel *Selection) Projects() []int32 { sel.derive(); return sel.projects }

// Authorities returns the French authorities with at least one selected
// partnership, sorted.
func (sel *Selection) Authorities() []int32 { sel.derive(); return sel.auths }

// Partners returns the partners with at least one selected partnership, sorted.
func (sel *Selection) Partners() []int32 { sel.derive(); return sel.parts }

// AuthorityCount returns the number of selected partnerships of authority a.
func (sel *Selection) AuthorityCount(a int32) int { sel.derive(); return int(sel.authN[a]) }

// PartnerCount returns the number of selected partnerships of partner p.
func (sel *Selection) PartnerCount(p int32) int { sel.derive(); return int(sel.partN[p]) }
