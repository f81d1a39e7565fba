// Package generate builds the atlas dataset from its real sources (French
// twinnings, collectivités, world places, countries, boundaries) plus a
// deterministic synthetic complement calibrated on the published figures,
// flagged synthetic row by row. It runs at build time only: `atlas geodata
// build` writes its output into geodata/dataset, which the server embeds and
// package dataset loads.
package generate

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
)

// DefaultSeed is the seed of the committed default dataset.
const DefaultSeed uint64 = 20260101

// Source file names inside the directory Dataset reads (geodata/sources).
const (
	SourceTwinnings   = "jumelages_fr_wikipedia.csv"
	SourceAuthorities = "fr_collectivites.csv"
	SourcePlaces      = "world_places.csv"
	SourceCountries   = "countries.csv"
)

// Figures the Scale 1 dataset is built to match exactly.
const (
	TargetPartnerships = 11600
	TargetCountries    = 135
	TargetAuthorities  = 4770
	TargetPartners     = 8300
)

// Options tunes Dataset. The zero value means DefaultSeed, Scale 1.
type Options struct {
	Seed  uint64 // 0 means DefaultSeed
	Scale int    // 0 or 1: the calibrated default dataset; N > 1: N × 11,600 partnerships, not calibrated
}

// Dataset builds the atlas dataset from the real sources in src (the files
// of geodata/sources): every real twinning with a French code, plus a
// deterministic synthetic complement made of real places only. The same
// sources and options always give the same dataset, row for row.
//
// At Scale 1 the complement is calibrated so that the totals (TargetPartnerships,
// TargetCountries, TargetAuthorities, TargetPartners) and the published
// per-country and per-theme project figures hold exactly. At Scale N > 1 the
// dataset has N × TargetPartnerships partnerships drawn from every
// collectivité and every world place, with no duplicate (authority, partner)
// pair; no figure is calibrated. Boundaries are left nil.
//
// Order of the returned slices: authorities by type (région, département,
// groupement, commune) then code; partners by country, name, id; real
// partnerships first in source order (pair_id), then synthetic ones by id;
// projects by id, which follows their partnership's order; countries by ISO
// code as in the source.
func Dataset(src fs.FS, opt Options) (*atlas.Dataset, error) {
	if opt.Seed == 0 {
		opt.Seed = DefaultSeed
	}
	if opt.Scale == 0 {
		opt.Scale = 1
	}
	if opt.Scale < 1 {
		return nil, fmt.Errorf("dataset: generate: scale %d: %w: want a positive integer", opt.Scale, atlas.ErrInvalid)
	}
	s, err := readSources(src)
	if err != nil {
		return nil, err
	}
	g := newGen(s, opt)
	if err := g.addReal(); err != nil {
		return nil, err
	}
	if opt.Scale == 1 {
		err = g.addCalibrated()
	} else {
		err = g.addScaled()
	}
	if err != nil {
		return nil, err
	}
	if err := g.addProjects(); err != nil {
		return nil, err
	}
	ds := g.dataset()
	if ds.Sectors, err = Sectors(src); err != nil {
		return nil, err
	}
	if opt.Scale == 1 {
		eligible, err := eligibleCountries(src)
		if err != nil {
			return nil, err
		}
		if err := g.addMoney(ds, ds.Sectors, eligible); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// ---------------------------------------------------------------------------
// Sources

type srcCountry struct {
	atlas.Country
	region, subregion string // world-countries (ODbL): used internally only, never written
	hasPolygon        bool
	prof              profile
}

type srcPlace struct {
	gid         int64
	name, ascii string
	country     string
	admin1      string
	pop         int
	pt          orb.Point
}

type twinRow struct {
	list                 int // index in twinLists
	pairID               string
	frType, frCode       string
	partnerName, country string
	subdivision          string
	gid                  int64
	pt                   orb.Point
	coordSource          string
}

type sources struct {
	countries  []srcCountry
	countryIdx map[string]int
	auths      []atlas.Authority
	hasPoint   []bool
	authByKey  map[string]int // type + ":" + code
	places     []srcPlace
	placeByGID map[int64]int
	byCountry  map[string][]int // place indexes, most populous first
	twins      []twinRow
}

func readSources(src fs.FS) (*sources, error) { return readSourcesOpt(src, true) }

// readSourcesOpt reads the sources, the twinning lists only when twins is set.
func readSourcesOpt(src fs.FS, twins bool) (*sources, error) {
	s := &sources{countryIdx: map[string]int{}, authByKey: map[string]int{}, placeByGID: map[int64]int{}, byCountry: map[string][]int{}}
	err := readTable(src, SourceCountries, func(r tableRow) error {
		c := srcCountry{
			Country: atlas.Country{ISO2: r.get("iso2"), ISO3: r.get("iso3"), NameFR: r.get("name_fr"), NameEN: r.get("name_en"),
				Label: orb.Point{r.float("lon"), r.float("lat")}},
			region: r.get("region"), subregion: r.get("subregion"), hasPolygon: r.get("has_polygon") == "yes",
		}
		c.prof = profileOf(c.ISO2, c.region, c.subregion)
		s.countryIdx[c.ISO2] = len(s.countries)
		s.countries = append(s.countries, c)
		return r.err
	})
	if err != nil {
		return nil, err
	}
	err = readTable(src, SourceAuthorities, func(r tableRow) error {
		typ := atlas.AuthorityType(r.get("type"))
		code := r.get("code")
		id := code
		switch r.get("type") {
		case "epci":
			typ = atlas.Groupement
		case "departement":
			id = "dep-" + code
		case "region":
			id = "reg-" + code
		}
		if !typ.Valid() {
			return fmt.Errorf("unknown type %q", r.get("type"))
		}
		a := atlas.Authority{ID: id, Type: typ, Code: code, Name: r.get("nom"), Departement: r.get("dep"), Region: r.get("region"),
			Population: r.optInt("population")}
		if typ == atlas.Region {
			a.Departement = ""
		}
		has := r.get("lat") != ""
		if has {
			a.Point = orb.Point{r.float("lon"), r.float("lat")}
		}
		s.authByKey[string(typ)+":"+code] = len(s.auths)
		s.auths = append(s.auths, a)
		s.hasPoint = append(s.hasPoint, has)
		return r.err
	})
	if err != nil {
		return nil, err
	}
	err = readTable(src, SourcePlaces, func(r tableRow) error {
		p := srcPlace{gid: int64(r.optInt("geonameid")), name: r.get("name"), ascii: r.get("asciiname"), country: r.get("country_iso2"),
			admin1: r.get("admin1_code"), pop: r.optInt("population"), pt: orb.Point{r.float("lon"), r.float("lat")}}
		if _, ok := s.countryIdx[p.country]; !ok {
			return fmt.Errorf("unknown country %q", p.country)
		}
		s.placeByGID[p.gid] = len(s.places)
		s.byCountry[p.country] = append(s.byCountry[p.country], len(s.places))
		s.places = append(s.places, p)
		return r.err
	})
	if err != nil || !twins {
		return s, err
	}
	for li, l := range twinLists {
		err = readTable(src, l.file, func(r tableRow) error {
			t := twinRow{list: li, pairID: r.get("pair_id"), frType: r.get("fr_type"), frCode: r.get("fr_code"), partnerName: r.get("partner_name"),
				country: r.get("partner_country_iso2"), subdivision: r.get("partner_subdivision"), gid: int64(r.optInt("partner_geonameid")),
				coordSource: r.get("partner_coord_source")}
			if r.get("partner_lat") != "" {
				t.pt = orb.Point{r.float("partner_lon"), r.float("partner_lat")}
			}
			s.twins = append(s.twins, t)
			return r.err
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// twinLists are the real twinning lists Dataset reads, best documented
// first: a pair several lists give keeps the first one's row (its id, its
// partner) and the ids of all of them as its sources.
var twinLists = []struct{ file, source string }{
	{SourceTwinnings, atlas.SourceWikipediaEN},
	{SourceWikidata, atlas.SourceWikidata},
	{SourceItWiki, atlas.SourceWikipediaIT},
}

// DuplicateKm: two rows of the same French collectivité whose partners have
// the same name and country and lie within it are one pair.
const DuplicateKm = 5.0

type tableRow struct {
	cols   map[string]int
	fields []string
	err    error
}

func (r *tableRow) get(name string) string {
	i, ok := r.cols[name]
	if !ok {
		r.err = fmt.Errorf("missing column %q", name)
		return ""
	}
	return r.fields[i]
}

func (r *tableRow) optInt(name string) int {
	v := r.get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%s: %w", name, err)
	}
	return n
}

func (r *tableRow) float(name string) float64 {
	f, err := strconv.ParseFloat(r.get(name), 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%s: %w", name, err)
	}
	return f
}

func readTable(src fs.FS, name string, fn func(tableRow) error) error {
	f, err := src.Open(name)
	if err != nil {
		return fmt.Errorf("dataset: generate: %w", err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("dataset: generate: %s: %w", name, err)
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("dataset: generate: %s: %w", name, err)
		}
		if err := fn(tableRow{cols: cols, fields: rec}); err != nil {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("dataset: generate: %s:%d: %w", name, line, err)
		}
	}
}

// ---------------------------------------------------------------------------
// Generator state

// pmeta is what the project stage needs to know about a partnership.
type pmeta struct {
	auth    int32 // index in sources.auths
	partner int32 // index in gen.partners
}

type gen struct {
	s   *sources
	opt Options

	authUsed []bool
	partners []atlas.Partner
	// placePartner maps a place index to its partner index, -1 when unused.
	placePartner []int32
	partnerByID  map[string]int32
	pairs        map[uint64]struct{}
	// approx marks the real partners placed at their country's label
	// point, their list's geocode being missing or suspect.
	approx map[int32]bool

	pships []atlas.Partnership
	meta   []pmeta
	// realCountries are the partner countries of the real twinnings.
	realCountries map[string]bool

	// nproj is the number of projects of each partnership (0 for jumelages).
	nproj    []uint8
	projects []atlas.Project
}

func newGen(s *sources, opt Options) *gen {
	g := &gen{s: s, opt: opt, authUsed: make([]bool, len(s.auths)), placePartner: make([]int32, len(s.places)),
		partnerByID: map[string]int32{}, pairs: map[uint64]struct{}{}, realCountries: map[string]bool{}, approx: map[int32]bool{}}
	for i := range g.placePartner {
		g.placePartner[i] = -1
	}
	return g
}

// rng returns the random stream of one generation stage, so that changing a
// stage does not shift the draws of the others.
func (g *gen) rng(stage uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.opt.Seed, stage*0x9E3779B97F4A7C15+uint64(g.opt.Scale)))
}

func pairKey(auth, partner int32) uint64 { return uint64(auth)<<32 | uint64(uint32(partner)) }

func (g *gen) hasPair(auth, partner int32) bool {
	_, ok := g.pairs[pairKey(auth, partner)]
	return ok
}

// placeAsPartner returns the partner index of a place, creating it if needed.
func (g *gen) placeAsPartner(pi int, subdivision string) int32 {
	if j := g.placePartner[pi]; j >= 0 {
		if g.partners[j].Subdivision == "" {
			g.partners[j].Subdivision = subdivision
		}
		return j
	}
	p := g.s.places[pi]
	if subdivision == "" && p.country == "GB" {
		subdivision = gbNations[p.admin1]
	}
	j := int32(len(g.partners))
	g.partners = append(g.partners, atlas.Partner{ID: strconv.FormatInt(p.gid, 10), GeonameID: p.gid, Name: p.name, Country: p.country,
		Subdivision: subdivision, Population: p.pop, Point: p.pt})
	g.placePartner[pi] = j
	g.partnerByID[g.partners[j].ID] = j
	return j
}

var gbNations = map[string]string{"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}

func (g *gen) addPartnership(p atlas.Partnership, auth, partner int32) {
	p.AuthorityID = g.s.auths[auth].ID
	p.PartnerID = g.partners[partner].ID
	g.authUsed[auth] = true
	g.pairs[pairKey(auth, partner)] = struct{}{}
	g.pships = append(g.pships, p)
	g.meta = append(g.meta, pmeta{auth: auth, partner: partner})
	g.nproj = append(g.nproj, 0)
}

// addReal adds one partnership per real twinning pair: a row of the lists
// that has a French code, once per pair however many lists give it (see
// twinLists and DuplicateKm). The first list's rows are all kept, as given.
func (g *gen) addReal() error {
	s := g.s
	// byName: authority, partner country and partner name → partnerships.
	byName := map[string][]int{}
	nameKey := func(auth int, country, name string) string {
		return strconv.Itoa(auth) + "|" + country + "|" + normName(name)
	}
	pairAt := map[uint64]int{}
	for _, t := range s.twins {
		if t.frCode == "" {
			continue // not attached to any collectivité: excluded (see PROVENANCE.md)
		}
		typ := t.frType
		if typ == "epci" {
			typ = string(atlas.Groupement)
		}
		ai, ok := s.authByKey[typ+":"+t.frCode]
		if !ok {
			return fmt.Errorf("dataset: generate: %s %s: no %s %q in %s", twinLists[t.list].file, t.pairID, t.frType, t.frCode, SourceAuthorities)
		}
		if _, ok := s.countryIdx[t.country]; !ok {
			return fmt.Errorf("dataset: generate: %s %s: unknown country %q", twinLists[t.list].file, t.pairID, t.country)
		}
		source := twinLists[t.list].source
		key := nameKey(ai, t.country, t.partnerName)
		if t.list > 0 {
			if k := g.sameNamed(byName[key], t); k >= 0 {
				g.addSource(k, source)
				continue
			}
		}
		pj, err := g.realPartner(t)
		if err != nil {
			return err
		}
		if k, ok := pairAt[pairKey(int32(ai), pj)]; ok && t.list > 0 {
			g.addSource(k, source)
			continue
		}
		g.realCountries[t.country] = true
		k := len(g.pships)
		pairAt[pairKey(int32(ai), pj)] = k
		byName[key] = append(byName[key], k)
		if n := g.partners[pj].Name; normName(n) != normName(t.partnerName) {
			pk := nameKey(ai, t.country, n)
			byName[pk] = append(byName[pk], k)
		}
		g.addPartnership(atlas.Partnership{ID: t.pairID, Kind: atlas.Jumelage, Active: true, Provenance: atlas.Real,
			Sources: []string{source}}, int32(ai), pj)
	}
	return nil
}

// sameNamed returns the partnership among ks whose partner lies within
// DuplicateKm of t's, or whose partner's point is only its country's, or -1.
func (g *gen) sameNamed(ks []int, t twinRow) int {
	for _, k := range ks {
		pj := g.meta[k].partner
		if t.pt == (orb.Point{}) || g.approx[pj] || atlas.DistanceKm(g.partners[pj].Point, t.pt) <= DuplicateKm {
			return k
		}
	}
	return -1
}

// addSource records that list source also gives partnership k.
func (g *gen) addSource(k int, source string) {
	if !slices.Contains(g.pships[k].Sources, source) {
		g.pships[k].Sources = append(g.pships[k].Sources, source)
	}
}

// realPartner resolves the partner of a twinning row: its GeoNames id, else a
// world place of the same name in the same country (most populous first),
// else the row's own geocode under an "x-" id (the country's label point when
// the geocode is suspect).
func (g *gen) realPartner(t twinRow) (int32, error) {
	if t.gid != 0 {
		pi, ok := g.s.placeByGID[t.gid]
		if !ok {
			return 0, fmt.Errorf("dataset: generate: %s %s: geonameid %d not in %s", twinLists[t.list].file, t.pairID, t.gid, SourcePlaces)
		}
		return g.placeAsPartner(pi, t.subdivision), nil
	}
	key := fold(t.partnerName)
	for _, pi := range g.s.byCountry[t.country] {
		p := g.s.places[pi]
		if fold(p.name) == key || fold(p.ascii) == key {
			return g.placeAsPartner(pi, t.subdivision), nil
		}
	}
	id := xID(t.country+" "+t.partnerName, "")
	if j, ok := g.partnerByID[id]; ok {
		if g.partners[j].Name == t.partnerName || t.list > 0 && atlas.DistanceKm(g.partners[j].Point, t.pt) <= DuplicateKm {
			return j, nil
		}
		if t.list == 0 {
			return 0, fmt.Errorf("dataset: generate: %s %s: partner id %s clashes with %q", twinLists[t.list].file, t.pairID, id, g.partners[j].Name)
		}
		// Another place of the same slug in a later list: its own id.
		for n := 2; ok; n++ {
			id = xID(t.country+" "+t.partnerName, "-"+strconv.Itoa(n))
			_, ok = g.partnerByID[id]
		}
	}
	pt := t.pt
	j := int32(len(g.partners))
	if t.coordSource == "wikipedia_list_geocode_suspect" || t.coordSource == "" {
		pt = g.s.countries[g.s.countryIdx[t.country]].Label
		g.approx[j] = true
	}
	g.partners = append(g.partners, atlas.Partner{ID: id, Name: t.partnerName, Country: t.country, Subdivision: t.subdivision, Point: pt})
	g.partnerByID[id] = j
	return j, nil
}

// maxIDLen is the longest id package dataset reads.
const maxIDLen = 40

// xID is the id of a partner that is no GeoNames place: "x-", a slug of
// country and name cut to fit the dataset's 40-character ids, and suffix.
func xID(s, suffix string) string {
	id := slug(s)
	if max := maxIDLen - 2 - len(suffix); len(id) > max {
		id = strings.TrimRight(id[:max], "-")
	}
	return "x-" + id + suffix
}

// fold lowercases s and strips the diacritics of Latin letters, for name
// matching and slugs.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var foldMap = func() map[rune]string {
	m := map[rune]string{}
	for base, accented := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđ", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįı",
		"j": "ĵ", "k": "ķ", "l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő", "r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț",
		"u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ", "z": "źżž", "ae": "æ", "oe": "œ", "ss": "ß",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// slug returns a lowercase ASCII identifier of s: letters and digits, runs of
// anything else replaced by one "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range fold(s) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// dataset assembles the output in its documented order.
func (g *gen) dataset() *atlas.Dataset {
	ds := &atlas.Dataset{Partnerships: g.pships, Projects: g.projects}
	for _, c := range g.s.countries {
		ds.Countries = append(ds.Countries, c.Country)
	}
	for i, used := range g.authUsed {
		if used {
			ds.Authorities = append(ds.Authorities, g.s.auths[i])
		}
	}
	order := map[atlas.AuthorityType]int{}
	for i, t := range atlas.AuthorityTypes() {
		order[t] = i
	}
	slices.SortStableFunc(ds.Authorities, func(a, b atlas.Authority) int {
		return cmp.Or(cmp.Compare(order[a.Type], order[b.Type]), cmp.Compare(a.Code, b.Code))
	})
	ds.Partners = slices.Clone(g.partners)
	slices.SortFunc(ds.Partners, func(a, b atlas.Partner) int {
		return cmp.Or(cmp.Compare(a.Country, b.Country), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return ds
}
