package query

import (
	"strings"
	"unicode/utf8"
)

// MaxPattern bounds the length of a LIKE pattern, in characters.
const MaxPattern = 256

// likeMatcher is a compiled CQL2 LIKE pattern (% any sequence, _ one
// character, \ escape). It matches without backtracking: runs of % are
// merged, the pattern is cut at each % into segments, the first segment is
// anchored at the start, the last at the end, and each middle segment is
// matched at its leftmost place after the previous one (for patterns of
// only % and _, the leftmost place is never worse than a later one). The
// work is at most the string's length times the pattern's, whatever the
// pattern; a regular expression of n alternations of .* did n passes.
type likeMatcher struct {
	segs    [][]rune // segments between %; '_' wildcards are wild[i][j]
	wild    [][]bool
	lead    bool // the pattern starts with %
	trail   bool // the pattern ends with %
	literal []string
}

func compileLike(p string) likeMatcher {
	var m likeMatcher
	var seg []rune
	var wild []bool
	flush := func() {
		m.segs = append(m.segs, seg)
		m.wild = append(m.wild, wild)
		seg, wild = nil, nil
	}
	esc := false
	first := true
	prevPct := false
	for _, r := range p {
		switch {
		case esc:
			seg, wild = append(seg, r), append(wild, false)
			esc = false
			prevPct = false
		case r == '\\':
			esc = true
			prevPct = false
		case r == '%':
			if first {
				m.lead = true
			} else if !prevPct {
				flush()
			}
			prevPct = true
		case r == '_':
			seg, wild = append(seg, r), append(wild, true)
			prevPct = false
		default:
			seg, wild = append(seg, r), append(wild, false)
			prevPct = false
		}
		first = false
	}
	if esc {
		seg, wild = append(seg, '\\'), append(wild, false)
	}
	if prevPct {
		m.trail = true
	} else {
		flush()
	}
	m.literal = make([]string, len(m.segs))
	for i, s := range m.segs {
		if !hasTrue(m.wild[i]) {
			m.literal[i] = string(s)
		}
	}
	return m
}

func hasTrue(bs []bool) bool {
	for _, b := range bs {
		if b {
			return true
		}
	}
	return false
}

// at reports whether segment i matches s at its start, and the number of
// bytes it spans.
func (m *likeMatcher) at(i int, s string) (int, bool) {
	n := 0
	for j, r := range m.segs[i] {
		if n >= len(s) {
			return 0, false
		}
		c, w := utf8.DecodeRuneInString(s[n:])
		if !m.wild[i][j] && c != r {
			return 0, false
		}
		n += w
	}
	return n, true
}

// find returns the leftmost place of segment i in s, and its end.
func (m *likeMatcher) find(i int, s string) (int, int, bool) {
	if lit := m.literal[i]; lit != "" || len(m.segs[i]) == 0 {
		k := strings.Index(s, lit)
		if k < 0 {
			return 0, 0, false
		}
		return k, k + len(lit), true
	}
	for k := 0; k <= len(s); {
		if n, ok := m.at(i, s[k:]); ok {
			return k, k + n, true
		}
		if k == len(s) {
			break
		}
		_, w := utf8.DecodeRuneInString(s[k:])
		k += w
	}
	return 0, 0, false
}

// suffix reports whether segment i matches the end of s.
func (m *likeMatcher) suffix(i int, s string) bool {
	// walk back over as many characters as the segment has
	k := len(s)
	for range m.segs[i] {
		if k == 0 {
			return false
		}
		_, w := utf8.DecodeLastRuneInString(s[:k])
		k -= w
	}
	n, ok := m.at(i, s[k:])
	return ok && k+n == len(s)
}

// Match reports whether s matches the pattern.
func (m *likeMatcher) Match(s string) bool {
	segs := len(m.segs)
	if segs == 0 { // "" or only %
		return m.lead || m.trail || s == ""
	}
	i := 0
	if !m.lead {
		n, ok := m.at(0, s)
		if !ok {
			return false
		}
		if segs == 1 && !m.trail {
			return n == len(s)
		}
		s = s[n:]
		i = 1
	}
	last := segs
	if !m.trail {
		last = segs - 1 // anchored at the end, matched last
	}
	for ; i < last; i++ {
		_, end, ok := m.find(i, s)
		if !ok {
			return false
		}
		s = s[end:]
	}
	if !m.trail && i == segs-1 {
		return m.suffix(segs-1, s)
	}
	return true
}
