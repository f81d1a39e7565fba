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

// minTypoLen is the shortest query that also finds names one typo away.
const minTypoLen = 4

// oneTypoFromAWord reports whether q is one edit (a letter changed, added,
// dropped, or two swapped) from the beginning of name or of one of its
// words: "marseile" finds Marseille, "bamko" Bamako.
func oneTypoFromAWord(name, q string) bool {
	n := len(q)
	for start := 0; start < len(name); start++ {
		if start > 0 && !isWordBreak(name[start-1]) {
			continue
		}
		for _, l := range [3]int{n - 1, n, n + 1} {
			if l > 0 && start+l <= len(name) && oneEdit(name[start:start+l], q) {
				return true
			}
		}
	}
	return false
}

func isWordBreak(c byte) bool { return c == ' ' || c == '-' || c == '\'' || c == '(' }

// oneEdit reports whether a and b (folded names, compared byte by byte)
// are equal or one substitution, insertion, deletion or transposition of
// adjacent letters apart.
func oneEdit(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return true
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:]
	}
	return false
}

// SearchNames finds authorities and partners whose name contains q
// (accent- and case-insensitive): exact matches first, then names starting
// with q, then others containing it, then (for q of minTypoLen letters or
// more) names with a word one typo from q; each by decreasing number of
// partnerships. At most limit hits per layer.
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
	typos := utf8.RuneCountInString(q) >= minTypoLen
	for _, e := range s.nameIndex {
		rank := 2
		switch pos := strings.Index(e.name, q); {
		case e.name == q:
			rank = 0
		case pos == 0:
			rank = 1
		case pos > 0:
		case typos && oneTypoFromAWord(e.name, q):
			rank = 3
		default:
			continue
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
