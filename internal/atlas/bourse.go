package atlas

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Request is a request of the bourse-projets: a foreign local authority
// looking for a French partner. The ministry publishes it on the
// authority's behalf (foreign authorities hold no token). Its place is a
// partner of the atlas (PartnerID) or a new one with a name, a country and
// a point. Nothing personal is in it: who to contact goes through the
// ministry, which sees the collectivités' interests.
type Request struct {
	ID            string          `json:"id"`
	PartnerID     string          `json:"partner_id,omitempty"`
	Name          string          `json:"name"`
	Country       string          `json:"country"`
	Point         orb.Point       `json:"point"`
	Themes        []string        `json:"themes"`       // sought, 1 to 3 slugs
	Description   string          `json:"description"`  // what the authority looks for
	SoughtTypes   []AuthorityType `json:"sought_types"` // kinds of French partner; none: any
	MinPopulation int             `json:"min_population,omitempty"`
	MaxPopulation int             `json:"max_population,omitempty"` // 0: no bound
	Languages     []string        `json:"languages"`                // ISO 639-1
	ValidUntil    string          `json:"valid_until"`              // YYYY-MM-DD
	Status        string          `json:"status"`                   // open or closed
	Published     string          `json:"published"`                // YYYY-MM-DD
}

// Request statuses.
const (
	RequestOpen   = "open"
	RequestClosed = "closed"
)

// IsOpen reports whether r is open on day (YYYY-MM-DD): not closed and
// valid until that day at least.
func (r Request) IsOpen(day string) bool { return r.Status == RequestOpen && r.ValidUntil >= day }

// RequestInput is a request as the ministry writes it.
type RequestInput struct {
	PartnerID     string    `json:"partner_id"`
	Name          string    `json:"name"`
	Country       string    `json:"country"`
	Point         []float64 `json:"point"` // [lon, lat], for a new place
	Themes        []string  `json:"themes"`
	Description   string    `json:"description"`
	SoughtTypes   []string  `json:"sought_types"`
	MinPopulation int       `json:"min_population"`
	MaxPopulation int       `json:"max_population"`
	Languages     []string  `json:"languages"`
	ValidUntil    string    `json:"valid_until"`
	Status        string    `json:"status"` // "" means open
}

// MaxRequestDescription bounds a request's description, in characters.
const MaxRequestDescription = 4000

// Validate checks the fields a request carries whatever its place (the
// store checks that the partner or the country exists): themes, types,
// languages, population bounds, date, status, lengths; with a partner the
// name and point come from it, without one both are required.
func (in RequestInput) Validate() FieldErrors {
	var errs FieldErrors
	bad := func(field, reason string) { errs = append(errs, FieldError{field, reason}) }
	if in.PartnerID == "" {
		if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > 300 {
			bad("name", "a new place needs a name of 1 to 300 characters (or give partner_id)")
		}
		if len(in.Country) != 2 {
			bad("country", "a new place needs its country, ISO 3166-1 alpha-2")
		}
		if len(in.Point) != 2 || math.IsNaN(in.Point[0]) || math.IsNaN(in.Point[1]) || math.Abs(in.Point[0]) > 180 || math.Abs(in.Point[1]) > 90 {
			bad("point", "a new place needs its point, [lon, lat] in WGS84")
		}
	} else if in.Name != "" || in.Country != "" || in.Point != nil {
		bad("partner_id", "give partner_id, or name, country and point for a new place, not both")
	}
	if len(in.Themes) < 1 || len(in.Themes) > 3 {
		bad("themes", "want 1 to 3 themes")
	}
	for _, t := range in.Themes {
		if ThemeIndex(t) < 0 || strings.Count(strings.Join(in.Themes, "|"), t) > 1 {
			bad("themes", "unknown or repeated theme "+t)
		}
	}
	if n := utf8.RuneCountInString(in.Description); n < 20 || n > MaxRequestDescription || !utf8.ValidString(in.Description) ||
		strings.ContainsFunc(in.Description, func(r rune) bool { return r < 0x20 && r != '\n' }) {
		bad("description", "want 20 to 4,000 characters of text")
	}
	for _, t := range in.SoughtTypes {
		if !AuthorityType(t).Valid() {
			bad("sought_types", "unknown type "+t)
		}
	}
	if in.MinPopulation < 0 || in.MaxPopulation < 0 || (in.MaxPopulation > 0 && in.MaxPopulation < in.MinPopulation) {
		bad("max_population", "want 0 ≤ min_population ≤ max_population (0: no bound)")
	}
	if len(in.Languages) == 0 || len(in.Languages) > 10 {
		bad("languages", "want 1 to 10 languages, ISO 639-1 (fr, en, es…)")
	}
	for _, l := range in.Languages {
		if len(l) != 2 || strings.ToLower(l) != l || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") != "" {
			bad("languages", "not an ISO 639-1 code: "+l)
		}
	}
	if _, err := time.Parse(time.DateOnly, in.ValidUntil); err != nil {
		bad("valid_until", "want a date YYYY-MM-DD")
	}
	if in.Status != "" && in.Status != RequestOpen && in.Status != RequestClosed {
		bad("status", "want open or closed")
	}
	return errs
}

// JoinTypes joins types with "|", as the files and layers carry them.
func JoinTypes(ts []AuthorityType) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = string(t)
	}
	return strings.Join(parts, "|")
}

// SortedTypes returns the sought types in the order of AuthorityTypes.
func SortedTypes(ts []string) []AuthorityType {
	var out []AuthorityType
	for _, t := range AuthorityTypes() {
		if slices.Contains(ts, string(t)) {
			out = append(out, t)
		}
	}
	return out
}

// Interest is a collectivité's interest in a request, as the ministry sees
// it (it is not public).
type Interest struct {
	RequestID   string `json:"request_id"`
	AuthorityID string `json:"authority_id"`
	Name        string `json:"name"`
	Message     string `json:"message"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

// MaxInterestMessage bounds an interest's message, in characters.
const MaxInterestMessage = 2000
