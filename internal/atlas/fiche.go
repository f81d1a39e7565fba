package atlas

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fiche is what a French collectivité keeps on its own page: its
// international relations contact (a service and a role, never a person),
// its website, a short presentation in French and English, and the address
// of its logo on its own site. Version counts its updates; UpdatedAt is
// the date of the last one (YYYY-MM-DD).
type Fiche struct {
	AuthorityID    string `json:"authority_id"`
	Service        string `json:"service"`
	Role           string `json:"role"`
	Email          string `json:"email"`
	Phone          string `json:"phone,omitempty"`
	Website        string `json:"website,omitempty"`
	PresentationFR string `json:"presentation_fr,omitempty"`
	PresentationEN string `json:"presentation_en,omitempty"`
	LogoURL        string `json:"logo_url,omitempty"`
	Version        int    `json:"version"`
	UpdatedAt      string `json:"updated_at"`
}

// FicheInput is a fiche as a collectivité writes it: every field but the
// authority (the path's), the version and the date (the store's).
type FicheInput struct {
	Service        string `json:"service"`
	Role           string `json:"role"`
	Email          string `json:"email"`
	Phone          string `json:"phone"`
	Website        string `json:"website"`
	PresentationFR string `json:"presentation_fr"`
	PresentationEN string `json:"presentation_en"`
	LogoURL        string `json:"logo_url"`
}

// Input returns the fields of f a collectivité writes.
func (f Fiche) Input() FicheInput {
	return FicheInput{f.Service, f.Role, f.Email, f.Phone, f.Website, f.PresentationFR, f.PresentationEN, f.LogoURL}
}

// Fiche field bounds, in characters.
const (
	MaxFicheLine         = 200  // service, role, e-mail, phone
	MaxFicheURL          = 300  // website, logo
	MaxFichePresentation = 2000 // each presentation
)

// Validate checks a fiche's fields and returns every bad one: service,
// role and e-mail required; the e-mail a plain address (no display name);
// the phone digits, spaces and + . ( ) -; the website and the logo http(s)
// URLs with a host, the logo on the website's host (without www., or a
// subdomain of it):
// a collectivité shows a logo from its own site; lengths bounded; no
// control character anywhere. The markup of free text is kept as text:
// pages escape it.
func (in FicheInput) Validate() FieldErrors {
	var errs FieldErrors
	bad := func(field, reason string) { errs = append(errs, FieldError{field, reason}) }
	for _, f := range []struct {
		name, v  string
		max      int
		required bool
	}{
		{"service", in.Service, MaxFicheLine, true}, {"role", in.Role, MaxFicheLine, true},
		{"email", in.Email, MaxFicheLine, true}, {"phone", in.Phone, MaxFicheLine, false},
		{"website", in.Website, MaxFicheURL, false}, {"logo_url", in.LogoURL, MaxFicheURL, false},
		{"presentation_fr", in.PresentationFR, MaxFichePresentation, false},
		{"presentation_en", in.PresentationEN, MaxFichePresentation, false},
	} {
		switch n := utf8.RuneCountInString(f.v); {
		case !utf8.ValidString(f.v):
			bad(f.name, "not UTF-8")
		case f.required && strings.TrimSpace(f.v) == "":
			bad(f.name, "required")
		case n > f.max:
			bad(f.name, "at most "+strconv.Itoa(f.max)+" characters")
		case strings.ContainsFunc(f.v, func(r rune) bool {
			return r < 0x20 && !(r == '\n' && strings.HasPrefix(f.name, "presentation")) || r == 0x7f
		}):
			bad(f.name, "control characters are not allowed")
		}
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Name != "" || a.Address != in.Email {
			bad("email", "want a plain e-mail address (relations-internationales@ville.fr)")
		}
	}
	if in.Phone != "" && strings.Trim(in.Phone, "0123456789 +.()-") != "" {
		bad("phone", "want digits, spaces and + . ( ) - only")
	}
	site := checkURL(in.Website, "website", bad)
	host := ""
	if site != nil {
		host = strings.TrimPrefix(site.Hostname(), "www.")
	}
	if logo := checkURL(in.LogoURL, "logo_url", bad); logo != nil {
		switch {
		case site == nil:
			bad("logo_url", "a logo needs the website it is on")
		case logo.Hostname() != host && !strings.HasSuffix(logo.Hostname(), "."+host):
			bad("logo_url", "the logo must be on the collectivité's own site ("+host+")")
		}
	}
	return errs
}

// checkURL parses an optional http(s) URL with a host; nil when empty or bad.
func checkURL(raw, field string, bad func(field, reason string)) *url.URL {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || u.User != nil {
		bad(field, "want an http or https URL with a host")
		return nil
	}
	return u
}
