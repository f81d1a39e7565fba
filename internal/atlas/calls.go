package atlas

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The ministry's calls for projects (appels à projets): collectivités
// deposit cooperation projects for co-financing; the ministry reviews the
// applications and names the laureates. Amounts are integer euros.

// CallKind is the kind of a call.
type CallKind string

// Call kinds.
const (
	CallTriennial  CallKind = "triennal"
	CallAnnual     CallKind = "annuel"
	CallBilateral  CallKind = "bilateral"
	CallThematique CallKind = "thematique"
)

// CallKinds returns the kinds in display order.
func CallKinds() []CallKind {
	return []CallKind{CallTriennial, CallAnnual, CallBilateral, CallThematique}
}

// Valid reports whether k is a known kind.
func (k CallKind) Valid() bool {
	switch k {
	case CallTriennial, CallAnnual, CallBilateral, CallThematique:
		return true
	}
	return false
}

// Label is the French name of the kind.
func (k CallKind) Label() string {
	switch k {
	case CallTriennial:
		return "Appel à projets triennal"
	case CallAnnual:
		return "Appel à projets annuel"
	case CallBilateral:
		return "Appel à projets bilatéral"
	case CallThematique:
		return "Appel à projets thématique"
	}
	return string(k)
}

// Call is a call for projects.
type Call struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Kind       CallKind   `json:"kind"`
	Themes     []string   `json:"themes"`    // theme slugs; none: any theme
	Countries  []string   `json:"countries"` // a bilateral call's partner countries; none: any
	Opens      string     `json:"opens"`     // YYYY-MM-DD
	Closes     string     `json:"closes"`    // YYYY-MM-DD, the last day an application is received
	BudgetEUR  int64      `json:"budget_eur"`
	Provenance Provenance `json:"provenance"`
}

// IsOpen reports whether applications are received on day (YYYY-MM-DD).
func (c Call) IsOpen(day string) bool { return c.Opens <= day && day <= c.Closes }

// ApplicationStatus is where an application stands.
type ApplicationStatus string

// Application statuses.
const (
	AppDeposited  ApplicationStatus = "deposee"
	AppAdmissible ApplicationStatus = "recevable"
	AppLaureate   ApplicationStatus = "laureat"
	AppRefused    ApplicationStatus = "refusee"
)

// ApplicationStatuses returns the statuses in review order.
func ApplicationStatuses() []ApplicationStatus {
	return []ApplicationStatus{AppDeposited, AppAdmissible, AppLaureate, AppRefused}
}

// Valid reports whether s is a known status.
func (s ApplicationStatus) Valid() bool {
	switch s {
	case AppDeposited, AppAdmissible, AppLaureate, AppRefused:
		return true
	}
	return false
}

// Label is the French name of the status.
func (s ApplicationStatus) Label() string {
	switch s {
	case AppDeposited:
		return "Déposée"
	case AppAdmissible:
		return "Recevable"
	case AppLaureate:
		return "Lauréate"
	case AppRefused:
		return "Refusée"
	}
	return string(s)
}

// Application is a collectivité's application to a call: an existing
// project of the atlas (ProjectID) or a new one described by its title and
// country.
type Application struct {
	ID           string            `json:"id"`
	CallID       string            `json:"call_id"`
	AuthorityID  string            `json:"authority_id"`
	ProjectID    string            `json:"project_id,omitempty"`
	Title        string            `json:"title"`
	Country      string            `json:"country"` // ISO2 of the partner side
	RequestedEUR int64             `json:"requested_eur"`
	GrantedEUR   int64             `json:"granted_eur"`            // co-financing granted; 0 unless laureate
	Participants int               `json:"participants,omitempty"` // young people sent abroad (youth calls)
	Status       ApplicationStatus `json:"status"`
	Deposited    string            `json:"deposited"` // YYYY-MM-DD
	Provenance   Provenance        `json:"provenance"`
}

// ApplicationInput is an application as a collectivité deposits it.
type ApplicationInput struct {
	ProjectID    string `json:"project_id"`
	Title        string `json:"title"`
	Country      string `json:"country"`
	RequestedEUR int64  `json:"requested_eur"`
	Participants int    `json:"participants"`
}

// MaxRequestedEUR bounds the co-financing one application may request.
const MaxRequestedEUR = 10_000_000

// ApplicationReference answers what an application's validation needs.
type ApplicationReference interface {
	HasCountry(iso2 string) bool
	PartnershipOf(id string) string // authority id of a partnership
	ProjectOf(id string) string     // partnership id of a project
}

// Validate checks an application of authority: an existing project of its
// own, or a title of 3 to 300 characters and a known country; an amount
// requested > 0 and at most MaxRequestedEUR; participants ≥ 0.
func (in ApplicationInput) Validate(authority string, ref ApplicationReference) FieldErrors {
	var errs FieldErrors
	bad := func(field, reason string) { errs = append(errs, FieldError{field, reason}) }
	if in.ProjectID != "" {
		if p := ref.ProjectOf(in.ProjectID); p == "" || ref.PartnershipOf(p) != authority {
			bad("project_id", "not a project of this collectivité")
		}
	} else {
		if n := utf8.RuneCountInString(strings.TrimSpace(in.Title)); n < 3 || n > 300 || !utf8.ValidString(in.Title) {
			bad("title", "a new project needs a title of 3 to 300 characters (or give project_id)")
		}
		if !ref.HasCountry(strings.ToUpper(in.Country)) {
			bad("country", "a new project needs its partner country, ISO 3166-1 alpha-2")
		}
	}
	if in.RequestedEUR <= 0 || in.RequestedEUR > MaxRequestedEUR {
		bad("requested_eur", "want a whole number of euros, more than 0 and at most 10,000,000")
	}
	if in.Participants < 0 || in.Participants > 10_000 {
		bad("participants", "want 0 to 10,000 young people")
	}
	return errs
}

// CheckOpen returns an ErrConflict error naming the dates when day
// (YYYY-MM-DD) is outside the call's window.
func (c Call) CheckOpen(day string) error {
	switch {
	case day < c.Opens:
		return fmt.Errorf("%w: call %s opens on %s", ErrConflict, c.ID, c.Opens)
	case day > c.Closes:
		return fmt.Errorf("%w: call %s closed on %s", ErrConflict, c.ID, c.Closes)
	}
	return nil
}

// StatusChange is the ministry's decision on an application.
type StatusChange struct {
	Status     string `json:"status"`
	GrantedEUR int64  `json:"granted_eur"` // laureates only
}

// Validate checks a decision: a known status; an amount granted from 1 to
// the amount requested for a laureate, none otherwise.
func (in StatusChange) Validate(requested int64) FieldErrors {
	var errs FieldErrors
	if !ApplicationStatus(in.Status).Valid() {
		errs = append(errs, FieldError{"status", "want deposee, recevable, laureat or refusee"})
	}
	if ApplicationStatus(in.Status) == AppLaureate {
		if in.GrantedEUR <= 0 || in.GrantedEUR > requested {
			errs = append(errs, FieldError{"granted_eur", fmt.Sprintf("a laureate is granted 1 to %d euros (the amount requested)", requested)})
		}
	} else if in.GrantedEUR != 0 {
		errs = append(errs, FieldError{"granted_eur", "only a laureate is granted co-financing"})
	}
	return errs
}

// ValidDate reports whether s is a date YYYY-MM-DD.
func ValidDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
