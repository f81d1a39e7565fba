package generate_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/dataset/generate"
)

var (
	genOnce sync.Once
	genDS   *atlas.Dataset
	genErr  error
)

// generated returns the Scale 1 dataset generated from the embedded sources.
func generated(t *testing.T) *atlas.Dataset {
	t.Helper()
	genOnce.Do(func() { genDS, genErr = generate.Dataset(geodata.Sources(), generate.Options{}) })
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genDS
}

func TestGenerateDeterministic(t *testing.T) {
	a := generated(t)
	b, err := generate.Dataset(geodata.Sources(), generate.Options{Seed: generate.DefaultSeed, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of Dataset with the same options differ")
	}
}

// TestCommittedDatasetIsGenerated keeps geodata/dataset in step with the
// generator: rebuild it with `atlas geodata build` when this fails.
func TestCommittedDatasetIsGenerated(t *testing.T) {
	dir := t.TempDir()
	if err := dataset.Write(dir, generated(t)); err != nil {
		t.Fatal(err)
	}
	if err := generate.WriteBoundaries(dir, geodata.Sources()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{dataset.AuthoritiesFile, dataset.PartnersFile, dataset.PartnershipsFile, dataset.ProjectsFile, dataset.CountriesFile,
		dataset.SectorsFile, dataset.APDFile, dataset.CallsFile, dataset.ApplicationsFile,
		dataset.CountryShapes, dataset.RegionShapes, dataset.DepartementShape} {
		want, err := fs.ReadFile(geodata.Dataset(), name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: generated file differs from the committed one (run atlas geodata build)", name)
		}
	}
}

func TestGenerateKeepsRealTwinnings(t *testing.T) {
	f, err := geodata.Sources().Open(generate.SourceTwinnings)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	ds := generated(t) // the committed dataset, by TestCommittedDatasetIsGenerated
	byID := map[string]atlas.Partnership{}
	for _, p := range ds.Partnerships {
		byID[p.ID] = p
	}
	auth := map[string]atlas.Authority{}
	for _, a := range ds.Authorities {
		auth[a.ID] = a
	}
	partner := map[string]atlas.Partner{}
	for _, p := range ds.Partners {
		partner[p.ID] = p
	}
	kept, excluded := 0, 0
	for _, r := range rows[1:] {
		id := r[col["pair_id"]]
		p, ok := byID[id]
		if r[col["fr_code"]] == "" {
			excluded++
			if ok {
				t.Errorf("%s has no French code but is in the dataset", id)
			}
			continue
		}
		kept++
		if !ok {
			t.Errorf("real twinning %s missing", id)
			continue
		}
		if p.Provenance != atlas.Real || p.Kind != atlas.Jumelage || p.StartYear != 0 || !p.Active {
			t.Errorf("%s: got %+v, want a real active jumelage with no year", id, p)
		}
		if a := auth[p.AuthorityID]; a.Code != r[col["fr_code"]] {
			t.Errorf("%s: authority %s has code %q, want %q", id, a.ID, a.Code, r[col["fr_code"]])
		}
		if c := partner[p.PartnerID].Country; c != r[col["partner_country_iso2"]] {
			t.Errorf("%s: partner country %q, want %q", id, c, r[col["partner_country_iso2"]])
		}
		if gid := r[col["partner_geonameid"]]; gid != "" && p.PartnerID != gid {
			t.Errorf("%s: partner %s, want GeoNames id %s", id, p.PartnerID, gid)
		}
	}
	if kept != 3439 || excluded != 25 {
		t.Errorf("kept %d and excluded %d real rows, want 3439 and 25", kept, excluded)
	}
}

func TestGenerateScale2(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	ds, err := generate.Dataset(geodata.Sources(), generate.Options{Scale: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ds.Partnerships); n != 2*generate.TargetPartnerships {
		t.Errorf("%d partnerships, want %d", n, 2*generate.TargetPartnerships)
	}
	if len(ds.APD)+len(ds.Calls)+len(ds.Applications) != 0 {
		t.Errorf("scale 2: %d declarations, %d calls, %d applications, want none (the money side is calibrated at scale 1 only)",
			len(ds.APD), len(ds.Calls), len(ds.Applications))
	}
	pairs := map[[2]string]bool{}
	real := 0
	for _, p := range ds.Partnerships {
		k := [2]string{p.AuthorityID, p.PartnerID}
		if p.Provenance == atlas.Real {
			real++ // the first list gives a few real pairs twice: they are kept
			pairs[k] = true
			continue
		}
		if pairs[k] {
			t.Fatalf("duplicate pair %v", k)
		}
		pairs[k] = true
	}
	want := 0
	for _, p := range generated(t).Partnerships {
		if p.Provenance == atlas.Real {
			want++
		}
	}
	if real != want {
		t.Errorf("%d real partnerships, want the %d of scale 1", real, want)
	}
	dir := t.TempDir()
	if err := dataset.Write(dir, ds); err != nil {
		t.Fatal(err)
	}
	if err := generate.WriteBoundaries(dir, geodata.Sources()); err != nil {
		t.Fatal(err)
	}
	if _, err := dataset.Load(os.DirFS(dir)); err != nil {
		t.Fatalf("Scale 2 dataset does not load: %v", err)
	}
}

func TestGenerateRejectsBadScale(t *testing.T) {
	if _, err := generate.Dataset(geodata.Sources(), generate.Options{Scale: -1}); err == nil {
		t.Fatal("want an error for a negative scale")
	}
}
