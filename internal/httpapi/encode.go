package httpapi

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"net/http"

	"github.com/atlas-cooperation/atlas/internal/encoding/gzpool"
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
	cw.Write(header)
	cw.WriteAll(rows)
	if err := cw.Error(); err != nil {
		return err
	}
	return done()
}
