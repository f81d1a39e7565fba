package index

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

type searchEntry struct {
	name  string // folded
	layer string
	i     int32
}

// fold lower-cases s and strips accents, for accent-insensitive search.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

func (s *Snapshot) buildNameIndex() {
	for i, a := range s.ds.Authorities {
		s.nameIndex = append(s.nameIndex, searchEntry{fold(a.Name), LayerAuthorities, int32(i)})
	}
	for i, p := range s.ds.Partners {
		s.nameIndex = append(s.nameIndex, searchEntry{fold(p.Name), LayerPartners, int32(i)})
	}
}

// Hit is one search result.
type Hit struct {
	Layer string
	Index int32
}

// SearchNames finds authorities and partners whose name contains q
// (accent- and case-insensitive): exact matches first, then names starting
// with q, then others, each by decreasing number of partnerships. At most
// limit hits per layer.
func (s *Snapshot) SearchNames(q string, limit int) (authorities, partners []int32) {
	q = strings.TrimSpace(fold(q))
	if q == "" {
		return nil, nil
	}
	type scored struct {
		i     int32
		rank  int
		count int
	}
	var as, ps []scored
	for _, e := range s.nameIndex {
		pos := strings.Index(e.name, q)
		if pos < 0 {
			continue
		}
		rank := 2
		if e.name == q {
			rank = 0
		} else if pos == 0 {
			rank = 1
		}
		if e.layer == LayerAuthorities {
			as = append(as, scored{e.i, rank, len(s.authPships[e.i])})
		} else {
			ps = append(ps, scored{e.i, rank, len(s.partPships[e.i])})
		}
	}
	order := func(a, b scored) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	}
	slices.SortFunc(as, order)
	slices.SortFunc(ps, order)
	for j := 0; j < len(as) && j < limit; j++ {
		authorities = append(authorities, as[j].i)
	}
	for j := 0; j < len(ps) && j < limit; j++ {
		partners = append(partners, ps[j].i)
	}
	return authorities, partners
}
