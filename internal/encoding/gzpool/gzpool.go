// Package gzpool owns the server's one pool of gzip writers, at the level
// every response and tile is compressed with (gzip.BestSpeed): a writer
// allocates about 800 KB of deflate state, which a pool spares each request.
package gzpool

import (
	"bytes"
	"compress/gzip"
	"io"
	"sync"
)

// Level is the compression level of the pooled writers.
const Level = gzip.BestSpeed

var writers = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, Level) // Level is valid
	return zw
}}

// Get returns a writer that compresses to w. Close it, then give it back
// with Put.
func Get(w io.Writer) *gzip.Writer {
	zw := writers.Get().(*gzip.Writer)
	zw.Reset(w)
	return zw
}

// Put gives zw back to the pool. It forgets its destination first, so that
// a pooled writer never keeps a response or a buffer alive.
func Put(zw *gzip.Writer) {
	zw.Reset(io.Discard)
	writers.Put(zw)
}

// Encode returns the gzip encoding of data, in a buffer of its own sized for
// it.
func Encode(data []byte) []byte {
	buf := new(bytes.Buffer)
	buf.Grow(len(data)/2 + 64)
	zw := Get(buf)
	zw.Write(data) // a bytes.Buffer does not fail
	zw.Close()
	Put(zw)
	return buf.Bytes()
}
