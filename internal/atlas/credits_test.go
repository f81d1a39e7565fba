package atlas_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

var update = flag.Bool("update", false, "rewrite geodata/ATTRIBUTION from the source list")

// geodata/ATTRIBUTION is written from atlas.DataSources, the list the map
// credits come from: the two never drift apart.
func TestAttributionFile(t *testing.T) {
	const path = "../../geodata/ATTRIBUTION"
	want := atlas.AttributionFile()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("geodata/ATTRIBUTION is not the source list's text: run go test ./internal/atlas -run TestAttributionFile -update\n got:\n%s\nwant:\n%s", got, want)
	}
}

// Every source the licences require a credit for is in the map credits,
// with its licence; the generator-only source is not.
func TestCredits(t *testing.T) {
	for _, must := range []string{"Wikipédia", "CC BY-SA 4.0", "GeoNames", "CC BY 4.0", "IGN", "Natural Earth", "INSEE", "Wikidata", "synthétique"} {
		if !strings.Contains(atlas.Credits(), must) {
			t.Errorf("credits lack %q: %s", must, atlas.Credits())
		}
	}
	if strings.Contains(atlas.Credits(), "world-countries") {
		t.Errorf("credits name a source the dataset does not redistribute: %s", atlas.Credits())
	}
	ids := map[string]bool{}
	for _, s := range atlas.DataSources() {
		if s.ID == "" || s.Credit == "" || s.Licence == "" || ids[s.ID] {
			t.Errorf("source %+v: empty field or repeated id", s)
		}
		ids[s.ID] = true
	}
}
