package index

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// The fields a list of partnerships sorts by (the results table's columns).
const (
	SortAuthority   = "authority"   // the French collectivité's name
	SortType        = "type"        // its type, in the order of atlas.AuthorityTypes
	SortDepartement = "departement" // its département's name (régions last)
	SortPartner     = "partner"     // the partner authority's name
	SortCountry     = "country"     // the partner's country, by its French name
	SortKind        = "kind"        // in the order of atlas.Kinds
	SortStartYear   = "start_year"  // unknown years last
	SortThemes      = "themes"      // the themes' French labels, in display order
)

// SortKeys returns the fields SortPartnerships takes.
func SortKeys() []string {
	return []string{SortAuthority, SortType, SortDepartement, SortPartner, SortCountry, SortKind, SortStartYear, SortThemes}
}

const numSortKeys = 8

// sortRank is, for one field, every partnership's position when all of
// them are sorted by it (ties in load order): computed once per snapshot
// and field, on first use, so that sorting a selection compares integers.
type sortRank struct {
	once  sync.Once
	rank  []int32
	empty int32 // the first rank of the partnerships without a value (unknown year, no theme…)
}

// SortPartnerships returns the partnership indices ids sorted by field key,
// descending when desc, ties in load order (ids itself is not modified);
// those without a value (an unknown year, no theme, a région's département)
// come last either way.
// Names compare case- and accent-insensitively. It fails with ErrInvalid
// naming the allowed keys for another key, and with ctx's error once the
// client has gone.
func (s *Snapshot) SortPartnerships(ctx context.Context, ids []int32, key string, desc bool) ([]int32, error) {
	k := slices.Index(SortKeys(), key)
	if k < 0 {
		return nil, atlas.InvalidParam("sortby", key, "allowed: "+strings.Join(SortKeys(), ", ")+", each with an optional - (descending) or + before it")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &s.sortRanks[k]
	r.once.Do(func() { r.rank, r.empty = s.rankBy(key) })
	out := slices.Clone(ids)
	rank, empty := r.rank, r.empty
	if desc {
		slices.SortFunc(out, func(a, b int32) int {
			if ea, eb := rank[a] >= empty, rank[b] >= empty; ea || eb {
				if ea && eb {
					return cmp.Compare(rank[a], rank[b])
				}
				if ea {
					return 1
				}
				return -1
			}
			return cmp.Compare(rank[b], rank[a])
		})
	} else {
		slices.SortFunc(out, func(a, b int32) int { return cmp.Compare(rank[a], rank[b]) })
	}
	return out, ctx.Err()
}

// rankBy sorts every partnership by key (ties in load order, those without
// a value last) and returns each one's position and the first position of
// those without a value.
func (s *Snapshot) rankBy(key string) (rank []int32, empty int32) {
	n := len(s.pAuth)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	var cmpf func(a, b int32) int
	isEmpty := func(int32) bool { return false }
	switch key {
	case SortAuthority:
		names := s.folded(n, func(i int32) string { return s.ds.Authorities[s.pAuth[i]].Name })
		cmpf = func(a, b int32) int { return strings.Compare(names[a], names[b]) }
	case SortPartner:
		names := s.folded(n, func(i int32) string { return s.ds.Partners[s.pPartner[i]].Name })
		cmpf = func(a, b int32) int { return strings.Compare(names[a], names[b]) }
	case SortCountry:
		names := s.folded(n, func(i int32) string { return s.ds.Countries[s.pCountry[i]].NameFR })
		cmpf = func(a, b int32) int { return strings.Compare(names[a], names[b]) }
	case SortDepartement:
		// Régions have no département: they come last.
		isEmpty = func(i int32) bool { return s.ds.Authorities[s.pAuth[i]].Departement == "" }
		names := s.folded(n, func(i int32) string {
			if d := s.ds.Authorities[s.pAuth[i]].Departement; d != "" {
				return s.deptNames[d]
			}
			return "\uffff"
		})
		cmpf = func(a, b int32) int { return strings.Compare(names[a], names[b]) }
	case SortThemes:
		isEmpty = func(i int32) bool { return s.pThemes[i] == 0 }
		names := s.folded(n, func(i int32) string {
			m := s.pThemes[i]
			if m == 0 {
				return "\uffff"
			}
			var b strings.Builder
			for t, th := range atlas.Themes() {
				if m&(1<<t) != 0 {
					b.WriteString(th.LabelFR)
					b.WriteByte('|')
				}
			}
			return b.String()
		})
		cmpf = func(a, b int32) int { return strings.Compare(names[a], names[b]) }
	case SortType:
		cmpf = func(a, b int32) int { return cmp.Compare(s.pType[a], s.pType[b]) }
	case SortKind:
		cmpf = func(a, b int32) int { return cmp.Compare(s.pKind[a], s.pKind[b]) }
	case SortStartYear:
		isEmpty = func(i int32) bool { return s.pYear[i] == 0 }
		year := func(i int32) int {
			if s.pYear[i] == 0 {
				return atlas.MaxYear + 1 // unknown years last
			}
			return int(s.pYear[i])
		}
		cmpf = func(a, b int32) int { return cmp.Compare(year(a), year(b)) }
	}
	slices.SortStableFunc(order, cmpf)
	rank = make([]int32, n)
	empty = int32(n)
	for pos, i := range order {
		rank[i] = int32(pos)
		if isEmpty(i) && empty == int32(n) {
			empty = int32(pos)
		}
	}
	return rank, empty
}

func (s *Snapshot) folded(n int, name func(i int32) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fold(name(int32(i)))
	}
	return out
}
