package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/encoding/gzpool"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/gorilla/mux"
)

// exportRoutes registers the download routes: layer exports and print maps.
// The print route must come before the /atlas/{country} page route, which
// would otherwise take "JP.pdf" for a country code.
func (s *Server) exportRoutes(b bindings) {
	s.get(b, "/export/{layer}.{ext}", s.handleExport)
	s.printRoutes(b)
}

// handleExport serves GET /export/{layer}.{geojson|csv|gpkg}?<filters>: the
// whole filtered set as a file download (Content-Disposition: attachment).
// GeoJSON and CSV are streamed (gzip when accepted); CSV takes lang=en|fr
// (header language), bom=true (UTF-8 byte order mark for Excel) and
// offset/limit (one page of the sortby order, as /geojson pages it). The
// GeoPackage is built in a temporary file, then sent with its length.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	v := mux.Vars(r)
	layer := v["layer"]
	if _, err := index.LayerByID(layer); err != nil {
		return err
	}
	format, err := export.ParseFormat(v["ext"])
	if err != nil {
		return fmt.Errorf("export format %q: %w (allowed: geojson, csv, gpkg)", v["ext"], atlas.ErrNotFound)
	}
	q := r.URL.Query()
	var extra []string
	if format == export.CSV {
		extra = []string{"lang", "bom", "limit", "offset"}
	}
	if format != export.GeoPackage {
		extra = append(extra, "sortby")
	}
	f, err := parseFilter(q, snap, extra...)
	if err != nil {
		return err
	}
	o, err := parseCSVOptions(q)
	if err != nil {
		return err
	}
	if o.SortBy, o.Desc, err = parseSortBy(q, layer); err != nil {
		return err
	}
	if format == export.CSV {
		// One page of the results table; without them, the whole set (so
		// the limit has no maximum, unlike /geojson's).
		if o.Limit, o.Offset, err = parseLimitOffset(q, 0, 0); err != nil {
			return err
		}
	}
	canonical := fmt.Sprintf("/export/%s.%s?%s&lang=%s&bom=%t&sortby=%s", layer, format, f.Encode(), o.Lang, o.BOM, q.Get("sortby"))
	if o.Offset > 0 || o.Limit > 0 {
		canonical += fmt.Sprintf("&offset=%d&limit=%d", o.Offset, o.Limit)
	}
	compress := format != export.GeoPackage && acceptsGzip(r)
	tag := etag(r, snap.Version(), canonical)
	if format == export.GeoPackage {
		if strings.HasSuffix(tag, `-gz"`) { // never compressed: one variant
			tag = strings.TrimSuffix(tag, `-gz"`) + `"`
		}
	} else {
		w.Header().Add("Vary", "Accept-Encoding")
	}
	if s.notModified(w, r, tag) {
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, export.Filename(layer, f, string(format))))
	o.APD = s.apdOf(snap, layer, f)
	if format == export.GeoPackage {
		return s.serveGeoPackage(w, r, snap, layer, f, o)
	}
	if r.Method == http.MethodHead {
		if compress {
			h.Set("Content-Encoding", "gzip")
		}
		return nil
	}
	out, flush, done := exportBody(w, compress)
	o.Flush = flush
	write := export.WriteGeoJSON
	if format == export.CSV {
		write = export.WriteCSV
	}
	n, err := write(r.Context(), out, snap, layer, f, o)
	if err == nil {
		err = done()
	}
	if err != nil {
		if r.Context().Err() != nil {
			return r.Context().Err() // the client went away
		}
		// The status line is gone: cut the connection so that the client
		// sees a failed transfer, not a truncated file that looks whole.
		s.log.ErrorContext(r.Context(), "export failed", "path", r.URL.Path, "features", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// exportBody returns the body writer of a streamed export, a flush function
// that pushes what was written to the client, and the close function.
func exportBody(w http.ResponseWriter, compress bool) (io.Writer, func() error, func() error) {
	rc := http.NewResponseController(w)
	flushHTTP := func() error {
		if err := rc.Flush(); err != nil && err != http.ErrNotSupported {
			return err
		}
		return nil
	}
	if !compress {
		return w, flushHTTP, func() error { return nil }
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Del("Content-Length")
	gz := gzpool.Get(w)
	flush := func() error {
		if err := gz.Flush(); err != nil {
			return err
		}
		return flushHTTP()
	}
	return gz, flush, func() error {
		err := gz.Close()
		gzpool.Put(gz)
		return err
	}
}

func (s *Server) serveGeoPackage(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, layer string, f atlas.Filter, o export.Options) error {
	if err := s.gpkgSlots.acquire(r.Context()); err != nil {
		return err
	}
	defer s.gpkgSlots.release()
	tmp, err := os.CreateTemp("", "atlas-export-*.gpkg")
	if err != nil {
		return err
	}
	path := tmp.Name()
	tmp.Close()
	defer os.Remove(path)
	os.Remove(path) // SQLite creates it
	if _, err := export.WriteGeoPackage(r.Context(), path, snap, layer, f, o); err != nil {
		return err
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Length", fmt.Sprint(st.Size()))
	if r.Method == http.MethodHead {
		return nil
	}
	_, err = io.Copy(w, file)
	if err != nil && r.Context().Err() == nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}
