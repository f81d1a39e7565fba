package gzpool_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/encoding/gzpool"
)

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestRoundTrip encodes from many goroutines at once, so that writers go
// back and forth through the pool, and decodes every result.
func TestRoundTrip(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				want := strings.Repeat(string(rune('a'+g)), i*37+1)
				if got := gunzip(t, gzpool.Encode([]byte(want))); got != want {
					t.Errorf("goroutine %d, round %d: got %d bytes, want %d", g, i, len(got), len(want))
				}
				var buf bytes.Buffer
				zw := gzpool.Get(&buf)
				io.WriteString(zw, want)
				if err := zw.Close(); err != nil {
					t.Error(err)
				}
				gzpool.Put(zw)
				if got := gunzip(t, buf.Bytes()); got != want {
					t.Errorf("goroutine %d, round %d: streamed %d bytes, want %d", g, i, len(got), len(want))
				}
			}
		}()
	}
	wg.Wait()
}

// TestSameBytesAsGzip pins the pool to the standard library at Level: the
// cached tiles' and responses' bytes do not depend on which writer served
// them.
func TestSameBytesAsGzip(t *testing.T) {
	data := []byte(strings.Repeat("atlas de la coopération décentralisée ", 500))
	var want bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&want, gzpool.Level)
	zw.Write(data)
	zw.Close()
	for range 3 {
		if got := gzpool.Encode(data); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("Encode wrote %d bytes, gzip at level %d writes %d", len(got), gzpool.Level, want.Len())
		}
	}
}

// TestPutForgetsDestination writes through a writer taken after another was
// put back, and checks that the first destination received nothing more.
func TestPutForgetsDestination(t *testing.T) {
	var first bytes.Buffer
	zw := gzpool.Get(&first)
	zw.Close()
	n := first.Len()
	gzpool.Put(zw)
	zw.Write([]byte("after put")) // a writer misused after Put writes nowhere
	zw.Close()
	if first.Len() != n {
		t.Fatalf("the first destination grew from %d to %d bytes after Put", n, first.Len())
	}
}

func BenchmarkEncode(b *testing.B) {
	data := []byte(strings.Repeat("tile bytes ", 4000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		gzpool.Encode(data)
	}
}
