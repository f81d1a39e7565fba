package dataset_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/testkit"
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
		"unknown kind":          {dataset.PartnershipsFile, "FRTW00001,31065,3186084,twinning,,true,real,", "partnerships.csv:2: kind"},
		"dangling authority":    {dataset.PartnershipsFile, "FRTW00001,99999,3186084,jumelage,,true,real,", "partnerships.csv:2: authority_id"},
		"year out of range":     {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,1066,true,real,", "partnerships.csv:2: start_year"},
		"bad active flag":       {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,,yes,real,", "partnerships.csv:2: active"},
		"unknown source":        {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,,true,real,wikipedia-fr", "partnerships.csv:2: sources: unknown source"},
		"sources out of order":  {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,,true,real,wikidata|wikipedia-en", "partnerships.csv:2: sources"},
		"synthetic with source": {dataset.PartnershipsFile, "FRTW00001,31065,3186084,jumelage,,true,synthetic,wikidata", "partnerships.csv:2: sources: only a real"},
		"unknown theme":         {dataset.ProjectsFile, "PRJ-000001,SYN-000003,Titre,sport,2022,synthetic", "projects.csv:2: themes"},
		"too many themes":       {dataset.ProjectsFile, "PRJ-000001,SYN-000003,Titre,sante|tourisme|numerique|culture-patrimoine,2022,synthetic", "projects.csv:2: themes"},
		"latitude out of range": {dataset.AuthoritiesFile, "reg-01,region,01,Guadeloupe,,01,384160,-61.73214,95.5", "authorities.csv:2: lat"},
		"duplicate id":          {dataset.PartnersFile, "", "partners.csv:3: id: duplicate"}, // line 3 copied onto line 2: the second occurrence is named
		"wrong column count":    {dataset.CountriesFile, "AD,AND,Andorre", "countries.csv:2"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			line := tc.line
			if line == "" {
				data, err := fs.ReadFile(geodata.Dataset(), tc.file)
				if err != nil {
					t.Fatal(err)
				}
				line = strings.Split(string(data), "\n")[2]
			}
			_, err := dataset.Load(withLine(t, tc.file, 2, line))
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

// A dataset written before partnerships carried their sources (no sources
// column) still loads, its rows with no sources; an unknown column is refused.
func TestLoadWithoutSourcesColumn(t *testing.T) {
	data, err := fs.ReadFile(geodata.Dataset(), dataset.PartnershipsFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if lines[0] != "id,authority_id,partner_id,kind,start_year,active,provenance,sources" {
		t.Fatalf("header %q", lines[0])
	}
	cut := func(extra string) fs.FS {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = l[:strings.LastIndexByte(l, ',')] + extra
		}
		fsys := withLine(t, dataset.PartnershipsFile, 1, lines[0])
		fsys.(fstest.MapFS)[dataset.PartnershipsFile] = &fstest.MapFile{Data: []byte(strings.Join(out, "\n") + "\n")}
		return fsys
	}
	ds, err := dataset.Load(cut(""))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Partnerships) != len(lines)-1 {
		t.Fatalf("%d partnerships, want %d", len(ds.Partnerships), len(lines)-1)
	}
	for _, p := range ds.Partnerships {
		if p.Sources != nil {
			t.Fatalf("%s: sources %v from a file without the column", p.ID, p.Sources)
		}
	}
	if _, err := dataset.Load(cut(",x")); err == nil || !strings.Contains(err.Error(), "partnerships.csv:1: x: unknown column") {
		t.Fatalf("unknown column: %v", err)
	}
}

// Every real row of the embedded dataset names its sources, in order; no
// synthetic row does.
func TestEmbeddedSources(t *testing.T) {
	ds, err := dataset.Load(geodata.Dataset())
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, p := range ds.Partnerships {
		if (p.Provenance == atlas.Real) != (len(p.Sources) > 0) {
			t.Fatalf("%s: %s with sources %v", p.ID, p.Provenance, p.Sources)
		}
		for _, s := range p.Sources {
			n[s]++
		}
	}
	for _, s := range atlas.Sources() {
		if n[s] == 0 {
			t.Errorf("no partnership from %s", s)
		}
	}
}

// withFile returns the embedded dataset plus the file name holding data.
func withFile(t *testing.T, name, data string) fstest.MapFS {
	t.Helper()
	return testkit.DatasetWith(t, map[string]string{name: data})
}

// fiches.csv is optional; its rows are fiches of known authorities with
// valid fields, and a bad one is named by line and field.
func TestFiches(t *testing.T) {
	head := "authority_id,service,role,email,phone,website,presentation_fr,presentation_en,logo_url,version,updated_at\n"
	good := "69123,Relations internationales,Chargée de mission,international@ville.exemple.fr,+33 4 00 00 00 00,https://ville.exemple.fr,\"Lyon, ville\nouverte\",,https://ville.exemple.fr/logo.png,2,2026-11-30\n"
	ds, err := dataset.Load(withFile(t, dataset.FichesFile, head+good))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Fiches) != 1 || ds.Fiches[0].AuthorityID != "69123" || ds.Fiches[0].Version != 2 || ds.Fiches[0].PresentationFR != "Lyon, ville\nouverte" {
		t.Fatalf("fiches %+v", ds.Fiches)
	}
	for name, tc := range map[string]struct{ row, want string }{
		"unknown authority": {"99999,s,r,a@b.fr,,,,,,1,2026-01-01", "fiches.csv:2: authority_id"},
		"bad e-mail":        {"69123,s,r,not-an-email,,,,,,1,2026-01-01", "fiches.csv:2: email"},
		"foreign logo":      {"69123,s,r,a@b.fr,,https://ville.fr,,,https://cdn.example.com/l.png,1,2026-01-01", "fiches.csv:2: logo_url"},
		"no service":        {"69123,,r,a@b.fr,,,,,,1,2026-01-01", "fiches.csv:2: service"},
		"bad date":          {"69123,s,r,a@b.fr,,,,,,1,30/11/2026", "fiches.csv:2: updated_at"},
		"version 0":         {"69123,s,r,a@b.fr,,,,,,0,2026-01-01", "fiches.csv:2: version"},
	} {
		_, err := dataset.Load(withFile(t, dataset.FichesFile, head+tc.row+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	_, err = dataset.Load(withFile(t, dataset.FichesFile, head+good+good))
	if err == nil || !strings.Contains(err.Error(), "fiches.csv:4: authority_id: duplicate") {
		t.Errorf("duplicate fiche: %v", err)
	}
	// Written and read back, the same.
	dir := t.TempDir()
	if err := dataset.Write(dir, ds); err != nil {
		t.Fatal(err)
	}
	back, err := fs.ReadFile(os.DirFS(dir), dataset.FichesFile)
	if err != nil || !strings.Contains(string(back), "\"Lyon, ville\nouverte\"") {
		t.Fatalf("written fiches: %s, %v", back, err)
	}
}

// requests.csv is optional; a request refers to a known partner or names
// its new place, and its fields obey the bourse's rules.
func TestRequests(t *testing.T) {
	head := "id,partner_id,name,country,lon,lat,themes,description,sought_types,min_population,max_population,languages,valid_until,status,published\n"
	good := "BRS-1,2394819,Cotonou,BJ,2.41833,6.36536,eau-assainissement|sante,Cotonou cherche une collectivité pour l'assainissement.,commune|groupement,50000,,fr,2099-12-31,open,2026-12-01\n" +
		"BRS-2,,Ouidah,BJ,2.08506,6.36307,culture-patrimoine,Ouidah cherche un partenaire pour son patrimoine.,,,,fr|en,2099-06-30,open,2026-12-01\n"
	ds, err := dataset.Load(withFile(t, dataset.RequestsFile, head+good))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Requests) != 2 || len(ds.Requests[0].SoughtTypes) != 2 || ds.Requests[1].PartnerID != "" {
		t.Fatalf("requests %+v", ds.Requests)
	}
	for name, tc := range map[string]struct{ row, want string }{
		"unknown partner": {"BRS-1,NOPE,Cotonou,BJ,2.4,6.3,sante,Une demande assez longue pour passer.,,,,fr,2099-12-31,open,2026-12-01", "requests.csv:2: partner_id"},
		"unknown country": {"BRS-1,,Ouidah,ZZ,2.4,6.3,sante,Une demande assez longue pour passer.,,,,fr,2099-12-31,open,2026-12-01", "requests.csv:2: country"},
		"unknown theme":   {"BRS-1,,Ouidah,BJ,2.4,6.3,sport,Une demande assez longue pour passer.,,,,fr,2099-12-31,open,2026-12-01", "requests.csv:2: themes"},
		"bad status":      {"BRS-1,,Ouidah,BJ,2.4,6.3,sante,Une demande assez longue pour passer.,,,,fr,2099-12-31,pending,2026-12-01", "requests.csv:2: status"},
	} {
		if _, err := dataset.Load(withFile(t, dataset.RequestsFile, head+tc.row+"\n")); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	dir := t.TempDir()
	if err := dataset.Write(dir, ds); err != nil {
		t.Fatal(err)
	}
	back, err := dataset.Load(withFile(t, dataset.RequestsFile, string(mustRead(t, dir, dataset.RequestsFile))))
	if err != nil || len(back.Requests) != 2 || back.Requests[0].Description != ds.Requests[0].Description {
		t.Fatalf("written and read back: %v %+v", err, back.Requests)
	}
}

func mustRead(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(dir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
