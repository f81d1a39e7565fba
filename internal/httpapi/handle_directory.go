package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/directory"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/gorilla/mux"
)

// directoryRoutes binds the fiches, "qui coopère avec" and the analyses.
func (s *Server) directoryRoutes(b bindings) {
	s.get(b, "/api/authorities/{id}", s.handleAuthorityFiche)
	s.get(b, "/api/partners/{id}", s.handlePartnerFiche)
	s.get(b, "/api/countries/{country}/authorities", s.handleWhoCooperates)
	s.get(b, "/api/analyses/priority-countries", s.handlePriorityCountries)
	s.get(b, "/api/analyses/coordination", s.handleCoordination)
}

// handleAuthorityFiche serves GET /api/authorities/{id}.
func (s *Server) handleAuthorityFiche(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	a, err := snap.Lookup(index.LayerAuthorities, id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/authorities/"+id), directory.Authority(snap, a))
}

// handlePartnerFiche serves GET /api/partners/{id}.
func (s *Server) handlePartnerFiche(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	p, err := snap.Lookup(index.LayerPartners, id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/partners/"+id), directory.Partner(snap, p))
}

// parseFormat reads format= (json, the default, or csv).
func parseFormat(q map[string][]string) (string, error) {
	f := ""
	if v := q["format"]; len(v) > 0 {
		f = v[0]
	}
	if f != "" && f != "json" && f != "csv" {
		return "", atlas.InvalidParam("format", f, "allowed: json, csv")
	}
	return f, nil
}

// handleWhoCooperates serves GET /api/countries/{country}/authorities: the
// French collectivités active in a country, by type ("qui coopère avec …").
func (s *Server) handleWhoCooperates(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "format")
	if err != nil {
		return err
	}
	format, err := parseFormat(q)
	if err != nil {
		return err
	}
	iso2 := strings.ToUpper(mux.Vars(r)["country"])
	country, ok := snap.Country(iso2)
	if !ok || iso2 == "FR" {
		return fmt.Errorf("country %q: %w", mux.Vars(r)["country"], atlas.ErrNotFound)
	}
	if len(f.Countries) > 0 {
		return atlas.InvalidParam("country", q.Get("country"), "the country is in the path: /api/countries/"+iso2+"/authorities")
	}
	res, err := directory.WhoCooperates(snap, country, f)
	if err != nil {
		return err
	}
	tag := etag(r, snap.Version(), "/api/countries/"+iso2+"/authorities?format="+format+"&"+f.Encode())
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", tag, res)
	}
	var rows [][]string
	for _, g := range res.Groups {
		for _, a := range g.Authorities {
			year := ""
			if a.FirstYear != 0 {
				year = strconv.Itoa(a.FirstYear)
			}
			contact := ""
			if c := a.Contact; c != nil {
				contact = strings.Join(slices.DeleteFunc([]string{c.Service, c.Role, c.Email, c.Phone}, func(s string) bool { return s == "" }), " · ")
			}
			rows = append(rows, []string{g.Label, a.ID, a.Name, a.DepartementName, a.RegionName, strconv.Itoa(a.Partnerships),
				strings.Join(a.Partners, " | "), strings.Join(a.Kinds, "|"), strings.Join(a.Themes, "|"), year, strconv.FormatBool(a.Synthetic), contact})
		}
	}
	return s.writeCSV(w, r, tag, "atlas-qui-coopere-"+strings.ToLower(iso2)+".csv",
		[]string{"type", "id", "name", "departement", "region", "partnerships", "partners", "kinds", "themes", "first_year", "synthetic", "contact"}, rows)
}

// handlePriorityCountries serves GET /api/analyses/priority-countries: the
// countries with the fewest cooperations, the CICID 2018 priority
// countries apart.
func (s *Server) handlePriorityCountries(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "format")
	if err != nil {
		return err
	}
	format, err := parseFormat(q)
	if err != nil {
		return err
	}
	res, err := directory.FewestCooperations(snap, f)
	if err != nil {
		return err
	}
	tag := etag(r, snap.Version(), "/api/analyses/priority-countries?format="+format+"&"+f.Encode())
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", tag, res)
	}
	var rows [][]string
	for _, c := range res.Countries {
		pop, per := "", ""
		if c.Population > 0 {
			pop = strconv.FormatInt(c.Population, 10)
		}
		if c.PerMillion != nil {
			per = strconv.FormatFloat(*c.PerMillion, 'f', 2, 64)
		}
		rows = append(rows, []string{c.ISO2, c.Name, strconv.FormatBool(c.Priority), strconv.Itoa(c.Partnerships), strconv.Itoa(c.Cooperation),
			strconv.Itoa(c.Projects), strconv.Itoa(c.Authorities), pop, per})
	}
	return s.writeCSV(w, r, tag, "atlas-pays-prioritaires.csv",
		[]string{"iso2", "name", "priority", "partnerships", "cooperation", "projects", "authorities", "population", "per_million"}, rows)
}

// Coordination answer bounds.
const (
	coordinationLimit    = 100
	maxCoordinationLimit = 1000
)

// handleCoordination serves GET /api/analyses/coordination?radius=&limit=:
// the foreign territories where two or more French collectivités act.
func (s *Server) handleCoordination(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "format", "radius", "limit")
	if err != nil {
		return err
	}
	format, err := parseFormat(q)
	if err != nil {
		return err
	}
	radius := directory.DefaultRadiusKM
	if q.Has("radius") {
		radius, err = strconv.ParseFloat(q.Get("radius"), 64)
		if err != nil || !(radius >= directory.MinRadiusKM && radius <= directory.MaxRadiusKM) {
			return atlas.InvalidParam("radius", q.Get("radius"), fmt.Sprintf("expected kilometres between %g and %g", directory.MinRadiusKM, directory.MaxRadiusKM))
		}
	}
	limit := coordinationLimit
	if q.Has("limit") {
		limit, err = strconv.Atoi(q.Get("limit"))
		if err != nil || limit < 1 || limit > maxCoordinationLimit {
			return atlas.InvalidParam("limit", q.Get("limit"), fmt.Sprintf("expected an integer between 1 and %d", maxCoordinationLimit))
		}
	}
	tag := etag(r, snap.Version(), fmt.Sprintf("/api/analyses/coordination?format=%s&radius=%g&limit=%d&%s", format, radius, limit, f.Encode()))
	if s.notModified(w, r, tag) {
		return nil
	}
	res, err := directory.Coordination(snap, f, radius, limit)
	if err != nil {
		return err
	}
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", tag, res)
	}
	var rows [][]string
	for _, t := range res.Territories {
		for _, a := range t.Authorities {
			rows = append(rows, []string{t.ID, t.Name, t.Country, t.CountryName, strconv.Itoa(len(t.Authorities)), a.ID, a.Name, a.TypeLabel,
				strconv.Itoa(a.Partnerships), strings.Join(a.Partners, " | "), strings.Join(a.Themes, "|")})
		}
	}
	return s.writeCSV(w, r, tag, "atlas-coordination.csv",
		[]string{"territory_id", "territory", "country", "country_name", "authorities_there", "authority_id", "authority", "type", "partnerships", "partners", "themes"}, rows)
}
