package money

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// callIndex is what the calls' answers read: calls by id, their
// applications, and the projects' partnerships.
type callIndex struct {
	byID    map[string]int
	apps    map[string][]int // call id → indices in Dataset.Applications, load order
	project map[string]int   // project id → index in Dataset.Projects
}

func newCallIndex(snap *index.Snapshot) *callIndex {
	ds := snap.Dataset()
	ci := &callIndex{byID: make(map[string]int, len(ds.Calls)), apps: map[string][]int{}, project: map[string]int{}}
	for i, c := range ds.Calls {
		ci.byID[c.ID] = i
	}
	for i, a := range ds.Applications {
		ci.apps[a.CallID] = append(ci.apps[a.CallID], i)
		if a.ProjectID != "" && len(ci.project) == 0 {
			for k, p := range ds.Projects {
				ci.project[p.ID] = k
			}
		}
	}
	return ci
}

// Call statuses on a given day.
const (
	CallOpen     = "open"
	CallClosed   = "closed"
	CallUpcoming = "upcoming"
)

// CallStatus is where c stands on day (YYYY-MM-DD).
func CallStatus(c atlas.Call, day string) string {
	switch {
	case day < c.Opens:
		return CallUpcoming
	case day > c.Closes:
		return CallClosed
	}
	return CallOpen
}

// CallFilter selects calls. Lists are ORed within, ANDed across; a call
// that names no theme (no country) accepts any and matches every theme
// (country) asked.
type CallFilter struct {
	Kinds     []atlas.CallKind `json:"kind,omitempty"`
	Themes    []string         `json:"theme,omitempty"`
	Countries []string         `json:"country,omitempty"`
	Years     []int            `json:"year,omitempty"` // the call's window (opens to closes) meets one of the years
	Status    string           `json:"status,omitempty"`
}

// CallParams lists the query parameters ParseCallFilter reads.
func CallParams() []string { return []string{"kind", "theme", "country", "year", "status"} }

// ParseCallFilter reads the calls' filter of q.
func ParseCallFilter(q url.Values, snap *index.Snapshot) (CallFilter, error) {
	var f CallFilter
	var err error
	if f.Kinds, err = atlas.ParseList(q, "kind", func(s string) (atlas.CallKind, error) {
		if k := atlas.CallKind(s); k.Valid() {
			return k, nil
		}
		return "", atlas.InvalidParam("kind", s, "allowed: triennal, annuel, bilateral, thematique")
	}); err != nil {
		return CallFilter{}, err
	}
	sub := url.Values{}
	for _, p := range []string{"theme", "country"} {
		if q.Has(p) {
			sub.Set(p, q.Get(p))
		}
	}
	af, err := atlas.ParseFilter(sub, snap)
	if err != nil {
		return CallFilter{}, err
	}
	f.Themes, f.Countries = af.Themes, af.Countries
	if f.Years, err = atlas.ParseList(q, "year", func(s string) (int, error) {
		y, err := strconv.Atoi(s)
		if err != nil || y < atlas.MinYear || y > atlas.MaxYear {
			return 0, atlas.InvalidParam("year", s, fmt.Sprintf("expected years between %d and %d, comma-separated", atlas.MinYear, atlas.MaxYear))
		}
		return y, nil
	}); err != nil {
		return CallFilter{}, err
	}
	if q.Has("status") {
		switch s := q.Get("status"); s {
		case CallOpen, CallClosed, CallUpcoming:
			f.Status = s
		default:
			return CallFilter{}, atlas.InvalidParam("status", s, "allowed: open, closed, upcoming")
		}
	}
	return f, nil
}

// Encode returns the canonical query string of f.
func (f CallFilter) Encode() string {
	var parts []string
	add := func(k string, vs []string) {
		if len(vs) > 0 {
			parts = append(parts, k+"="+url.QueryEscape(strings.Join(vs, ",")))
		}
	}
	add("kind", conv(f.Kinds))
	add("theme", f.Themes)
	add("country", f.Countries)
	var ys []string
	for _, y := range f.Years {
		ys = append(ys, strconv.Itoa(y))
	}
	add("year", ys)
	if f.Status != "" {
		add("status", []string{f.Status})
	}
	return strings.Join(parts, "&")
}

func (f CallFilter) match(c atlas.Call, day string) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, c.Kind) {
		return false
	}
	if len(f.Themes) > 0 && len(c.Themes) > 0 && !slices.ContainsFunc(c.Themes, func(t string) bool { return slices.Contains(f.Themes, t) }) {
		return false
	}
	if len(f.Countries) > 0 && len(c.Countries) > 0 && !slices.ContainsFunc(c.Countries, func(t string) bool { return slices.Contains(f.Countries, t) }) {
		return false
	}
	if len(f.Years) > 0 {
		lo, _ := strconv.Atoi(c.Opens[:min(4, len(c.Opens))])
		hi, _ := strconv.Atoi(c.Closes[:min(4, len(c.Closes))])
		if !slices.ContainsFunc(f.Years, func(y int) bool { return lo <= y && y <= hi }) {
			return false
		}
	}
	return f.Status == "" || CallStatus(c, day) == f.Status
}

// CallCounts are the figures of a call's applications.
type CallCounts struct {
	Applications int   `json:"applications"`
	Laureates    int   `json:"laureates"`
	RequestedEUR int64 `json:"requested_eur"` // every application's
	GrantedEUR   int64 `json:"granted_eur"`   // the laureates'
	Participants int   `json:"participants"`  // the laureates' young people sent abroad
	Countries    int   `json:"countries"`     // distinct partner countries of the applications
}

// CallJSON is a call with its status on the day asked and its counts.
type CallJSON struct {
	atlas.Call
	KindLabel string     `json:"kind_label"`
	Status    string     `json:"status"` // open, closed or upcoming
	Counts    CallCounts `json:"counts"`
}

// ApplicationJSON is an application as the public sees it.
type ApplicationJSON struct {
	ID            string `json:"id"`
	CallID        string `json:"call_id"`
	AuthorityID   string `json:"authority_id"`
	AuthorityName string `json:"authority_name"`
	AuthorityType string `json:"authority_type"`
	ProjectID     string `json:"project_id,omitempty"`
	Title         string `json:"title"`
	Country       string `json:"country"`
	CountryName   string `json:"country_name"`
	RequestedEUR  int64  `json:"requested_eur"`
	GrantedEUR    int64  `json:"granted_eur"`
	Participants  int    `json:"participants"`
	Status        string `json:"status"`
	StatusLabel   string `json:"status_label"`
	Deposited     string `json:"deposited"`
	Provenance    string `json:"provenance"`
}

// CallDetail is a call with its laureates, the largest grant first.
type CallDetail struct {
	CallJSON
	Laureates []ApplicationJSON `json:"laureates"`
}

// StatusCount is the number of a call's applications in one status.
type StatusCount struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// CallApplications is every application of a call, in load order.
type CallApplications struct {
	CallID       string            `json:"call_id"`
	CallTitle    string            `json:"call_title"`
	Total        int               `json:"total"`
	ByStatus     []StatusCount     `json:"by_status"`
	Applications []ApplicationJSON `json:"applications"`
}

// Calls returns the calls f selects on day, in load order (by id).
func (l *Ledger) Calls(f CallFilter, day string) []CallJSON {
	out := []CallJSON{}
	for _, c := range l.snap.Dataset().Calls {
		if f.match(c, day) {
			out = append(out, l.callJSON(c, day))
		}
	}
	return out
}

func (l *Ledger) callJSON(c atlas.Call, day string) CallJSON {
	if c.Themes == nil {
		c.Themes = []string{}
	}
	if c.Countries == nil {
		c.Countries = []string{}
	}
	cj := CallJSON{Call: c, KindLabel: c.Kind.Label(), Status: CallStatus(c, day)}
	countries := map[string]bool{}
	for _, a := range l.applications(c.ID) {
		cj.Counts.Applications++
		cj.Counts.RequestedEUR += a.RequestedEUR
		if a.Status == string(atlas.AppLaureate) {
			cj.Counts.Laureates++
			cj.Counts.GrantedEUR += a.GrantedEUR
			cj.Counts.Participants += a.Participants
		}
		if a.Country != "" {
			countries[a.Country] = true
		}
	}
	cj.Counts.Countries = len(countries)
	return cj
}

// Call returns the call id with its laureates, or an error wrapping
// atlas.ErrNotFound.
func (l *Ledger) Call(id, day string) (CallDetail, error) {
	ci := l.calls()
	k, ok := ci.byID[id]
	if !ok {
		return CallDetail{}, fmt.Errorf("call %q: %w", id, atlas.ErrNotFound)
	}
	d := CallDetail{CallJSON: l.callJSON(l.snap.Dataset().Calls[k], day), Laureates: []ApplicationJSON{}}
	for _, a := range l.applications(id) {
		if a.Status == string(atlas.AppLaureate) {
			d.Laureates = append(d.Laureates, a)
		}
	}
	slices.SortStableFunc(d.Laureates, func(a, b ApplicationJSON) int {
		return cmp.Or(cmp.Compare(b.GrantedEUR, a.GrantedEUR), strings.Compare(a.ID, b.ID))
	})
	return d, nil
}

// Applications returns every application of call id, or an error wrapping
// atlas.ErrNotFound for an unknown call.
func (l *Ledger) Applications(id string) (CallApplications, error) {
	ci := l.calls()
	k, ok := ci.byID[id]
	if !ok {
		return CallApplications{}, fmt.Errorf("call %q: %w", id, atlas.ErrNotFound)
	}
	out := CallApplications{CallID: id, CallTitle: l.snap.Dataset().Calls[k].Title, Applications: l.applications(id)}
	out.Total = len(out.Applications)
	for _, s := range atlas.ApplicationStatuses() {
		n := 0
		for _, a := range out.Applications {
			if a.Status == string(s) {
				n++
			}
		}
		out.ByStatus = append(out.ByStatus, StatusCount{string(s), s.Label(), n})
	}
	return out, nil
}

// applications returns the applications of call id as the public sees
// them: an application of an existing project takes its title and country
// from the project when it gives none.
func (l *Ledger) applications(id string) []ApplicationJSON {
	return get(l.memo, "apps?"+id, func() []ApplicationJSON {
		ds := l.snap.Dataset()
		ci := l.calls()
		out := []ApplicationJSON{}
		for _, k := range ci.apps[id] {
			a := ds.Applications[k]
			aj := ApplicationJSON{ID: a.ID, CallID: a.CallID, AuthorityID: a.AuthorityID, ProjectID: a.ProjectID, Title: a.Title,
				Country: a.Country, RequestedEUR: a.RequestedEUR, GrantedEUR: a.GrantedEUR, Participants: a.Participants,
				Status: string(a.Status), StatusLabel: a.Status.Label(), Deposited: a.Deposited, Provenance: string(a.Provenance)}
			if i, err := l.snap.Lookup(index.LayerAuthorities, a.AuthorityID); err == nil {
				aj.AuthorityName, aj.AuthorityType = ds.Authorities[i].Name, string(ds.Authorities[i].Type)
			}
			if pr, ok := ci.project[a.ProjectID]; ok && a.ProjectID != "" {
				p := ds.Projects[pr]
				if aj.Title == "" {
					aj.Title = p.Title
				}
				if ps, err := l.snap.Lookup(index.LayerPartnerships, p.PartnershipID); err == nil && aj.Country == "" {
					_, pt := l.snap.PartnershipEnds(ps)
					aj.Country = ds.Partners[pt].Country
				}
			}
			if c, ok := l.snap.Country(aj.Country); ok {
				aj.CountryName = c.NameFR
			}
			out = append(out, aj)
		}
		return out
	})
}
