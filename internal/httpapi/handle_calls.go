package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/money"
	"github.com/gorilla/mux"
)

// callsTag is the ETag of an answer about calls: it changes with the data
// and with the calls' statuses (open, closed, upcoming) on the day, not
// with the date alone.
func callsTag(r *http.Request, snap *index.Snapshot, canonical string, calls []money.CallJSON) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.ID + ":" + c.Status + ",")
	}
	return etag(r, snap.Version(), canonical+"#status="+b.String())
}

// handleCalls serves GET /api/calls?kind=&theme=&country=&year=&status=[&format=csv]:
// the calls for projects with their status today and the counts of their
// applications.
func (s *Server) handleCalls(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, append(money.CallParams(), "format", "lang", "bom")...); err != nil {
		return err
	}
	f, err := money.ParseCallFilter(q, snap)
	if err != nil {
		return err
	}
	format, err := parseFormat(q)
	if err != nil {
		return err
	}
	o, err := parseCSVOptions(q)
	if err != nil {
		return err
	}
	calls := s.money.For(snap).Calls(f, today())
	canonical := "/api/calls?format=" + format + "&" + f.Encode()
	if format != "csv" {
		out := struct {
			Filter money.CallFilter `json:"filter"`
			Total  int              `json:"total"`
			Calls  []money.CallJSON `json:"calls"`
		}{f, len(calls), calls}
		return s.writeJSON(w, r, "application/json", callsTag(r, snap, canonical, calls), out)
	}
	canonical += "&lang=" + string(o.Lang) + "&bom=" + strconv.FormatBool(o.BOM)
	header := []string{"id", "title", "kind", "status", "opens", "closes", "themes", "countries", "budget_eur",
		"applications", "laureates", "requested_eur", "granted_eur", "participants", "application_countries", "provenance"}
	if o.Lang == export.French {
		header = []string{"Identifiant", "Intitulé", "Type d'appel", "État", "Ouverture", "Clôture", "Thèmes", "Pays", "Budget (€)",
			"Candidatures", "Lauréats", "Montant demandé (€)", "Montant accordé (€)", "Participants", "Pays des candidatures", "Provenance"}
	}
	rows := make([][]string, len(calls))
	for i, c := range calls {
		kind, status := string(c.Kind), c.Status
		if o.Lang == export.French {
			kind, status = c.KindLabel, callStatusFR(c.Status)
		}
		rows[i] = []string{c.ID, c.Title, kind, status, c.Opens, c.Closes, strings.Join(c.Themes, "|"), strings.Join(c.Countries, "|"),
			strconv.FormatInt(c.BudgetEUR, 10), strconv.Itoa(c.Counts.Applications), strconv.Itoa(c.Counts.Laureates),
			strconv.FormatInt(c.Counts.RequestedEUR, 10), strconv.FormatInt(c.Counts.GrantedEUR, 10), strconv.Itoa(c.Counts.Participants),
			strconv.Itoa(c.Counts.Countries), string(c.Provenance)}
	}
	return s.writeCSVWith(w, r, callsTag(r, snap, canonical, calls), "atlas-appels.csv", o, header, rows)
}

func callStatusFR(s string) string {
	switch s {
	case money.CallOpen:
		return "Ouvert"
	case money.CallClosed:
		return "Clos"
	case money.CallUpcoming:
		return "À venir"
	}
	return s
}

// handleCall serves GET /api/calls/{id}: one call with its counts and its
// laureates.
func (s *Server) handleCall(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	d, err := s.money.For(snap).Call(id, today())
	if err != nil {
		return err
	}
	return s.writeJSON(w, r, "application/json", callsTag(r, snap, "/api/calls/"+id, []money.CallJSON{d.CallJSON}), d)
}

// handleCallApplications serves GET /api/calls/{id}/applications[?format=csv]:
// every application of a call, its status and amounts (404 for an unknown
// call).
func (s *Server) handleCallApplications(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, "format", "lang", "bom"); err != nil {
		return err
	}
	format, err := parseFormat(q)
	if err != nil {
		return err
	}
	o, err := parseCSVOptions(q)
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	apps, err := s.money.For(snap).Applications(id)
	if err != nil {
		return err
	}
	canonical := "/api/calls/" + id + "/applications?format=" + format
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), canonical), apps)
	}
	canonical += "&lang=" + string(o.Lang) + "&bom=" + strconv.FormatBool(o.BOM)
	header := []string{"id", "call_id", "authority_id", "authority_name", "authority_type", "project_id", "title", "country", "country_name",
		"requested_eur", "granted_eur", "participants", "status", "deposited", "provenance"}
	if o.Lang == export.French {
		header = []string{"Identifiant", "Appel", "Identifiant de la collectivité", "Collectivité", "Type de collectivité", "Projet", "Intitulé",
			"Pays", "Nom du pays", "Montant demandé (€)", "Montant accordé (€)", "Participants", "État", "Déposée le", "Provenance"}
	}
	rows := make([][]string, len(apps.Applications))
	for i, a := range apps.Applications {
		typ, status := a.AuthorityType, a.Status
		if o.Lang == export.French {
			typ, status = atlas.AuthorityType(a.AuthorityType).Label(), a.StatusLabel
		}
		rows[i] = []string{a.ID, a.CallID, a.AuthorityID, a.AuthorityName, typ, a.ProjectID, a.Title, a.Country, a.CountryName,
			strconv.FormatInt(a.RequestedEUR, 10), strconv.FormatInt(a.GrantedEUR, 10), strconv.Itoa(a.Participants), status, a.Deposited, a.Provenance}
	}
	return s.writeCSVWith(w, r, etag(r, snap.Version(), canonical), "atlas-candidatures-"+strings.ToLower(id)+".csv", o, header, rows)
}
