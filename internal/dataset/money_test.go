package dataset_test

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset"
)

// TestAPDFigures checks the published APD figures on the committed
// dataset, one by one (see geodata/PROVENANCE.md for their sources).
func TestAPDFigures(t *testing.T) {
	ds := loaded(t)
	total, refugees := map[int]int64{}, map[int]int64{}
	for _, d := range ds.APD {
		if d.Provenance != atlas.Synthetic || d.Status != atlas.APDDeclared || d.Version != 1 {
			t.Errorf("declaration %s %d: %s, %s, version %d", d.AuthorityID, d.Year, d.Provenance, d.Status, d.Version)
		}
		for _, l := range d.Lines {
			total[d.Year] += l.AmountEUR
			if l.Refugees {
				refugees[d.Year] += l.AmountEUR
				if l.Sector != atlas.SectorRefugees || l.Country != "" {
					t.Errorf("refugee line of %s %d: %+v", d.AuthorityID, d.Year, l)
				}
			}
		}
	}
	for _, f := range []struct {
		year            int
		total, refugees int64
	}{
		// Sénat report r12-123.
		{2003, 45_400_000, 0}, {2004, 46_600_000, 0}, {2005, 45_500_000, 0}, {2006, 57_600_000, 0},
		{2007, 62_200_000, 0}, {2008, 72_500_000, 0}, {2009, 69_700_000, 0}, {2010, 60_500_000, 0},
		// Interpolated between 2010 and 2015.
		{2011, 60_320_000, 0}, {2012, 60_140_000, 0}, {2013, 59_960_000, 0}, {2014, 59_780_000, 0},
		// The seed deck.
		{2015, 59_600_000, 0},
		// Press articles citing the DAECT.
		{2016, 82_900_000, 34_400_000}, {2017, 100_600_000, 50_000_000}, {2018, 116_000_000, 66_400_000},
		// 2019 interpolated; refugees of 2019 and 2020 at the 2018 share.
		{2019, 119_000_000, 68_117_241}, {2020, 122_000_000, 69_834_483},
	} {
		if total[f.year] != f.total {
			t.Errorf("APD %d: %d €, want %d €", f.year, total[f.year], f.total)
		}
		if refugees[f.year] != f.refugees {
			t.Errorf("APD %d refugees: %d €, want %d €", f.year, refugees[f.year], f.refugees)
		}
	}
	if len(total) != 18 {
		t.Errorf("APD years %d, want 18 (2003-2020)", len(total))
	}

	// 2015: 101 beneficiary countries; agriculture (DAC 311) third, 6 M€.
	countries := map[string]bool{}
	byCat := map[string]int64{}
	for _, d := range ds.APD {
		if d.Year != 2015 {
			continue
		}
		for _, l := range d.Lines {
			if l.Country != "" {
				countries[l.Country] = true
			}
			byCat[l.Sector[:3]] += l.AmountEUR
		}
	}
	if len(countries) != 101 {
		t.Errorf("APD 2015: %d beneficiary countries, want 101", len(countries))
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b string) int { return int(byCat[b] - byCat[a]) })
	if len(cats) < 3 || cats[2] != "311" {
		t.Errorf("APD 2015: categories by amount %v, want agriculture (311) third", cats)
	}
	if a := byCat["311"]; a < 5_700_000 || a > 6_300_000 {
		t.Errorf("APD 2015 agriculture: %d €, want about 6 M€", a)
	}
}

// TestAPDLines checks what every line must be: an amount, a known sector
// of one of its project's themes, a country that is ODA-eligible (never Germany, the UK, Japan…), a
// partnership of the declaring authority, most often direct.
func TestAPDLines(t *testing.T) {
	ds := loaded(t)
	pship := map[string]atlas.Partnership{}
	for _, p := range ds.Partnerships {
		pship[p.ID] = p
	}
	project := map[string]atlas.Project{}
	for _, pr := range ds.Projects {
		project[pr.ID] = pr
	}
	sectors := map[string]bool{}
	for _, s := range ds.Sectors {
		sectors[s.Code] = true
	}
	if !sectors[atlas.SectorRefugees] || len(ds.Sectors) != 230 {
		t.Errorf("%d sectors, 93010 present: %v; want the 230 DAC purpose codes", len(ds.Sectors), sectors[atlas.SectorRefugees])
	}
	channels := map[atlas.Channel]int{}
	types := map[atlas.AuthorityType]int64{}
	typeOf := map[string]atlas.AuthorityType{}
	for _, a := range ds.Authorities {
		typeOf[a.ID] = a.Type
	}
	for _, d := range ds.APD {
		for _, l := range d.Lines {
			channels[l.Channel]++
			types[typeOf[d.AuthorityID]] += l.AmountEUR
			if l.AmountEUR <= 0 || !sectors[l.Sector] {
				t.Fatalf("%s %d: line %+v", d.AuthorityID, d.Year, l)
			}
			switch l.Country {
			case "DE", "GB", "JP", "US", "IT", "ES", "BE", "FR":
				t.Fatalf("%s %d: APD to %s, not ODA-eligible", d.AuthorityID, d.Year, l.Country)
			}
			if pr, ok := project[l.ProjectID]; ok && !slices.Contains(pr.Themes, atlas.SectorTheme(l.Sector)) {
				t.Fatalf("%s %d: sector %s (theme %q) on project %s of themes %v", d.AuthorityID, d.Year, l.Sector,
					atlas.SectorTheme(l.Sector), pr.ID, pr.Themes)
			}
			if l.PartnershipID != "" && pship[l.PartnershipID].AuthorityID != d.AuthorityID {
				t.Fatalf("%s %d: partnership %s of another authority", d.AuthorityID, d.Year, l.PartnershipID)
			}
		}
	}
	if channels[atlas.ChannelDirect] < channels[atlas.ChannelAssociation]+channels[atlas.ChannelMultilateral]+channels[atlas.ChannelCollectivite] {
		t.Errorf("channels %v: want mostly direct", channels)
	}
	if types[atlas.Region] <= types[atlas.Commune] {
		t.Errorf("amounts by type %v: want the régions above the communes", types)
	}
}

// continents reads the region (continent) of each country from the sources.
func continents(t *testing.T) map[string]string {
	t.Helper()
	f, err := geodata.Sources().Open("countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "region")
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r[col]
	}
	return out
}

// TestCallFigures checks the figures of the calls for projects (seed deck).
func TestCallFigures(t *testing.T) {
	ds := loaded(t)
	calls := map[string]atlas.Call{}
	for _, c := range ds.Calls {
		calls[c.ID] = c
		if c.Provenance != atlas.Synthetic {
			t.Errorf("call %s: %s", c.ID, c.Provenance)
		}
	}
	cont := continents(t)
	var climat, jeunesse, participants int
	var requested, granted int64
	spans := map[string]bool{}
	open := 0
	for _, c := range ds.Calls {
		if c.IsOpen("2026-12-07") {
			open++
			if c.Opens != "2026-11-02" || c.Closes != "2027-01-29" {
				t.Errorf("open call %s: %s to %s", c.ID, c.Opens, c.Closes)
			}
		} else if c.Closes >= "2026-12-01" {
			t.Errorf("call %s closes on %s", c.ID, c.Closes)
		}
	}
	if open != 1 {
		t.Errorf("%d calls open on 2026-12-07, want 1", open)
	}
	for _, a := range ds.Applications {
		c := calls[a.CallID]
		if a.Provenance != atlas.Synthetic {
			t.Errorf("application %s: %s", a.ID, a.Provenance)
		}
		if c.IsOpen("2026-12-07") != (a.Status == atlas.AppDeposited) {
			t.Errorf("application %s to call %s: %s", a.ID, c.ID, a.Status)
		}
		if a.Status != atlas.AppLaureate {
			continue
		}
		switch {
		case strings.HasPrefix(c.Title, "Appel à projets Climat"):
			climat++
			requested += a.RequestedEUR
			granted += a.GrantedEUR
			spans[cont[a.Country]] = true
		case strings.HasPrefix(c.Title, "Appel à projets Jeunesse"):
			jeunesse++
			participants += a.Participants
		}
	}
	if climat != 36 {
		t.Errorf("Climat laureates: %d, want 36", climat)
	}
	if requested <= 5_000_000 || granted <= 0 || granted >= requested {
		t.Errorf("Climat laureates' projects: %d € requested, %d € granted; want more than 5 M€, a share granted", requested, granted)
	}
	for _, c := range []string{"Africa", "Americas", "Asia", "Europe", "Oceania"} {
		if !spans[c] {
			t.Errorf("no Climat laureate in %s (laureates in %v)", c, spans)
		}
	}
	if jeunesse != 28 || participants != 320 {
		t.Errorf("Jeunesse: %d laureates sending %d young people, want 28 and 320", jeunesse, participants)
	}
}

// copyShapes copies the boundary files of the embedded dataset into dir.
func copyShapes(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{dataset.CountryShapes, dataset.RegionShapes, dataset.DepartementShape} {
		data, err := fs.ReadFile(geodata.Dataset(), name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Written and loaded back, the dataset with its money side is the same.
func TestMoneyRoundTrip(t *testing.T) {
	ds := loaded(t)
	dir := t.TempDir()
	if err := dataset.Write(dir, ds); err != nil {
		t.Fatal(err)
	}
	copyShapes(t, dir)
	back, err := dataset.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]any{
		"sectors": {ds.Sectors, back.Sectors}, "apd": {ds.APD, back.APD}, "calls": {ds.Calls, back.Calls},
		"applications": {ds.Applications, back.Applications},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s: written and loaded back, not the same", name)
		}
	}
	if !reflect.DeepEqual(ds, back) {
		t.Error("dataset: written and loaded back, not the same")
	}
	for _, name := range []string{dataset.SectorsFile, dataset.APDFile, dataset.CallsFile, dataset.ApplicationsFile} {
		want, err := fs.ReadFile(geodata.Dataset(), name)
		if err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, dir, name); string(got) != string(want) {
			t.Errorf("%s: written again, differs from the committed file", name)
		}
	}
}

// Without the money side's files a dataset loads with none of it.
func TestLoadWithoutMoney(t *testing.T) {
	m := withFile(t, "unused.txt", "")
	delete(m, "unused.txt")
	for _, name := range []string{dataset.SectorsFile, dataset.APDFile, dataset.CallsFile, dataset.ApplicationsFile} {
		delete(m, name)
	}
	ds, err := dataset.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Sectors)+len(ds.APD)+len(ds.Calls)+len(ds.Applications) != 0 || len(ds.Partnerships) == 0 {
		t.Fatalf("%d sectors, %d declarations, %d calls, %d applications", len(ds.Sectors), len(ds.APD), len(ds.Calls), len(ds.Applications))
	}
}

// A bad money row is named by file, line and field.
func TestMoneyRowErrors(t *testing.T) {
	ds := loaded(t)
	// A partnership with a project, and a partnership of another authority.
	var pship, other atlas.Partnership
	var project atlas.Project
	for _, pr := range ds.Projects {
		for _, p := range ds.Partnerships {
			if p.ID == pr.PartnershipID {
				pship, project = p, pr
			}
		}
		if pship.ID != "" {
			break
		}
	}
	for _, p := range ds.Partnerships {
		if p.AuthorityID != pship.AuthorityID {
			other = p
			break
		}
	}
	auth := pship.AuthorityID
	apdHead := "authority_id,year,status,version,provenance,line,amount_eur,country,sector,channel,refugees,partnership_id,project_id\n"
	line := func(n int, amount, country, sector, refugees, ps, pr string) string {
		return fmt.Sprintf("%s,2015,declared,1,synthetic,%d,%s,%s,%s,direct,%s,%s,%s\n", auth, n, amount, country, sector, refugees, ps, pr)
	}
	good := line(1, "1000", "ML", "14030", "false", pship.ID, project.ID)
	if _, err := dataset.Load(withFile(t, dataset.APDFile, apdHead+good+line(2, "500", "", "93010", "true", "", ""))); err != nil {
		t.Fatalf("good declaration: %v", err)
	}
	callHead := "id,title,kind,themes,countries,opens,closes,budget_eur,provenance\n"
	appHead := "id,call_id,authority_id,project_id,title,country,requested_eur,granted_eur,participants,status,deposited,provenance\n"
	goodCall := "C-1,Appel,annuel,,,2026-01-01,2026-03-31,100000,synthetic\n"
	for name, tc := range map[string]struct{ file, data, want string }{
		"unknown authority": {dataset.APDFile, apdHead + strings.Replace(good, auth, "nope", 1), "apd.csv:2: authority_id"},
		"zero amount":       {dataset.APDFile, apdHead + line(1, "0", "ML", "14030", "false", "", ""), "apd.csv:2: amount_eur"},
		"unknown country":   {dataset.APDFile, apdHead + line(1, "10", "ZZ", "14030", "false", "", ""), "apd.csv:2: country"},
		"unknown sector":    {dataset.APDFile, apdHead + line(1, "10", "ML", "99999", "false", "", ""), "apd.csv:2: sector"},
		"refugees abroad":   {dataset.APDFile, apdHead + line(1, "10", "ML", "93010", "true", "", ""), "apd.csv:2: refugees"},
		"other's pship":     {dataset.APDFile, apdHead + line(1, "10", "ML", "14030", "false", other.ID, ""), "apd.csv:2: partnership_id"},
		"line skipped":      {dataset.APDFile, apdHead + good + line(3, "10", "", "14030", "false", "", ""), "apd.csv:3: line"},
		"split declaration": {dataset.APDFile, apdHead + good + strings.Replace(line(1, "10", "", "14030", "false", "", ""), ",2015,", ",2016,", 1) + line(1, "10", "", "14030", "false", "", ""), "apd.csv:4: year"},
		"unknown kind":      {dataset.CallsFile, callHead + "C-1,Appel,mensuel,,,2026-01-01,2026-03-31,0,synthetic\n", "calls.csv:2: kind"},
		"closes first":      {dataset.CallsFile, callHead + "C-1,Appel,annuel,,,2026-04-01,2026-03-31,0,synthetic\n", "calls.csv:2: closes"},
		"unknown theme":     {dataset.CallsFile, callHead + "C-1,Appel,thematique,sport,,2026-01-01,2026-03-31,0,synthetic\n", "calls.csv:2: themes"},
		"real call":         {dataset.CallsFile, callHead + "C-1,Appel,annuel,,,2026-01-01,2026-03-31,0,real\n", "calls.csv:2: provenance"},
	} {
		if _, err := dataset.Load(withFile(t, tc.file, tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	for name, tc := range map[string]struct{ row, want string }{
		"unknown call":      {"A-1,C-2," + auth + ",,Un projet,ML,1000,0,,deposee,2026-01-02,synthetic", "applications.csv:2: call_id"},
		"other's project":   {"A-1,C-1," + other.AuthorityID + "," + project.ID + ",Un projet,ML,1000,0,,deposee,2026-01-02,synthetic", "applications.csv:2: project_id"},
		"granted refused":   {"A-1,C-1," + auth + ",,Un projet,ML,1000,10,,refusee,2026-01-02,synthetic", "applications.csv:2: granted_eur"},
		"laureate no grant": {"A-1,C-1," + auth + ",,Un projet,ML,1000,0,,laureat,2026-01-02,synthetic", "applications.csv:2: granted_eur"},
		"bad status":        {"A-1,C-1," + auth + ",,Un projet,ML,1000,0,,pending,2026-01-02,synthetic", "applications.csv:2: status"},
	} {
		m := withFile(t, dataset.CallsFile, callHead+goodCall)
		m[dataset.ApplicationsFile] = &fstest.MapFile{Data: []byte(appHead + tc.row + "\n")}
		if _, err := dataset.Load(m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}
