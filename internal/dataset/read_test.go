package dataset_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
)

// withLine returns the embedded dataset with line n (1-based) of file
// replaced by repl.
func withLine(t *testing.T, file string, n int, repl string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(geodata.Dataset(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(geodata.Dataset(), p)
		if err != nil {
			return err
		}
		if p == file {
			lines := strings.Split(string(data), "\n")
			lines[n-1] = repl
			data = []byte(strings.Join(lines, "\n"))
		}
		m[p] = &fstest.MapFile{Data: data}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLoadReportsFileLineField(t *testing.T) {
	tests := map[string]struct {
		file, line string
		want       string // "file:line: field"
	}{
		"unknown kind":          {dataset.PartnershipsFile, "FRTW00001,31065,3186084,twinning,,true,real", "partnerships.csv:2: kind"},
		"dangling authority":    {dataset.PartnershipsFile, "FRTW00001,99999,3186084,jumelage,,true,real", "partnerships.csv:2: authority_id"},
		"year out of range":     {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,1066,true,real", "partnerships.csv:2: start_year"},
		"bad active flag":       {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,,yes,real", "partnerships.csv:2: active"},
		"unknown theme":         {dataset.ProjectsFile, "PRJ-000001,SYN-000003,Titre,sport,2022,synthetic", "projects.csv:2: themes"},
		"too many themes":       {dataset.ProjectsFile, "PRJ-000001,SYN-000003,Titre,sante|tourisme|numerique|culture-patrimoine,2022,synthetic", "projects.csv:2: themes"},
		"latitude out of range": {dataset.AuthoritiesFile, "reg-01,region,01,Guadeloupe,,01,384160,-61.73214,95.5", "authorities.csv:2: lat"},
		"duplicate id":          {dataset.PartnersFile, "3186084,3186084,Berat,AL,,46866,19.95222,40.70583", "partners.csv:3: id: duplicate"}, // the second occurrence
		"wrong column count":    {dataset.CountriesFile, "AD,AND,Andorre", "countries.csv:2"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := dataset.Load(withLine(t, tc.file, 2, tc.line))
			if err == nil {
				t.Fatal("bad row accepted")
			}
			if !errors.Is(err, atlas.ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %q", err, tc.want)
			}
		})
	}
}
