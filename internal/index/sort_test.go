package index_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Every sort key orders a selection by its field, ascending and descending,
// with the partnerships that have no value last either way, and keeps the
// selection's members; an unknown key is refused naming sortby.
func TestSortPartnerships(t *testing.T) {
	snap := testkit.Snapshot(t)
	ds := snap.Dataset()
	ids, _, err := snap.Items(index.LayerPartnerships, atlas.Filter{Countries: []string{"JP", "SN"}})
	if err != nil || len(ids) < 50 {
		t.Fatalf("selection: %d, %v", len(ids), err)
	}
	before := slices.Clone(ids)
	col := collate.New(language.French, collate.IgnoreCase, collate.IgnoreDiacritics)
	value := map[string]func(i int32) (string, int, bool){ // text, number, has a value
		index.SortAuthority: func(i int32) (string, int, bool) {
			a, _ := snap.PartnershipEnds(i)
			return ds.Authorities[a].Name, 0, true
		},
		index.SortPartner: func(i int32) (string, int, bool) {
			_, p := snap.PartnershipEnds(i)
			return ds.Partners[p].Name, 0, true
		},
		index.SortStartYear: func(i int32) (string, int, bool) { y := ds.Partnerships[i].StartYear; return "", y, y != 0 },
		index.SortKind: func(i int32) (string, int, bool) {
			return "", slices.Index(atlas.Kinds(), ds.Partnerships[i].Kind), true
		},
		index.SortType: func(i int32) (string, int, bool) {
			a, _ := snap.PartnershipEnds(i)
			return "", slices.Index(atlas.AuthorityTypes(), ds.Authorities[a].Type), true
		},
	}
	for _, key := range index.SortKeys() {
		for _, desc := range []bool{false, true} {
			got, err := snap.SortPartnerships(context.Background(), ids, key, desc)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(ids)); !slices.Equal(a, b) {
				t.Fatalf("%s: the sort changed the selection", key)
			}
			v := value[key]
			if v == nil {
				continue
			}
			for k := 1; k < len(got); k++ {
				sa, na, ha := v(got[k-1])
				sb, nb, hb := v(got[k])
				if !ha && hb {
					t.Fatalf("%s desc=%v: a partnership without a value before one with (%d, %d)", key, desc, got[k-1], got[k])
				}
				if !ha || !hb {
					continue
				}
				c := col.CompareString(sa, sb)
				if c == 0 {
					c = na - nb
				}
				if desc {
					c = -c
				}
				// Names compare without case and accents; French collation
				// may still order punctuation differently: only flag inversions
				// of plain letters.
				if c > 0 && strings.Trim(sa+sb, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêàçôûîÉÈ ") == "" {
					t.Errorf("%s desc=%v: %q/%d before %q/%d", key, desc, sa, na, sb, nb)
				}
			}
		}
	}
	if !slices.Equal(ids, before) {
		t.Error("SortPartnerships modified its input")
	}
	if _, err := snap.SortPartnerships(context.Background(), ids, "population", false); err == nil || !strings.Contains(err.Error(), "sortby") {
		t.Errorf("unknown key: %v", err)
	}
}
