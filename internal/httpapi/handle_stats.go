package httpapi

import (
	"net/http"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// handleStats serves GET /api/stats?by=&unit=&<filters>[&format=csv[&lang=fr]].
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "by", "unit", "format", "lang", "bom")
	if err != nil {
		return err
	}
	o, err := parseCSVOptions(q)
	if err != nil {
		return err
	}
	if (q.Has("lang") || q.Has("bom")) && q.Get("format") != "csv" {
		p := "lang"
		if !q.Has("lang") {
			p = "bom"
		}
		return atlas.InvalidParam(p, q.Get(p), p+" is for format=csv")
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
	canonical := "/api/stats?by=" + by + "&unit=" + unit + "&format=" + format + "&lang=" + string(o.Lang) + "&bom=" + strconv.FormatBool(o.BOM) + "&" + f.Encode()
	if format != "csv" {
		return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), canonical), st)
	}
	rows := make([][]string, len(st.Groups))
	for i, g := range st.Groups {
		rows[i] = []string{g.Key, g.Label, strconv.Itoa(g.Count)}
	}
	header := []string{by, "label", unit}
	if o.Lang == export.French {
		header = frenchHeader(header)
	}
	return s.writeCSVWith(w, r, etag(r, snap.Version(), canonical), "atlas-stats-"+by+"-"+unit+".csv", o, header, rows)
}
