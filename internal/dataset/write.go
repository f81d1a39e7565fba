package dataset

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
)

// csvFile is one CSV file Write writes: n rows, each given by row.
type csvFile struct {
	name   string
	header []string
	n      int
	row    func(i int) []string
}

// optionalFile names the files written only when they have rows.
var optionalFile = map[string]bool{FichesFile: true, RequestsFile: true, SectorsFile: true, APDFile: true, CallsFile: true, ApplicationsFile: true}

// Write writes the CSV files of ds into dir (created if needed; fiches.csv,
// requests.csv and the money side's files only when ds has some). The
// output is deterministic: rows in slice order, coordinates with 5 decimals.
// Boundary files are not written: use WriteBoundaries.
func Write(dir string, ds *atlas.Dataset) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []csvFile{
		{CountriesFile, countryHeader, len(ds.Countries), func(i int) []string {
			c := ds.Countries[i]
			return append([]string{c.ISO2, c.ISO3, c.NameFR, c.NameEN}, coords(c.Label)...)
		}},
		{AuthoritiesFile, authorityHeader, len(ds.Authorities), func(i int) []string {
			a := ds.Authorities[i]
			return append([]string{a.ID, string(a.Type), a.Code, a.Name, a.Departement, a.Region, optInt(a.Population)}, coords(a.Point)...)
		}},
		{PartnersFile, partnerHeader, len(ds.Partners), func(i int) []string {
			p := ds.Partners[i]
			return append([]string{p.ID, optInt(int(p.GeonameID)), p.Name, p.Country, p.Subdivision, optInt(p.Population)}, coords(p.Point)...)
		}},
		{PartnershipsFile, partnershipHeader, len(ds.Partnerships), func(i int) []string {
			p := ds.Partnerships[i]
			return []string{p.ID, p.AuthorityID, p.PartnerID, string(p.Kind), optInt(p.StartYear), strconv.FormatBool(p.Active), string(p.Provenance), strings.Join(p.Sources, "|")}
		}},
		{ProjectsFile, projectHeader, len(ds.Projects), func(i int) []string {
			p := ds.Projects[i]
			return []string{p.ID, p.PartnershipID, p.Title, strings.Join(p.Themes, "|"), optInt(p.StartYear), string(p.Provenance)}
		}},
		{RequestsFile, requestHeader, len(ds.Requests), func(i int) []string {
			q := ds.Requests[i]
			return append(append([]string{q.ID, q.PartnerID, q.Name, q.Country}, coords(q.Point)...), strings.Join(q.Themes, "|"), q.Description,
				atlas.JoinTypes(q.SoughtTypes), optInt(q.MinPopulation), optInt(q.MaxPopulation), strings.Join(q.Languages, "|"), q.ValidUntil, q.Status, q.Published)
		}},
		{FichesFile, ficheHeader, len(ds.Fiches), func(i int) []string {
			f := ds.Fiches[i]
			return []string{f.AuthorityID, f.Service, f.Role, f.Email, f.Phone, f.Website, f.PresentationFR, f.PresentationEN, f.LogoURL, strconv.Itoa(f.Version), f.UpdatedAt}
		}},
	}
	files = append(files, moneyFiles(ds)...)
	for _, f := range files {
		if optionalFile[f.name] && f.n == 0 {
			// Optional: a dataset without fiches (requests, ...) has no such file.
			if err := os.Remove(filepath.Join(dir, f.name)); err != nil && !os.IsNotExist(err) {
				return err
			}
			continue
		}
		if err := WriteFile(filepath.Join(dir, f.name), func(w io.Writer) error {
			cw := csv.NewWriter(w)
			if err := cw.Write(f.header); err != nil {
				return err
			}
			for i := 0; i < f.n; i++ {
				if err := cw.Write(f.row(i)); err != nil {
					return err
				}
			}
			cw.Flush()
			return cw.Error()
		}); err != nil {
			return fmt.Errorf("dataset: write %s: %w", f.name, err)
		}
	}
	return nil
}

// WriteFile writes the file at path through a temporary file renamed into
// place, so a failed write never leaves a truncated dataset file behind.
func WriteFile(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func coords(p orb.Point) []string {
	return []string{strconv.FormatFloat(p[0], 'f', 5, 64), strconv.FormatFloat(p[1], 'f', 5, 64)}
}

func optInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// moneyFiles are the money side's files: sectors, APD lines (one row per
// line, numbered from 1 in its declaration), calls and applications.
func moneyFiles(ds *atlas.Dataset) []csvFile {
	type at struct{ d, l int }
	var lines []at
	for d, decl := range ds.APD {
		for l := range decl.Lines {
			lines = append(lines, at{d, l})
		}
	}
	return []csvFile{
		{SectorsFile, sectorHeader, len(ds.Sectors), func(i int) []string {
			s := ds.Sectors[i]
			return []string{s.Code, s.Category, s.NameFR, s.NameEN, s.CategoryFR, s.CategoryEN}
		}},
		{APDFile, apdHeader, len(lines), func(i int) []string {
			d := ds.APD[lines[i].d]
			l := d.Lines[lines[i].l]
			return []string{d.AuthorityID, strconv.Itoa(d.Year), string(d.Status), strconv.Itoa(d.Version), string(d.Provenance),
				strconv.Itoa(lines[i].l + 1), strconv.FormatInt(l.AmountEUR, 10), l.Country, l.Sector, string(l.Channel),
				strconv.FormatBool(l.Refugees), l.PartnershipID, l.ProjectID}
		}},
		{CallsFile, callHeader, len(ds.Calls), func(i int) []string {
			c := ds.Calls[i]
			return []string{c.ID, c.Title, string(c.Kind), strings.Join(c.Themes, "|"), strings.Join(c.Countries, "|"), c.Opens, c.Closes,
				strconv.FormatInt(c.BudgetEUR, 10), string(c.Provenance)}
		}},
		{ApplicationsFile, applicationHeader, len(ds.Applications), func(i int) []string {
			a := ds.Applications[i]
			return []string{a.ID, a.CallID, a.AuthorityID, a.ProjectID, a.Title, a.Country, strconv.FormatInt(a.RequestedEUR, 10),
				strconv.FormatInt(a.GrantedEUR, 10), optInt(a.Participants), string(a.Status), a.Deposited, string(a.Provenance)}
		}},
	}
}
