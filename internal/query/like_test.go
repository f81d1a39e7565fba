package query

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// likeRegexp is the reference: the pattern as an anchored regular
// expression (what LIKE compiled to before its own matcher).
func likeRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	esc := false
	for _, r := range p {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			b.WriteString(`.*`)
		case r == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if esc {
		b.WriteString(`\\`)
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func checkLike(t *testing.T, pat, s string) {
	t.Helper()
	m := compileLike(pat)
	if got, want := m.Match(s), likeRegexp(pat).MatchString(s); got != want {
		t.Errorf("%q LIKE %q = %v, the regular expression says %v", s, pat, got, want)
	}
}

func TestLikeMatchesAsTheRegularExpression(t *testing.T) {
	for _, c := range [][2]string{
		{"", ""}, {"", "a"}, {"%", ""}, {"%%", "abc"}, {"a", "a"}, {"a", "ab"}, {"a%", "ab"},
		{"%b", "ab"}, {"%b", "abc"}, {"a%c", "abc"}, {"a%c", "ac"}, {"a%c", "a"}, {"a_c", "abc"},
		{"a_c", "aéc"}, {"_", "é"}, {"__", "é"}, {"%é%", "Besançon-é"}, {"Saint-%", "Saint-Étienne"},
		{"%a%a%a%", "banana"}, {"%a%a%a%a%", "banana"}, {"%ana", "banana"}, {"b%ana", "bana"},
		{`50\%`, "50%"}, {`50\%`, "500"}, {`a\_b`, "a_b"}, {`a\_b`, "axb"}, {`a\`, `a\`},
		{"%_a", "a"}, {"%_a", "ba"}, {"_%_", "a"}, {"_%_", "ab"}, {"%b_", "abb"}, {"%ab%ab", "abab"},
		{"%aab", "aaab"}, {"%a_b%c", "axxbabc"},
	} {
		checkLike(t, c[0], c[1])
	}
	// random patterns over a small alphabet, where backtracking cases are dense
	rng := rand.New(rand.NewPCG(1, 2))
	alpha := []string{"a", "b", "é", "%", "_", `\`}
	word := func(n int, al []string) string {
		var b strings.Builder
		for range rng.IntN(n) {
			b.WriteString(al[rng.IntN(len(al))])
		}
		return b.String()
	}
	for range 20000 {
		checkLike(t, word(8, alpha), word(10, alpha[:3]))
	}
}

// The worst cases of the regular expression cost one pass: 20,000 % merge
// into one, and a long alternation of segments is matched left to right.
func TestLikeWorstCases(t *testing.T) {
	m := compileLike(strings.Repeat("%", 20000))
	if len(m.segs) != 0 || !m.Match("anything") {
		t.Fatalf("20,000 %% should be one %%: %d segments", len(m.segs))
	}
	p := strings.Repeat("%a", 120) + "%b"
	s := strings.Repeat("a", 5000)
	lm := compileLike(p)
	if lm.Match(s) {
		t.Fatal("no b in the string")
	}
	if !lm.Match(s + "b") {
		t.Fatal("the string ends with b")
	}
}

func BenchmarkLikeWorstCase(b *testing.B) {
	p := strings.Repeat("%a", 120) + "%b"
	s := strings.Repeat("a", 200)
	b.Run("matcher", func(b *testing.B) {
		m := compileLike(p)
		for b.Loop() {
			m.Match(s)
		}
	})
	b.Run("regexp", func(b *testing.B) {
		re := likeRegexp(p)
		for b.Loop() {
			re.MatchString(s)
		}
	})
}
