package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/printmap"
	"github.com/gorilla/mux"
)

// printRoutes registers the print maps. The pattern only takes a two-letter
// code and a known extension, so /atlas/{country} (the page) still answers.
func (s *Server) printRoutes(b bindings) {
	b.bind(http.MethodGet, "/atlas/{country}.{ext}", binding{h: s.data(s.handlePrint), pattern: "/atlas/{country:[A-Za-z]{2}}.{ext:svg|pdf|png}"})
}

// handlePrint serves GET /atlas/{country}.{svg|pdf|png}?<filters>&width=&height=&dpi=:
// the country view as a print map. width and height are the page size in
// millimetres ("297", "297mm") or pixels at dpi ("1600px"); the default is
// A4 landscape (297 × 210 mm) at 150 dpi; dpi only changes PNG output.
func (s *Server) handlePrint(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	v := mux.Vars(r)
	iso2 := strings.ToUpper(v["country"])
	if _, ok := snap.Country(iso2); !ok {
		return fmt.Errorf("country %q: %w", v["country"], atlas.ErrNotFound)
	}
	q := r.URL.Query()
	f, err := parseFilter(q, snap, "width", "height", "dpi")
	if err != nil {
		return err
	}
	o := printmap.Options{Format: printmap.Format(v["ext"]), DPI: 150}
	if q.Has("dpi") {
		if o.DPI, err = strconv.ParseFloat(q.Get("dpi"), 64); err != nil {
			return atlas.InvalidParam("dpi", q.Get("dpi"), fmt.Sprintf("expected a resolution between %g and %g dpi", printmap.MinDPI, printmap.MaxDPI))
		}
		if err := (printmap.Options{Format: printmap.SVG, DPI: o.DPI}).Validate(); err != nil {
			return err
		}
	}
	if o.WidthMM, err = pageLength(q, "width", 297, o.DPI); err != nil {
		return err
	}
	if o.HeightMM, err = pageLength(q, "height", 210, o.DPI); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	canonical := fmt.Sprintf("/atlas/%s.%s?%s&w=%g&h=%g&dpi=%g", iso2, o.Format, f.Encode(), o.WidthMM, o.HeightMM, o.DPI)
	// Print maps are not gzip-encoded: one ETag whatever Accept-Encoding.
	// A PDF's is weak: its font programs carry the time they were written
	// (the PDF library writes them so), so one map's PDFs are equivalent,
	// not byte-identical.
	tag := makeETag(snap.Version(), canonical, false)
	if o.Format == printmap.PDF {
		tag = "W/" + tag
	}
	if s.notModified(w, r, tag) {
		return nil
	}
	if err := s.printSlots.acquire(r.Context()); err != nil {
		return err
	}
	data, err := printmap.Draw(r.Context(), snap, iso2, f, o)
	s.printSlots.release()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", o.Format.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="atlas-%s.%s"`, strings.ToLower(iso2), o.Format))
	if r.Method == http.MethodHead {
		return nil
	}
	_, err = w.Write(data)
	return err
}

// pageLength parses a page side: millimetres ("297", "297mm") or pixels at
// dpi ("1600px").
func pageLength(q map[string][]string, param string, def, dpi float64) (float64, error) {
	vals := q[param]
	if len(vals) == 0 {
		return def, nil
	}
	s := vals[0]
	allowed := fmt.Sprintf("expected millimetres between %g and %g (\"297\" or \"297mm\") or pixels (\"1600px\")", printmap.MinMM, printmap.MaxMM)
	num, unit := s, "mm"
	if strings.HasSuffix(s, "px") {
		num, unit = strings.TrimSuffix(s, "px"), "px"
	} else {
		num = strings.TrimSuffix(s, "mm")
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil || x != x {
		return 0, atlas.InvalidParam(param, s, allowed)
	}
	if unit == "px" {
		x = x * 25.4 / dpi
	}
	if x < printmap.MinMM || x > printmap.MaxMM {
		return 0, atlas.InvalidParam(param, s, allowed)
	}
	return x, nil
}
