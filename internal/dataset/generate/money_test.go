package generate_test

import (
	"slices"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset/generate"
)

// Every recipient country of the DAC list has its ISO code (the Netherlands
// Antilles, dissolved, excepted), so every ODA-eligible partner country of
// the atlas is known as such; Germany, the UK, Japan… are not eligible.
func TestDACRecipients(t *testing.T) {
	rs, err := generate.DACRecipients(geodata.Sources())
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range generated(t).Countries {
		known[c.ISO2] = true
	}
	eligible := map[string]bool{}
	countries := 0
	for _, r := range rs {
		regional := r.IncomeGroup == "Part I unallocated by income"
		if regional != (r.ISO2 == "") && r.Code != "361" {
			t.Errorf("DAC recipient %s %q: ISO code %q", r.Code, r.NameEN, r.ISO2)
		}
		if r.ISO2 != "" {
			countries++
			if !known[r.ISO2] {
				t.Errorf("DAC recipient %s %q: ISO code %q not in countries.csv", r.Code, r.NameEN, r.ISO2)
			}
		}
		if r.Eligible && r.ISO2 != "" {
			eligible[r.ISO2] = true
		}
	}
	if countries != 179 {
		t.Errorf("%d DAC recipient countries mapped, want 179", countries)
	}
	partner := map[string]bool{}
	for _, p := range generated(t).Partners {
		partner[p.Country] = true
	}
	n := 0
	for c := range partner {
		if eligible[c] {
			n++
		}
	}
	if n != 86 {
		t.Errorf("%d of the atlas's %d partner countries ODA-eligible, want 86", n, len(partner))
	}
	for _, c := range []string{"ML", "BF", "SN", "MG", "MA", "TN", "BJ", "HT", "VN", "CN", "TR", "MD", "CI", "PS", "CG", "CD"} {
		if !eligible[c] {
			t.Errorf("%s not ODA-eligible", c)
		}
	}
	for _, c := range []string{"DE", "GB", "JP", "US", "IT", "ES", "PL", "CL", "UY", "KR", "IL", "FR"} {
		if eligible[c] {
			t.Errorf("%s ODA-eligible", c)
		}
	}
}

// The published APD targets, and the interpolated years between them.
func TestAPDTargets(t *testing.T) {
	ts := generate.APDTargets()
	if len(ts) != 18 || ts[0].Year != 2003 || ts[17].Year != 2020 {
		t.Fatalf("targets %+v", ts)
	}
	interpolated := []int{}
	for _, y := range ts {
		if y.Source == "interpolated" {
			interpolated = append(interpolated, y.Year)
		}
		if y.Refugees > 0 && y.Year < 2016 {
			t.Errorf("%d: refugees before 2016", y.Year)
		}
	}
	if !slices.Equal(interpolated, []int{2011, 2012, 2013, 2014, 2019}) {
		t.Errorf("interpolated years %v", interpolated)
	}
}
