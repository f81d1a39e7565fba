// Package assets holds the rule for which of the embedded static files (package static) have
// precompressed forms (name.br, name.gz next to name), how they are made, and
// the check that they still decompress to their source. It is shared by the
// generator (static/internal/precompress, `make assets`) and the test that
// fails on a missing or stale form.
package assets

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
)

// MinSize is the smallest file worth compressing: below it the saving does
// not pay for the extra response header.
const MinSize = 1024

// Regenerate is the command that writes every form again.
const Regenerate = "make assets (or: go generate ./static)"

// compressible are the extensions of the formats that gain from HTTP
// compression (text, glyph protobufs, uncompressed fonts). woff2, png, jpeg
// are compressed already. HTML is not among them: the server rewrites the
// pages' /static/ references to fingerprinted URLs at start-up, and
// compresses the result on first use.
var compressible = map[string]bool{
	".js": true, ".mjs": true, ".css": true, ".svg": true, ".json": true, ".map": true,
	".pbf": true, ".ttf": true, ".otf": true, ".eot": true, ".xml": true, ".wasm": true, ".ico": true,
}

// Encodings are the precompressed forms, by file suffix, in the server's
// order of preference.
func Encodings() []Encoding { return []Encoding{{".br", "br"}, {".gz", "gzip"}} }

// Encoding is a precompressed form: its file suffix and Content-Encoding.
type Encoding struct{ Suffix, Name string }

// IsForm reports whether name is a precompressed form (its source being
// name without the suffix).
func IsForm(name string) bool {
	return strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz")
}

// Wanted reports whether a source file of that name and size gets
// precompressed forms.
func Wanted(name string, size int) bool {
	return size >= MinSize && compressible[strings.ToLower(path.Ext(name))] && !IsForm(name)
}

// Brotli compresses data at the highest quality (a 4 MB window: the
// browsers' default limit, larger than any asset).
func Brotli(data []byte) []byte {
	var b bytes.Buffer
	w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 22})
	_, _ = w.Write(data)
	_ = w.Close()
	return b.Bytes()
}

// Gzip compresses data with gzip's best compression, no name nor time in
// the header (the output depends only on the input).
func Gzip(data []byte) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write(data)
	_ = w.Close()
	return b.Bytes()
}

// Decompress decodes form (suffix ".br" or ".gz").
func Decompress(suffix string, form []byte) ([]byte, error) {
	var r io.Reader
	switch suffix {
	case ".br":
		r = brotli.NewReader(bytes.NewReader(form))
	case ".gz":
		zr, err := gzip.NewReader(bytes.NewReader(form))
		if err != nil {
			return nil, err
		}
		r = zr
	default:
		return nil, fmt.Errorf("unknown encoding suffix %q", suffix)
	}
	return io.ReadAll(r)
}

// Compress returns the form of data for suffix.
func Compress(suffix string, data []byte) []byte {
	if suffix == ".br" {
		return Brotli(data)
	}
	return Gzip(data)
}

// Check returns one message per problem of fsys's precompressed forms: a
// wanted form that is missing, a form that does not decompress to its
// source's bytes, a form whose source is gone.
func Check(fsys fs.FS) ([]string, error) {
	var bad []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if IsForm(p) {
			src := p[:len(p)-3]
			if _, err := fs.Stat(fsys, src); err != nil {
				bad = append(bad, fmt.Sprintf("%s: its source %s is gone", p, src))
			}
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if !Wanted(p, len(data)) {
			return nil
		}
		for _, e := range Encodings() {
			form, err := fs.ReadFile(fsys, p+e.Suffix)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s: missing", p+e.Suffix))
				continue
			}
			got, err := Decompress(e.Suffix, form)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s: does not decompress: %v", p+e.Suffix, err))
			} else if !bytes.Equal(got, data) {
				bad = append(bad, fmt.Sprintf("%s: stale (does not decompress to the current %s)", p+e.Suffix, p))
			}
		}
		return nil
	})
	return bad, err
}
