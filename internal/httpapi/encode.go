package httpapi

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
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
	if s.notModified(w, r, tag) {
		return nil
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	if r.Method == http.MethodHead {
		return nil
	}
	out, _, done := body(w, r)
	cw := csv.NewWriter(out)
	if r.URL.Query().Get("lang") == string(export.French) {
		// The French spreadsheet's CSV, as the exports write it: a BOM, ';'
		// between fields, French headers (labels are French already).
		io.WriteString(out, "\ufeff")
		cw.Comma = ';'
		header = frenchHeader(header)
	}
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		return err
	}
	return done()
}

// frenchHeaders names the small tables' columns in French: the statistics'
// groupings and units, and the directory tables'.
var frenchHeaders = map[string]string{
	"country": "pays", "theme": "thematique", "type": "type", "kind": "nature", "year": "annee",
	"provenance": "provenance", "source": "source", "region": "region", "departement": "departement",
	"authority": "collectivite", "partner": "partenaire", "label": "libelle", "partnerships": "partenariats",
	"projects": "projets", "authorities": "collectivites", "partners": "partenaires", "name": "nom",
	"iso2": "code_pays", "id": "identifiant",
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

// csvLang reads the lang parameter of a small table's CSV: "" (English,
// ',') or fr (the French spreadsheet's CSV); only with format=csv.
func csvLang(q url.Values) (string, error) {
	l, err := export.ParseLang(q.Get("lang"))
	if err != nil {
		return "", err
	}
	if l == export.French && q.Get("format") != "csv" {
		return "", atlas.InvalidParam("lang", q.Get("lang"), "lang=fr is for format=csv")
	}
	return string(l), nil
}
