package dataset

import (
	"errors"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// The money side's files are optional: a dataset without them loads with
// no sectors, declarations, calls or applications.
//
//	sectors.csv       one row per OECD DAC purpose code (five digits) with
//	                  its category (the code's first three digits) and names
//	apd.csv           one row per line of an APD declaration, the rows of a
//	                  declaration together and numbered from 1 (line), the
//	                  declarations by authority (in authorities.csv order)
//	                  then year; country empty for aid to several countries
//	                  or none; amounts in whole euros
//	calls.csv         the calls for projects; themes and countries "|"-separated
//	applications.csv  the applications to the calls

// exists reports whether fsys has name.
func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return !errors.Is(err, fs.ErrNotExist)
}

// readMoney reads the money side's optional files into ds; countries are
// the known country codes. The partnerships and projects must be read.
func readMoney(fsys fs.FS, ds *atlas.Dataset, countries map[string]bool, v *validator) error {
	sectors := map[string]bool{}
	if exists(fsys, SectorsFile) {
		if err := readCSV(fsys, SectorsFile, sectorHeader, v, func(r row) {
			s := atlas.Sector{Code: r.str("code", 5, 5), Category: r.str("category", 3, 3), NameFR: r.str("name_fr", 1, 300),
				NameEN: r.str("name_en", 1, 300), CategoryFR: r.str("category_fr", 0, 300), CategoryEN: r.str("category_en", 1, 300)}
			if !digits(s.Code) {
				r.fail("code", "want a five-digit DAC purpose code, got %q", s.Code)
			} else if s.Category != s.Code[:3] {
				r.fail("category", "want the code's first three digits %s, got %q", s.Code[:3], s.Category)
			}
			r.unique("code", s.Code, sectors)
			ds.Sectors = append(ds.Sectors, s)
		}); err != nil {
			return err
		}
	}
	authIndex := make(map[string]int, len(ds.Authorities))
	for i, a := range ds.Authorities {
		authIndex[a.ID] = i
	}
	pshipAuth := make(map[string]string, len(ds.Partnerships))
	for _, p := range ds.Partnerships {
		pshipAuth[p.ID] = p.AuthorityID
	}
	projPship := make(map[string]string, len(ds.Projects))
	for _, p := range ds.Projects {
		projPship[p.ID] = p.PartnershipID
	}
	if exists(fsys, APDFile) {
		if err := readAPD(fsys, ds, authIndex, pshipAuth, projPship, sectors, countries, v); err != nil {
			return err
		}
	}
	callIDs := map[string]bool{}
	if exists(fsys, CallsFile) {
		if err := readCSV(fsys, CallsFile, callHeader, v, func(r row) {
			c := atlas.Call{ID: r.str("id", 1, 40), Title: r.str("title", 1, 300), Kind: atlas.CallKind(r.str("kind", 1, 20)),
				Themes: split(r.raw("themes")), Countries: split(r.raw("countries")), Opens: r.str("opens", 10, 10),
				Closes: r.str("closes", 10, 10), BudgetEUR: r.int64("budget_eur", 0, math.MaxInt64), Provenance: atlas.Provenance(r.str("provenance", 1, 20))}
			if !c.Kind.Valid() {
				r.fail("kind", "unknown kind %q (want triennal, annuel, bilateral or thematique)", c.Kind)
			}
			for _, t := range c.Themes {
				if atlas.ThemeIndex(t) < 0 {
					r.fail("themes", "unknown theme %q", t)
				}
			}
			for _, k := range c.Countries {
				if !countries[k] {
					r.fail("countries", "unknown country %q", k)
				}
			}
			if !atlas.ValidDate(c.Opens) {
				r.fail("opens", "want a date YYYY-MM-DD, got %q", c.Opens)
			}
			if !atlas.ValidDate(c.Closes) {
				r.fail("closes", "want a date YYYY-MM-DD, got %q", c.Closes)
			} else if c.Closes < c.Opens {
				r.fail("closes", "closes on %s, before it opens on %s", c.Closes, c.Opens)
			}
			if !atlas.ValidMoneyProvenance(c.Provenance) {
				r.fail("provenance", "want declared or synthetic, got %q", c.Provenance)
			}
			r.unique("id", c.ID, callIDs)
			ds.Calls = append(ds.Calls, c)
		}); err != nil {
			return err
		}
	}
	if exists(fsys, ApplicationsFile) {
		appIDs := map[string]bool{}
		if err := readCSV(fsys, ApplicationsFile, applicationHeader, v, func(r row) {
			a := atlas.Application{ID: r.str("id", 1, 40), CallID: r.str("call_id", 1, 40), AuthorityID: r.str("authority_id", 1, 40),
				ProjectID: r.raw("project_id"), Title: r.str("title", 1, 300), Country: r.str("country", 2, 2),
				RequestedEUR: r.int64("requested_eur", 1, atlas.MaxRequestedEUR), GrantedEUR: r.int64("granted_eur", 0, atlas.MaxRequestedEUR),
				Participants: r.optInt("participants", 0, 10_000), Status: atlas.ApplicationStatus(r.str("status", 1, 20)),
				Deposited: r.str("deposited", 10, 10), Provenance: atlas.Provenance(r.str("provenance", 1, 20))}
			if !callIDs[a.CallID] {
				r.fail("call_id", "no call %q in %s", a.CallID, CallsFile)
			}
			if _, ok := authIndex[a.AuthorityID]; !ok {
				r.fail("authority_id", "no authority %q in %s", a.AuthorityID, AuthoritiesFile)
			}
			if a.ProjectID != "" && pshipAuth[projPship[a.ProjectID]] != a.AuthorityID {
				r.fail("project_id", "not a project of authority %s", a.AuthorityID)
			}
			if !countries[a.Country] {
				r.fail("country", "unknown country %q", a.Country)
			}
			if !a.Status.Valid() {
				r.fail("status", "want deposee, recevable, laureat or refusee, got %q", a.Status)
			}
			if a.Status == atlas.AppLaureate && (a.GrantedEUR <= 0 || a.GrantedEUR > a.RequestedEUR) {
				r.fail("granted_eur", "a laureate is granted 1 to %d euros (the amount requested)", a.RequestedEUR)
			} else if a.Status != atlas.AppLaureate && a.GrantedEUR != 0 {
				r.fail("granted_eur", "only a laureate is granted co-financing")
			}
			if !atlas.ValidDate(a.Deposited) {
				r.fail("deposited", "want a date YYYY-MM-DD, got %q", a.Deposited)
			}
			if !atlas.ValidMoneyProvenance(a.Provenance) {
				r.fail("provenance", "want declared or synthetic, got %q", a.Provenance)
			}
			r.unique("id", a.ID, appIDs)
			ds.Applications = append(ds.Applications, a)
		}); err != nil {
			return err
		}
	}
	return nil
}

// readAPD reads apd.csv: the rows of one declaration together, numbered
// from 1, with the same status, version and provenance; the declarations by
// authority in load order, then year.
func readAPD(fsys fs.FS, ds *atlas.Dataset, authIndex map[string]int, pshipAuth, projPship map[string]string,
	sectors, countries map[string]bool, v *validator) error {
	seen := map[string]bool{} // authority + "/" + year
	var cur *atlas.APDDeclaration
	lastAuth, lastYear := -1, 0
	return readCSV(fsys, APDFile, apdHeader, v, func(r row) {
		auth := r.str("authority_id", 1, 40)
		year := r.optInt("year", atlas.FirstAPDYear, atlas.MaxYear)
		if r.raw("year") == "" {
			r.fail("year", "required")
		}
		status := atlas.APDStatus(r.str("status", 1, 20))
		version := r.optInt("version", 1, math.MaxInt32)
		if r.raw("version") == "" {
			r.fail("version", "required")
		}
		prov := atlas.Provenance(r.str("provenance", 1, 20))
		n := r.optInt("line", 1, atlas.MaxAPDLines)
		l := atlas.APDLine{AmountEUR: r.int64("amount_eur", 1, atlas.MaxAPDAmount), Country: r.str("country", 0, 2),
			Sector: r.str("sector", 5, 5), Channel: atlas.Channel(r.str("channel", 1, 20)), Refugees: r.bool("refugees"),
			PartnershipID: r.raw("partnership_id"), ProjectID: r.raw("project_id")}
		ai, ok := authIndex[auth]
		if !ok {
			r.fail("authority_id", "no authority %q in %s", auth, AuthoritiesFile)
		}
		if !status.Valid() {
			r.fail("status", "want draft, declared or amended, got %q", status)
		}
		if !atlas.ValidMoneyProvenance(prov) {
			r.fail("provenance", "want declared or synthetic, got %q", prov)
		}
		if l.Country != "" && !countries[l.Country] {
			r.fail("country", "unknown country %q (empty for several countries or none)", l.Country)
		}
		if !sectors[l.Sector] {
			r.fail("sector", "unknown DAC purpose code %q (not in %s)", l.Sector, SectorsFile)
		}
		if !l.Channel.Valid() {
			r.fail("channel", "want direct, association, multilateral or collectivite, got %q", l.Channel)
		}
		if l.Refugees && (l.Sector != atlas.SectorRefugees || l.Country != "") {
			r.fail("refugees", "aid to refugees in France has the DAC code %s and no country", atlas.SectorRefugees)
		}
		if l.PartnershipID != "" && pshipAuth[l.PartnershipID] != auth {
			r.fail("partnership_id", "not a partnership of authority %s", auth)
		}
		if l.ProjectID != "" {
			if p := projPship[l.ProjectID]; p == "" || pshipAuth[p] != auth {
				r.fail("project_id", "not a project of authority %s", auth)
			} else if l.PartnershipID != "" && p != l.PartnershipID {
				r.fail("project_id", "the project belongs to partnership %s, not %s", p, l.PartnershipID)
			}
		}
		if cur != nil && cur.AuthorityID == auth && cur.Year == year {
			if n != len(cur.Lines)+1 {
				r.fail("line", "want line %d of the declaration, got %d", len(cur.Lines)+1, n)
			}
			if status != cur.Status || version != cur.Version || prov != cur.Provenance {
				r.fail("status", "a declaration's lines share its status, version and provenance (%s, %d, %s)", cur.Status, cur.Version, cur.Provenance)
			}
			cur.Lines = append(cur.Lines, l)
			return
		}
		key := auth + "/" + strconv.Itoa(year)
		if seen[key] {
			r.fail("year", "declaration %s of %d already given above: its lines go together", auth, year)
		} else if ok && (ai < lastAuth || ai == lastAuth && year < lastYear) {
			r.fail("authority_id", "declarations go by authority (in %s order), then year", AuthoritiesFile)
		}
		seen[key] = true
		if n != 1 {
			r.fail("line", "want line 1 of a new declaration, got %d", n)
		}
		if ok {
			lastAuth, lastYear = ai, year
		}
		ds.APD = append(ds.APD, atlas.APDDeclaration{AuthorityID: auth, Year: year, Status: status, Version: version,
			Provenance: prov, Lines: []atlas.APDLine{l}})
		cur = &ds.APD[len(ds.APD)-1]
	})
}

// split reads a "|"-separated list, nil when empty.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// int64 reads a required integer in [lo, hi].
func (r row) int64(field string, lo, hi int64) int64 {
	s := r.raw(field)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		if s == "" {
			r.fail(field, "required")
		} else {
			r.fail(field, "want a whole number in [%d, %d], got %q", lo, hi, s)
		}
		return 0
	}
	return n
}
