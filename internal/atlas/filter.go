package atlas

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Filter selects partnerships (and through them projects, authorities,
// partners and aggregates). Values inside one facet are ORed; facets are
// ANDed. The zero Filter selects everything.
//
// Lists are sorted and free of duplicates once built by ParseFilter, so that
// Encode gives one canonical form per selection.
type Filter struct {
	Countries   []string        // partner country, ISO 3166-1 alpha-2
	Themes      []string        // theme slugs: a partnership matches when one of its projects has one
	Types       []AuthorityType // type of the French authority
	Kinds       []Kind
	Provenances []Provenance
	Authorities []string // French authority ids
	Partners    []string // partner ids
	Since       int      // first start year included, 0 when open
	Until       int      // last start year included, 0 when open
	BBox        *orb.Bound
}

// Filter query parameter names, in canonical order.
const (
	ParamCountry    = "country"
	ParamTheme      = "theme"
	ParamType       = "type"
	ParamKind       = "kind"
	ParamProvenance = "provenance"
	ParamAuthority  = "authority"
	ParamPartner    = "partner"
	ParamSince      = "since"
	ParamUntil      = "until"
	ParamBBox       = "bbox"
)

// FilterParams lists the query parameters ParseFilter reads.
func FilterParams() []string {
	return []string{ParamCountry, ParamTheme, ParamType, ParamKind, ParamProvenance,
		ParamAuthority, ParamPartner, ParamSince, ParamUntil, ParamBBox}
}

// Year bounds accepted by since and until.
const (
	MinYear = 1900
	MaxYear = 2100
)

// Vocabulary answers whether an identifier exists in the data being served,
// so that a filter naming an unknown country or authority is refused rather
// than silently matching nothing.
type Vocabulary interface {
	HasCountry(iso2 string) bool
	HasAuthority(id string) bool
	HasPartner(id string) bool
}

// InvalidParam returns an error wrapping ErrInvalid whose text names the
// parameter, the offending value and what is allowed.
func InvalidParam(param, value, allowed string) error {
	return &ParamError{Param: param, Value: value, Allowed: allowed}
}

// ParamError is a validation error on one query parameter.
type ParamError struct {
	Param   string
	Value   string
	Allowed string
}

func (e *ParamError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("parameter %q: %s", e.Param, e.Allowed)
	}
	return fmt.Sprintf("parameter %q: invalid value %q: %s", e.Param, e.Value, e.Allowed)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ParamError) Unwrap() error { return ErrInvalid }

// CheckParams refuses any query parameter not in allowed (and any repeated
// parameter): unknown parameters are rejected, not ignored.
func CheckParams(q url.Values, allowed ...string) error {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return InvalidParam(k, "", "unknown parameter; allowed: "+strings.Join(allowed, ", "))
		}
		if len(q[k]) > 1 {
			return InvalidParam(k, "", "given more than once; use a comma list")
		}
	}
	return nil
}

// ParseFilter reads the filter parameters of q. Parameters that are not filter
// parameters are ignored here: use CheckParams to refuse them. v, when not
// nil, is asked whether named countries, authorities and partners exist.
func ParseFilter(q url.Values, v Vocabulary) (Filter, error) {
	var f Filter
	var err error
	if f.Countries, err = ParseList(q, ParamCountry, func(s string) (string, error) {
		c := strings.ToUpper(s)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return "", InvalidParam(ParamCountry, s, "expected ISO 3166-1 alpha-2 codes such as JP,BJ")
		}
		if v != nil && !v.HasCountry(c) {
			return "", InvalidParam(ParamCountry, s, "unknown country code")
		}
		return c, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Themes, err = ParseList(q, ParamTheme, func(s string) (string, error) {
		if ThemeIndex(s) < 0 {
			return "", InvalidParam(ParamTheme, s, "unknown theme; allowed: "+strings.Join(ThemeSlugs(), ", "))
		}
		return s, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Types, err = ParseList(q, ParamType, func(s string) (AuthorityType, error) {
		t := AuthorityType(s)
		if !t.Valid() {
			return "", InvalidParam(ParamType, s, "allowed: region, departement, groupement, commune")
		}
		return t, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Kinds, err = ParseList(q, ParamKind, func(s string) (Kind, error) {
		k := Kind(s)
		if !k.Valid() {
			return "", InvalidParam(ParamKind, s, "allowed: jumelage, cooperation, amitie")
		}
		return k, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Provenances, err = ParseList(q, ParamProvenance, func(s string) (Provenance, error) {
		p := Provenance(s)
		if !p.Valid() {
			return "", InvalidParam(ParamProvenance, s, "allowed: real, synthetic")
		}
		return p, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Authorities, err = ParseList(q, ParamAuthority, func(s string) (string, error) {
		if v != nil && !v.HasAuthority(s) {
			return "", InvalidParam(ParamAuthority, s, "unknown authority id (INSEE code of a commune, SIREN of a groupement, dep-<code>, reg-<code>)")
		}
		return s, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Partners, err = ParseList(q, ParamPartner, func(s string) (string, error) {
		if v != nil && !v.HasPartner(s) {
			return "", InvalidParam(ParamPartner, s, "unknown partner id")
		}
		return s, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Since, err = parseYear(q, ParamSince); err != nil {
		return Filter{}, err
	}
	if f.Until, err = parseYear(q, ParamUntil); err != nil {
		return Filter{}, err
	}
	if f.Since != 0 && f.Until != 0 && f.Since > f.Until {
		return Filter{}, InvalidParam(ParamSince, strconv.Itoa(f.Since), fmt.Sprintf("must not be after until (%d)", f.Until))
	}
	if s := q.Get(ParamBBox); s != "" || q.Has(ParamBBox) {
		b, err := ParseBBox(s)
		if err != nil {
			return Filter{}, err
		}
		f.BBox = &b
	}
	return f, nil
}

// ParseBBox parses "minLon,minLat,maxLon,maxLat" in WGS84 degrees.
func ParseBBox(s string) (orb.Bound, error) {
	const allowed = "expected minLon,minLat,maxLon,maxLat in degrees with min <= max"
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, InvalidParam(ParamBBox, s, allowed)
	}
	var n [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || x != x || x > 1e300 || x < -1e300 {
			return orb.Bound{}, InvalidParam(ParamBBox, s, allowed)
		}
		n[i] = x
	}
	if n[0] < -180 || n[2] > 180 || n[1] < -90 || n[3] > 90 || n[0] > n[2] || n[1] > n[3] {
		return orb.Bound{}, InvalidParam(ParamBBox, s, allowed+", longitudes in [-180,180], latitudes in [-90,90]")
	}
	return orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}, nil
}

func parseYear(q url.Values, param string) (int, error) {
	if !q.Has(param) {
		return 0, nil
	}
	s := q.Get(param)
	y, err := strconv.Atoi(s)
	if err != nil || y < MinYear || y > MaxYear {
		return 0, InvalidParam(param, s, fmt.Sprintf("expected a year between %d and %d", MinYear, MaxYear))
	}
	return y, nil
}

// ParseList reads a comma-separated query parameter (absent: nil) into a
// sorted list without duplicates, each item converted by conv; an empty
// item is refused naming the parameter.
func ParseList[T ~string | ~int](q url.Values, param string, conv func(string) (T, error)) ([]T, error) {
	if !q.Has(param) {
		return nil, nil
	}
	raw := q.Get(param)
	var out []T
	for _, s := range strings.Split(raw, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, InvalidParam(param, raw, "empty item in list")
		}
		t, err := conv(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ThemeSlugs returns the themes' slugs in display order.
func ThemeSlugs() []string {
	out := make([]string, len(themes))
	for i, t := range themes {
		out[i] = t.Slug
	}
	return out
}

// IsZero reports whether f selects everything.
func (f Filter) IsZero() bool { return f.Encode() == "" }

// Encode returns the canonical query string of f (parameters in a fixed
// order, lists sorted), "" for the zero Filter. Two filters that select the
// same way encode the same; the result is a cache key and the query part of
// URLs that carry the filter.
func (f Filter) Encode() string {
	var b strings.Builder
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	add(ParamCountry, join(f.Countries))
	add(ParamTheme, join(f.Themes))
	add(ParamType, join(f.Types))
	add(ParamKind, join(f.Kinds))
	add(ParamProvenance, join(f.Provenances))
	add(ParamAuthority, join(f.Authorities))
	add(ParamPartner, join(f.Partners))
	if f.Since != 0 {
		add(ParamSince, strconv.Itoa(f.Since))
	}
	if f.Until != 0 {
		add(ParamUntil, strconv.Itoa(f.Until))
	}
	if f.BBox != nil {
		add(ParamBBox, fmt.Sprintf("%s,%s,%s,%s", ff(f.BBox.Min[0]), ff(f.BBox.Min[1]), ff(f.BBox.Max[0]), ff(f.BBox.Max[1])))
	}
	return b.String()
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func join[T ~string](xs []T) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = string(x)
	}
	return strings.Join(ss, ",")
}

// MatchYear reports whether a start year passes the Since/Until bounds. An
// unknown year (0) passes only when both bounds are open.
func (f Filter) MatchYear(year int) bool {
	if f.Since == 0 && f.Until == 0 {
		return true
	}
	if year == 0 {
		return false
	}
	return (f.Since == 0 || year >= f.Since) && (f.Until == 0 || year <= f.Until)
}
