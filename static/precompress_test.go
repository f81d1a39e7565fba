package static_test

import (
	"testing"

	"github.com/atlas-cooperation/atlas/internal/assets"
	"github.com/atlas-cooperation/atlas/static"
)

// TestPrecompressed fails when an embedded file worth compressing lacks its
// .br or .gz form, or has one that does not decompress to its current bytes.
func TestPrecompressed(t *testing.T) {
	bad, err := assets.Check(static.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("%s: run %s", b, assets.Regenerate)
	}
}
