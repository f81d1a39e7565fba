package mvt

import (
	"slices"
	"testing"
)

// TestDictExtend checks a dictionary that extends another: values and keys
// the base has keep the base's ids, new ones follow, and every id reads
// back its key, value and encoding.
func TestDictExtend(t *testing.T) {
	var base Dict
	base.key("name")
	base.val(value{kind: 1, s: "Lyon"})
	base.val(value{kind: 2, i: 7})
	base.Seal(true)
	ext := Extend(&base)
	if id := ext.val(value{kind: 2, i: 7}); id != 1 {
		t.Errorf("a base value got id %d, want 1", id)
	}
	if id := ext.val(value{kind: 1, s: "Dakar"}); id != 2 {
		t.Errorf("a new value got id %d, want 2", id)
	}
	if k := ext.key("name"); k != 0 {
		t.Errorf("a base key got id %d, want 0", k)
	}
	if k := ext.key("count"); k != 1 {
		t.Errorf("a new key got id %d, want 1", k)
	}
	ext.Seal(false)
	if ext.numVals() != 3 || ext.numKeys() != 2 {
		t.Fatalf("%d values, %d keys; want 3 and 2", ext.numVals(), ext.numKeys())
	}
	for id := uint32(0); id < 3; id++ {
		if got, want := ext.encoded(id), appendValue(nil, ext.valAt(id)); !slices.Equal(got, want) {
			t.Errorf("value %d (%v) encoded as %v, want %v", id, ext.valAt(id), got, want)
		}
	}
	if ext.keyAt(0) != "name" || ext.keyAt(1) != "count" {
		t.Errorf("keys read back as %q, %q", ext.keyAt(0), ext.keyAt(1))
	}
}
