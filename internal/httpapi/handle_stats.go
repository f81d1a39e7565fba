package httpapi

import (
	"net/http"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// handleStats serves GET /api/stats?by=&unit=&<filters>[&format=csv[&lang=fr]].
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "by", "unit", "format", "lang")
	if err != nil {
		return err
	}
	lang, err := csvLang(q)
	if err != nil {
		return err
	}
	by, unit, format := q.Get("by"), q.Get("unit"), q.Get("format")
	if by == "" {
		by = "country"
	}
	if unit == "" {
		unit = "partnerships"
	}
	if format != "" && format != "json" && format != "csv" {
		return atlas.InvalidParam("format", format, "allowed: json, csv")
	}
	st, err := snap.Stats(by, unit, f)
	if err != nil {
		return err
	}
	canonical := "/api/stats?by=" + by + "&unit=" + unit + "&format=" + format + "&lang=" + lang + "&" + f.Encode()
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), canonical), st)
	}
	rows := make([][]string, len(st.Groups))
	for i, g := range st.Groups {
		rows[i] = []string{g.Key, g.Label, strconv.Itoa(g.Count)}
	}
	return s.writeCSV(w, r, etag(r, snap.Version(), canonical), "atlas-stats-"+by+"-"+unit+".csv", []string{by, "label", unit}, rows)
}
