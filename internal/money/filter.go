package money

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Filter selects APD lines. Values inside one facet are ORed, facets are
// ANDed; the zero Filter selects every declared line. Lists are sorted and
// free of duplicates once parsed, so that Encode is canonical.
type Filter struct {
	Countries   []string           `json:"country,omitempty"`    // beneficiary country, ISO2; atlas.Unallocated for none
	Themes      []string           `json:"theme,omitempty"`      // atlas.SectorTheme of the line's sector
	Types       []string           `json:"type,omitempty"`       // type of the declaring authority
	Authorities []string           `json:"authority,omitempty"`  // declaring authority
	Provenances []atlas.Provenance `json:"provenance,omitempty"` // declared or synthetic
	Since       int                `json:"since,omitempty"`      // first year of declaration, 0 when open
	Until       int                `json:"until,omitempty"`      // last year of declaration, 0 when open
	Years       []int              `json:"year,omitempty"`       // years of declaration
	Sectors     []string           `json:"sector,omitempty"`     // DAC purpose codes (5 digits) or categories (3 digits)
	Channels    []atlas.Channel    `json:"channel,omitempty"`
	Refugees    *bool              `json:"refugees,omitempty"` // aid to refugees in France, or the rest
}

// Query parameters of the APD filter.
const (
	ParamYear     = "year"
	ParamSector   = "sector"
	ParamChannel  = "channel"
	ParamRefugees = "refugees"
)

// Params lists the query parameters ParseFilter reads, in canonical order.
func Params() []string {
	return []string{atlas.ParamCountry, atlas.ParamTheme, atlas.ParamType, atlas.ParamAuthority, atlas.ParamProvenance,
		atlas.ParamSince, atlas.ParamUntil, ParamYear, ParamSector, ParamChannel, ParamRefugees}
}

// ParseFilter reads the APD filter of q; other parameters are ignored
// (atlas.CheckParams refuses them). Countries, authorities and sectors are
// checked against snap: an unknown one is an error naming its parameter.
func ParseFilter(q url.Values, snap *index.Snapshot) (Filter, error) {
	var f Filter
	// The facets the atlas's filter parses the same way.
	sub := url.Values{}
	multi := false
	if q.Has(atlas.ParamCountry) {
		raw := q.Get(atlas.ParamCountry)
		var rest []string
		for _, c := range strings.Split(raw, ",") {
			if strings.EqualFold(strings.TrimSpace(c), atlas.Unallocated) {
				multi = true
			} else {
				rest = append(rest, c)
			}
		}
		if len(rest) > 0 || !multi {
			sub.Set(atlas.ParamCountry, strings.Join(rest, ","))
		}
	}
	for _, p := range []string{atlas.ParamTheme, atlas.ParamType, atlas.ParamAuthority, atlas.ParamSince, atlas.ParamUntil} {
		if q.Has(p) {
			sub.Set(p, q.Get(p))
		}
	}
	af, err := atlas.ParseFilter(sub, snap)
	if err != nil {
		return Filter{}, err
	}
	f.Countries, f.Themes, f.Authorities, f.Since, f.Until = af.Countries, af.Themes, af.Authorities, af.Since, af.Until
	if multi {
		f.Countries = append(f.Countries, atlas.Unallocated)
		slices.Sort(f.Countries)
	}
	for _, t := range af.Types {
		f.Types = append(f.Types, string(t))
	}
	if f.Provenances, err = atlas.ParseList(q, atlas.ParamProvenance, func(s string) (atlas.Provenance, error) {
		if p := atlas.Provenance(s); atlas.ValidMoneyProvenance(p) {
			return p, nil
		}
		return "", atlas.InvalidParam(atlas.ParamProvenance, s, "allowed: declared, synthetic")
	}); err != nil {
		return Filter{}, err
	}
	if f.Years, err = atlas.ParseList(q, ParamYear, func(s string) (int, error) {
		y, err := strconv.Atoi(s)
		if err != nil || y < atlas.MinYear || y > atlas.MaxYear {
			return 0, atlas.InvalidParam(ParamYear, s, fmt.Sprintf("expected years between %d and %d, comma-separated", atlas.MinYear, atlas.MaxYear))
		}
		return y, nil
	}); err != nil {
		return Filter{}, err
	}
	sectors := snap.Dataset().Sectors
	if f.Sectors, err = atlas.ParseList(q, ParamSector, func(s string) (string, error) {
		known := slices.ContainsFunc(sectors, func(x atlas.Sector) bool { return x.Code == s || (len(s) == 3 && x.Category == s) })
		if !known {
			return "", atlas.InvalidParam(ParamSector, s, "unknown DAC purpose code (5 digits) or category (3 digits): see /api/apd/sectors")
		}
		return s, nil
	}); err != nil {
		return Filter{}, err
	}
	if f.Channels, err = atlas.ParseList(q, ParamChannel, func(s string) (atlas.Channel, error) {
		if c := atlas.Channel(s); c.Valid() {
			return c, nil
		}
		return "", atlas.InvalidParam(ParamChannel, s, "allowed: direct, association, multilateral, collectivite")
	}); err != nil {
		return Filter{}, err
	}
	if q.Has(ParamRefugees) {
		switch v := q.Get(ParamRefugees); v {
		case "true", "false":
			b := v == "true"
			f.Refugees = &b
		default:
			return Filter{}, atlas.InvalidParam(ParamRefugees, v, "allowed: true, false")
		}
	}
	return f, nil
}

// Encode returns the canonical query string of f, "" for the zero Filter.
func (f Filter) Encode() string {
	var b strings.Builder
	add := func(k string, vs []string) {
		if len(vs) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + url.QueryEscape(strings.Join(vs, ",")))
	}
	strs := func(xs ...int) []string {
		var out []string
		for _, x := range xs {
			if x != 0 {
				out = append(out, strconv.Itoa(x))
			}
		}
		return out
	}
	add(atlas.ParamCountry, f.Countries)
	add(atlas.ParamTheme, f.Themes)
	add(atlas.ParamType, f.Types)
	add(atlas.ParamAuthority, f.Authorities)
	add(atlas.ParamProvenance, conv(f.Provenances))
	add(atlas.ParamSince, strs(f.Since))
	add(atlas.ParamUntil, strs(f.Until))
	add(ParamYear, strs(f.Years...))
	add(ParamSector, f.Sectors)
	add(ParamChannel, conv(f.Channels))
	if f.Refugees != nil {
		add(ParamRefugees, []string{strconv.FormatBool(*f.Refugees)})
	}
	return b.String()
}

func conv[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// matchYear reports whether year passes since, until and the year list.
func (f Filter) matchYear(y int) bool {
	return (f.Since == 0 || y >= f.Since) && (f.Until == 0 || y <= f.Until) && (len(f.Years) == 0 || slices.Contains(f.Years, y))
}

// match reports whether ln passes f; types are those of the snapshot's
// authorities.
func (l *Ledger) match(f *Filter, ln *line) bool {
	if !f.matchYear(ln.year) {
		return false
	}
	if len(f.Countries) > 0 {
		c := ln.country
		if c == "" {
			c = atlas.Unallocated
		}
		if !slices.Contains(f.Countries, c) {
			return false
		}
	}
	a := &l.snap.Dataset().Authorities[ln.auth]
	if len(f.Types) > 0 && !slices.Contains(f.Types, string(a.Type)) {
		return false
	}
	if len(f.Authorities) > 0 && !slices.Contains(f.Authorities, a.ID) {
		return false
	}
	if len(f.Themes) > 0 && !slices.Contains(f.Themes, atlas.SectorTheme(ln.sector)) {
		return false
	}
	if len(f.Provenances) > 0 && !slices.Contains(f.Provenances, ln.prov) {
		return false
	}
	if len(f.Sectors) > 0 && !slices.ContainsFunc(f.Sectors, func(s string) bool {
		return s == ln.sector || (len(s) == 3 && len(ln.sector) >= 3 && ln.sector[:3] == s)
	}) {
		return false
	}
	if len(f.Channels) > 0 && !slices.Contains(f.Channels, ln.channel) {
		return false
	}
	if f.Refugees != nil && *f.Refugees != ln.refugees {
		return false
	}
	return true
}
