package httpapi

import (
	"net/http"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/money"
)

// moneyRoutes binds the money side's reads: the APD tables, the DAC list
// and the calls for projects (the writes are the store's, in their own
// files).
func (s *Server) moneyRoutes(b bindings) {
	s.get(b, "/api/apd", s.handleAPD)
	s.get(b, "/api/apd/sectors", s.handleAPDSectors)
	s.get(b, "/api/calls", s.handleCalls)
	s.get(b, "/api/calls/{id}", s.handleCall)
	s.get(b, "/api/calls/{id}/applications", s.handleCallApplications)
}

// handleAPD serves GET /api/apd?by=&<filters>[&format=csv&lang=&bom=]: the
// APD of the declared lines the filter selects, summed and counted by
// group.
func (s *Server) handleAPD(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, append(money.Params(), "by", "format", "lang", "bom")...); err != nil {
		return err
	}
	f, err := money.ParseFilter(q, snap)
	if err != nil {
		return err
	}
	by := q.Get("by")
	if by == "" {
		by = "year"
	}
	format, err := parseFormat(q)
	if err != nil {
		return err
	}
	o, err := parseCSVOptions(q)
	if err != nil {
		return err
	}
	t, err := s.money.For(snap).APD(by, f)
	if err != nil {
		return err
	}
	canonical := "/api/apd?by=" + by + "&format=" + format + "&" + f.Encode()
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), canonical), t)
	}
	canonical += "&lang=" + string(o.Lang) + "&bom=" + strconv.FormatBool(o.BOM)
	header := []string{by, "label", "amount_eur", "refugees_eur", "lines", "authorities", "synthetic_eur"}
	if o.Lang == export.French {
		header = []string{money.ByLabelFR(by), "Libellé", "Montant (€)", "dont réfugiés en France (€)", "Lignes", "Collectivités", "dont complément synthétique (€)"}
	}
	rows := make([][]string, len(t.Groups))
	for i, g := range t.Groups {
		rows[i] = []string{g.Key, g.Label, strconv.FormatInt(g.AmountEUR, 10), strconv.FormatInt(g.RefugeesEUR, 10),
			strconv.Itoa(g.Lines), strconv.Itoa(g.Authorities), strconv.FormatInt(g.SyntheticEUR, 10)}
	}
	return s.writeCSVWith(w, r, etag(r, snap.Version(), canonical), "atlas-apd-"+by+".csv", o, header, rows)
}

// handleAPDSectors serves GET /api/apd/sectors: the OECD DAC purpose codes
// with their categories and the atlas theme of each.
func (s *Server) handleAPDSectors(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/apd/sectors"), s.money.For(snap).Sectors())
}
