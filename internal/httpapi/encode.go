package httpapi

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/encoding/gzpool"
	"github.com/atlas-cooperation/atlas/internal/export"
)

// body returns the writer for a response body: gzip-compressed (and the
// headers set) when the client accepts it, buffered either way; flush pushes
// what is written so far (through gzip) to the client, done ends the body.
// Call done once the body is written.
func body(w http.ResponseWriter, r *http.Request) (out *bufio.Writer, flush func(), done func() error) {
	w.Header().Add("Vary", "Accept-Encoding")
	rc := http.NewResponseController(w)
	if !acceptsGzip(r) {
		bw := bufio.NewWriterSize(w, 32<<10)
		return bw, func() { bw.Flush(); rc.Flush() }, bw.Flush
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Del("Content-Length")
	gz := gzpool.Get(w)
	bw := bufio.NewWriterSize(gz, 32<<10)
	return bw, func() { bw.Flush(); gz.Flush(); rc.Flush() }, func() error {
		err := bw.Flush()
		if cerr := gz.Close(); err == nil {
			err = cerr
		}
		gzpool.Put(gz)
		return err
	}
}

// writeJSON writes v as a JSON response with the given content type, status
// 200, after the conditional-request check on tag (skipped when tag is "").
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, contentType, tag string, v any) error {
	if tag != "" && s.notModified(w, r, tag) {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	if r.Method == http.MethodHead {
		return nil
	}
	out, _, done := body(w, r)
	if _, err := out.Write(data); err != nil {
		return err
	}
	if _, err := out.Write([]byte{'\n'}); err != nil {
		return err
	}
	return done()
}

// writeCSV answers a CSV download of rows under header, named file.
func (s *Server) writeCSV(w http.ResponseWriter, r *http.Request, tag, file string, header []string, rows [][]string) error {
	return s.writeCSVWith(w, r, tag, file, export.Options{}, header, rows)
}

// parseCSVOptions reads the lang (en, fr) and bom (true, false) parameters
// of a CSV download.
func parseCSVOptions(q url.Values) (export.Options, error) {
	var o export.Options
	var err error
	if o.Lang, err = export.ParseLang(q.Get("lang")); err != nil {
		return o, err
	}
	if q.Has("bom") {
		switch q.Get("bom") {
		case "true", "1":
			o.BOM = true
		case "false", "0":
		default:
			return o, atlas.InvalidParam("bom", q.Get("bom"), "allowed: true, false")
		}
	}
	return o, nil
}

// writeCSVWith is writeCSV in the language of o, as the exports write it:
// the French spreadsheet's CSV (lang=fr) is separated by semicolons and
// starts with a UTF-8 byte order mark, which bom=true adds to the English
// one; the caller gives the header (and labels) in that language.
func (s *Server) writeCSVWith(w http.ResponseWriter, r *http.Request, tag, file string, o export.Options, header []string, rows [][]string) error {
	if s.notModified(w, r, tag) {
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	if r.Method == http.MethodHead {
		return nil
	}
	out, _, done := body(w, r)
	if o.BOM || o.Lang == export.French {
		out.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(out)
	if o.Lang == export.French {
		cw.Comma = ';'
	}
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		return err
	}
	return done()
}

// frenchHeaders names the statistics' columns in French, in the words of
// the exports' French headers.
var frenchHeaders = map[string]string{
	"country": "Pays", "theme": "Thématique", "type": "Type de collectivité", "kind": "Nature",
	"year": "Année de début", "provenance": "Provenance", "source": "Source", "region": "Région",
	"departement": "Département", "label": "Libellé", "partnerships": "Partenariats", "projects": "Projets",
	"authorities": "Collectivités", "partners": "Autorités partenaires",
}

func frenchHeader(h []string) []string {
	out := make([]string, len(h))
	for i, c := range h {
		if fr, ok := frenchHeaders[c]; ok {
			out[i] = fr
		} else {
			out[i] = c
		}
	}
	return out
}
