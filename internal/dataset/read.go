// Package dataset reads, validates and writes the atlas dataset files: the
// run-time loader, and the writer of the same format. The embedded default
// dataset is built from its real sources by the generator, package generate
// below this one, which only `atlas geodata build` and benchmarks import.
//
// A dataset is one flat directory (any fs.FS) holding:
//
//	authorities.csv   id,type,code,name,departement,region,population,lon,lat
//	partners.csv      id,geonameid,name,country,subdivision,population,lon,lat
//	partnerships.csv  id,authority_id,partner_id,kind,start_year,active,provenance,sources
//	projects.csv      id,partnership_id,title,themes,start_year,provenance
//	countries.csv     iso2,iso3,name_fr,name_en,label_lon,label_lat
//	countries.geojson, regions.geojson, departements.geojson  (boundaries)
//
// and optionally fiches.csv, requests.csv and the money side (see money.go):
//
//	sectors.csv       code,category,name_fr,name_en,category_fr,category_en
//	apd.csv           authority_id,year,status,version,provenance,line,amount_eur,country,sector,channel,refugees,partnership_id,project_id
//	calls.csv         id,title,kind,themes,countries,opens,closes,budget_eur,provenance
//	applications.csv  id,call_id,authority_id,project_id,title,country,requested_eur,granted_eur,participants,status,deposited,provenance
//
// CSV files are UTF-8 with a header row; themes are separated by "|"; an
// unknown year or population is empty. The sources of a real partnership (the
// lists that document it: wikipedia-en, wikidata, wikipedia-it) are separated
// by "|" too; the column may be absent from a dataset written before it
// existed, and is empty on synthetic and declared rows.
package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// File names inside a dataset directory.
const (
	AuthoritiesFile  = "authorities.csv"
	PartnersFile     = "partners.csv"
	PartnershipsFile = "partnerships.csv"
	ProjectsFile     = "projects.csv"
	CountriesFile    = "countries.csv"
	FichesFile       = "fiches.csv"       // optional: the collectivités' own pages
	RequestsFile     = "requests.csv"     // optional: the bourse-projets' requests
	SectorsFile      = "sectors.csv"      // optional: the OECD DAC purpose codes
	APDFile          = "apd.csv"          // optional: the APD declarations, one row per line
	CallsFile        = "calls.csv"        // optional: the calls for projects
	ApplicationsFile = "applications.csv" // optional: the applications to the calls
	CountryShapes    = "countries.geojson"
	RegionShapes     = "regions.geojson"
	DepartementShape = "departements.geojson"
)

// Headers of the CSV files, in column order.
var (
	authorityHeader   = []string{"id", "type", "code", "name", "departement", "region", "population", "lon", "lat"}
	partnerHeader     = []string{"id", "geonameid", "name", "country", "subdivision", "population", "lon", "lat"}
	partnershipHeader = []string{"id", "authority_id", "partner_id", "kind", "start_year", "active", "provenance", "sources"}
	projectHeader     = []string{"id", "partnership_id", "title", "themes", "start_year", "provenance"}
	countryHeader     = []string{"iso2", "iso3", "name_fr", "name_en", "label_lon", "label_lat"}
	requestHeader     = []string{"id", "partner_id", "name", "country", "lon", "lat", "themes", "description", "sought_types", "min_population", "max_population", "languages", "valid_until", "status", "published"}
	ficheHeader       = []string{"authority_id", "service", "role", "email", "phone", "website", "presentation_fr", "presentation_en", "logo_url", "version", "updated_at"}
	sectorHeader      = []string{"code", "category", "name_fr", "name_en", "category_fr", "category_en"}
	apdHeader         = []string{"authority_id", "year", "status", "version", "provenance", "line", "amount_eur", "country", "sector", "channel", "refugees", "partnership_id", "project_id"}
	callHeader        = []string{"id", "title", "kind", "themes", "countries", "opens", "closes", "budget_eur", "provenance"}
	applicationHeader = []string{"id", "call_id", "authority_id", "project_id", "title", "country", "requested_eur", "granted_eur", "participants", "status", "deposited", "provenance"}
)

// optionalColumn names the columns a file may lack; a missing one reads as
// empty on every row.
var optionalColumn = map[string]bool{"sources": true}

// RowError locates a bad value: file, line (1-based, header is line 1), field.
type RowError struct {
	File   string
	Line   int
	Field  string
	Reason string
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, atlas.ErrInvalid) true.
func (e *RowError) Unwrap() error { return atlas.ErrInvalid }

// maxErrors bounds how many row errors Load reports at once.
const maxErrors = 50

// Load reads and validates a whole dataset from fsys. Every row is checked
// (types, ranges, references, uniqueness); on failure the returned error joins
// up to 50 *RowError values and no dataset is returned.
func Load(fsys fs.FS) (*atlas.Dataset, error) {
	ds := &atlas.Dataset{}
	// The boundaries are independent of the tables: parse them meanwhile.
	var wg sync.WaitGroup
	var shapeErrs [3]error
	for k, sh := range []struct {
		dst             *[]atlas.Boundary
		name, id, name2 string
	}{
		{&ds.CountryShapes, CountryShapes, "iso2", "name_fr"},
		{&ds.RegionShapes, RegionShapes, "code", "nom"},
		{&ds.DepartementShapes, DepartementShape, "code", "nom"},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*sh.dst, shapeErrs[k] = readShapes(fsys, sh.name, sh.id, sh.name2)
		}()
	}
	defer wg.Wait()
	if err := loadTables(fsys, ds); err != nil {
		return nil, err
	}
	wg.Wait()
	if err := errors.Join(shapeErrs[:]...); err != nil {
		return nil, err
	}
	return ds, nil
}

// loadTables reads and validates the CSV tables into ds.
func loadTables(fsys fs.FS, ds *atlas.Dataset) error {
	v := &validator{}
	if err := readCSV(fsys, CountriesFile, countryHeader, v, func(r row) {
		ds.Countries = append(ds.Countries, atlas.Country{
			ISO2: r.str("iso2", 2, 2), ISO3: r.str("iso3", 0, 3),
			NameFR: r.str("name_fr", 1, 200), NameEN: r.str("name_en", 1, 200),
			Label: r.point("label_lon", "label_lat"),
		})
	}); err != nil {
		return err
	}
	countries := map[string]bool{}
	for _, c := range ds.Countries {
		countries[c.ISO2] = true
	}
	authIDs := map[string]bool{}
	if err := readCSV(fsys, AuthoritiesFile, authorityHeader, v, func(r row) {
		a := atlas.Authority{
			ID: r.str("id", 1, 40), Type: atlas.AuthorityType(r.str("type", 1, 20)),
			Code: r.str("code", 1, 20), Name: r.str("name", 1, 300),
			Departement: r.str("departement", 0, 3), Region: r.str("region", 0, 3),
			Population: r.optInt("population", 0, math.MaxInt32), Point: r.point("lon", "lat"),
		}
		if !a.Type.Valid() {
			r.fail("type", "unknown authority type %q", a.Type)
		}
		r.unique("id", a.ID, authIDs)
		ds.Authorities = append(ds.Authorities, a)
	}); err != nil {
		return err
	}
	if err := readFiches(fsys, ds, authIDs, v); err != nil {
		return err
	}
	partnerIDs := map[string]bool{}
	if err := readCSV(fsys, PartnersFile, partnerHeader, v, func(r row) {
		p := atlas.Partner{
			ID: r.str("id", 1, 40), GeonameID: int64(r.optInt("geonameid", 0, math.MaxInt32)),
			Name: r.str("name", 1, 300), Country: r.str("country", 2, 2),
			Subdivision: r.str("subdivision", 0, 100),
			Population:  r.optInt("population", 0, math.MaxInt32), Point: r.point("lon", "lat"),
		}
		if !countries[p.Country] {
			r.fail("country", "unknown country %q", p.Country)
		}
		r.unique("id", p.ID, partnerIDs)
		ds.Partners = append(ds.Partners, p)
	}); err != nil {
		return err
	}
	if err := readRequests(fsys, ds, partnerIDs, countries, v); err != nil {
		return err
	}
	pshipIDs := map[string]bool{}
	if err := readCSV(fsys, PartnershipsFile, partnershipHeader, v, func(r row) {
		p := atlas.Partnership{
			ID: r.str("id", 1, 40), AuthorityID: r.str("authority_id", 1, 40), PartnerID: r.str("partner_id", 1, 40),
			Kind: atlas.Kind(r.str("kind", 1, 20)), StartYear: r.optInt("start_year", atlas.MinYear, atlas.MaxYear),
			Active: r.bool("active"), Provenance: atlas.Provenance(r.str("provenance", 1, 20)),
			Sources: r.sources("sources", 100),
		}
		if len(p.Sources) > 0 && p.Provenance != atlas.Real {
			r.fail("sources", "only a real partnership has sources, this one is %q", p.Provenance)
		}
		if !p.Kind.Valid() {
			r.fail("kind", "unknown kind %q", p.Kind)
		}
		if !p.Provenance.Valid() {
			r.fail("provenance", "unknown provenance %q", p.Provenance)
		}
		if !authIDs[p.AuthorityID] {
			r.fail("authority_id", "no authority %q in %s", p.AuthorityID, AuthoritiesFile)
		}
		if !partnerIDs[p.PartnerID] {
			r.fail("partner_id", "no partner %q in %s", p.PartnerID, PartnersFile)
		}
		r.unique("id", p.ID, pshipIDs)
		ds.Partnerships = append(ds.Partnerships, p)
	}); err != nil {
		return err
	}
	projIDs := map[string]bool{}
	if err := readCSV(fsys, ProjectsFile, projectHeader, v, func(r row) {
		p := atlas.Project{
			ID: r.str("id", 1, 40), PartnershipID: r.str("partnership_id", 1, 40),
			Title: r.str("title", 1, 500), StartYear: r.optInt("start_year", atlas.MinYear, atlas.MaxYear),
			Provenance: atlas.Provenance(r.str("provenance", 1, 20)),
		}
		raw := r.str("themes", 1, 300)
		if raw != "" {
			p.Themes = strings.Split(raw, "|")
		}
		if len(p.Themes) < 1 || len(p.Themes) > 3 {
			r.fail("themes", "want 1 to 3 themes separated by |, got %q", raw)
		}
		seen := map[string]bool{}
		for _, t := range p.Themes {
			if atlas.ThemeIndex(t) < 0 {
				r.fail("themes", "unknown theme %q", t)
			}
			if seen[t] {
				r.fail("themes", "theme %q repeated", t)
			}
			seen[t] = true
		}
		if !p.Provenance.Valid() {
			r.fail("provenance", "unknown provenance %q", p.Provenance)
		}
		if !pshipIDs[p.PartnershipID] {
			r.fail("partnership_id", "no partnership %q in %s", p.PartnershipID, PartnershipsFile)
		}
		r.unique("id", p.ID, projIDs)
		ds.Projects = append(ds.Projects, p)
	}); err != nil {
		return err
	}
	if err := readMoney(fsys, ds, countries, v); err != nil {
		return err
	}
	return v.err()
}

// readFiches reads fiches.csv when the dataset has one: each row a fiche of
// a known authority (one each), its fields valid as atlas.FicheInput.Validate
// says, its version at least 1 and its date YYYY-MM-DD.
func readFiches(fsys fs.FS, ds *atlas.Dataset, authIDs map[string]bool, v *validator) error {
	if _, err := fs.Stat(fsys, FichesFile); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	seen := map[string]bool{}
	return readCSV(fsys, FichesFile, ficheHeader, v, func(r row) {
		f := atlas.Fiche{AuthorityID: r.str("authority_id", 1, 40), Service: r.raw("service"), Role: r.raw("role"),
			Email: r.raw("email"), Phone: r.raw("phone"), Website: r.raw("website"), PresentationFR: r.raw("presentation_fr"),
			PresentationEN: r.raw("presentation_en"), LogoURL: r.raw("logo_url"),
			Version: r.optInt("version", 1, math.MaxInt32), UpdatedAt: r.str("updated_at", 10, 10)}
		for _, e := range f.Input().Validate() {
			r.fail(e.Field, "%s", e.Reason)
		}
		if !authIDs[f.AuthorityID] {
			r.fail("authority_id", "no authority %q in %s", f.AuthorityID, AuthoritiesFile)
		}
		if f.Version == 0 {
			r.fail("version", "want 1 or more")
		}
		if _, err := time.Parse(time.DateOnly, f.UpdatedAt); err != nil {
			r.fail("updated_at", "want a date YYYY-MM-DD, got %q", f.UpdatedAt)
		}
		r.unique("authority_id", f.AuthorityID, seen)
		ds.Fiches = append(ds.Fiches, f)
	})
}

// readRequests reads requests.csv when the dataset has one: each row a
// request valid as atlas.RequestInput.Validate says (its place a known
// partner, or a name, a country and a point), with an id and a
// publication date.
func readRequests(fsys fs.FS, ds *atlas.Dataset, partnerIDs, countries map[string]bool, v *validator) error {
	if _, err := fs.Stat(fsys, RequestsFile); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	seen := map[string]bool{}
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, "|")
	}
	return readCSV(fsys, RequestsFile, requestHeader, v, func(r row) {
		q := atlas.Request{ID: r.str("id", 1, 40), PartnerID: r.raw("partner_id"), Name: r.str("name", 1, 300), Country: r.str("country", 2, 2),
			Point: r.point("lon", "lat"), Themes: split(r.raw("themes")), Description: r.raw("description"),
			SoughtTypes: atlas.SortedTypes(split(r.raw("sought_types"))), MinPopulation: r.optInt("min_population", 0, math.MaxInt32),
			MaxPopulation: r.optInt("max_population", 0, math.MaxInt32), Languages: split(r.raw("languages")),
			ValidUntil: r.raw("valid_until"), Status: r.str("status", 4, 6), Published: r.str("published", 10, 10)}
		in := atlas.RequestInput{PartnerID: q.PartnerID, Themes: q.Themes, Description: q.Description, SoughtTypes: split(r.raw("sought_types")),
			MinPopulation: q.MinPopulation, MaxPopulation: q.MaxPopulation, Languages: q.Languages, ValidUntil: q.ValidUntil, Status: q.Status}
		if q.PartnerID == "" {
			in.Name, in.Country, in.Point = q.Name, q.Country, []float64{q.Point[0], q.Point[1]}
		}
		for _, e := range in.Validate() {
			r.fail(e.Field, "%s", e.Reason)
		}
		if q.PartnerID != "" && !partnerIDs[q.PartnerID] {
			r.fail("partner_id", "no partner %q in %s", q.PartnerID, PartnersFile)
		}
		if !countries[q.Country] {
			r.fail("country", "unknown country %q", q.Country)
		}
		if q.Status == "" {
			r.fail("status", "want open or closed")
		}
		if _, err := time.Parse(time.DateOnly, q.Published); err != nil {
			r.fail("published", "want a date YYYY-MM-DD, got %q", q.Published)
		}
		r.unique("id", q.ID, seen)
		ds.Requests = append(ds.Requests, q)
	})
}

func readShapes(fsys fs.FS, name, idProp, nameProp string) ([]atlas.Boundary, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	out := make([]atlas.Boundary, 0, len(fc.Features))
	for i, f := range fc.Features {
		id, _ := f.Properties[idProp].(string)
		nm, _ := f.Properties[nameProp].(string)
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			return nil, fmt.Errorf("dataset: %s: feature %d: want Polygon or MultiPolygon, got %s", name, i, f.Geometry.GeoJSONType())
		}
		if id == "" || nm == "" {
			return nil, fmt.Errorf("dataset: %s: feature %d: missing %q or %q property", name, i, idProp, nameProp)
		}
		out = append(out, atlas.Boundary{ID: id, Name: nm, Geometry: f.Geometry})
	}
	return out, nil
}

type validator struct{ errs []error }

func (v *validator) add(e *RowError) {
	if len(v.errs) < maxErrors {
		v.errs = append(v.errs, e)
	}
}

func (v *validator) err() error { return errors.Join(v.errs...) }

type row struct {
	file   string
	line   int
	cols   map[string]int
	fields []string
	v      *validator
}

func (r row) fail(field, format string, args ...any) {
	r.v.add(&RowError{File: r.file, Line: r.line, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// raw is the field's text; "" for an optional column the file lacks.
func (r row) raw(field string) string {
	i, ok := r.cols[field]
	if !ok {
		return ""
	}
	return r.fields[i]
}

// sources reads a "|"-separated list of real sources: each known, none
// repeated, in the canonical order of atlas.Sources.
func (r row) sources(field string, maxLen int) []string {
	s := r.str(field, 0, maxLen)
	if s == "" {
		return nil
	}
	out := strings.Split(s, "|")
	last := -1
	for _, src := range out {
		i := atlas.SourceIndex(src)
		if i < 0 {
			r.fail(field, "unknown source %q (want %s)", src, strings.Join(atlas.Sources(), ", "))
			return nil
		}
		if i <= last {
			r.fail(field, "source %q repeated or out of order (want the order %s)", src, strings.Join(atlas.Sources(), "|"))
			return nil
		}
		last = i
	}
	return out
}

func (r row) str(field string, minLen, maxLen int) string {
	s := r.raw(field)
	if n := utf8.RuneCountInString(s); n < minLen || n > maxLen {
		if n == 0 {
			r.fail(field, "required")
		} else {
			r.fail(field, "length %d out of [%d, %d]", n, minLen, maxLen)
		}
	}
	return s
}

func (r row) optInt(field string, lo, hi int) int {
	s := r.raw(field)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		r.fail(field, "want an integer in [%d, %d], got %q", lo, hi, s)
		return 0
	}
	return n
}

func (r row) bool(field string) bool {
	switch s := r.raw(field); s {
	case "true":
		return true
	case "false":
		return false
	default:
		r.fail(field, "want true or false, got %q", s)
		return false
	}
}

func (r row) point(lonField, latField string) orb.Point {
	lon, err1 := strconv.ParseFloat(r.raw(lonField), 64)
	lat, err2 := strconv.ParseFloat(r.raw(latField), 64)
	if err1 != nil || lon < -180 || lon > 180 || lon != lon {
		r.fail(lonField, "want a longitude in [-180, 180], got %q", r.raw(lonField))
	}
	if err2 != nil || lat < -90 || lat > 90 || lat != lat {
		r.fail(latField, "want a latitude in [-90, 90], got %q", r.raw(latField))
	}
	return orb.Point{lon, lat}
}

func (r row) unique(field, id string, seen map[string]bool) {
	if id == "" {
		return
	}
	if seen[id] {
		r.fail(field, "duplicate id %q", id)
	}
	seen[id] = true
}

// readCSV reads name from fsys, checks its header and calls fn for each row.
// Structural errors (missing file, bad header, wrong column count, bad CSV
// quoting) stop the read; value errors are collected in v.
func readCSV(fsys fs.FS, name string, header []string, v *validator, fn func(row)) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	return scanCSV(f, name, header, v, fn)
}

// scanCSV is readCSV on an open reader; name is used in errors.
func scanCSV(rd io.Reader, name string, header []string, v *validator, fn func(row)) error {
	cr := csv.NewReader(rd)
	cr.ReuseRecord = true
	got, err := cr.Read()
	if err != nil {
		return &RowError{File: name, Line: 1, Reason: "cannot read header: " + err.Error()}
	}
	cr.FieldsPerRecord = len(got) // every row as wide as the header
	cols := map[string]int{}
	for i, h := range got {
		cols[strings.TrimPrefix(h, "\ufeff")] = i
	}
	known := map[string]bool{}
	for _, h := range header {
		known[h] = true
		if _, ok := cols[h]; !ok && !optionalColumn[h] {
			return &RowError{File: name, Line: 1, Field: h, Reason: "missing column; want header " + strings.Join(header, ",")}
		}
	}
	for h := range cols {
		if !known[h] {
			return &RowError{File: name, Line: 1, Field: h, Reason: "unknown column; want header " + strings.Join(header, ",")}
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &RowError{File: name, Line: pe.Line, Reason: pe.Err.Error()}
			}
			return &RowError{File: name, Line: line, Reason: err.Error()}
		}
		fn(row{file: name, line: line, cols: cols, fields: rec, v: v})
	}
}
