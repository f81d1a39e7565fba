package generate

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
)

// The raw twinning lists `atlas geodata join` reads (in geodata/sources/raw)
// and the joined lists it writes next to the other sources, which Dataset
// reads with jumelages_fr_wikipedia.csv.
const (
	RawWikidata    = "raw/wikidata_france_sistercities.tsv"
	RawItWiki      = "raw/itwiki_twinnings_francia.csv"
	SourceWikidata = "jumelages_wikidata.csv"
	SourceItWiki   = "jumelages_itwiki.csv"
	// SourceCountryLabels maps the country labels of the raw lists that are
	// not countries.csv's English names to ISO codes.
	SourceCountryLabels = "country_labels.csv"
)

// Matching thresholds, in kilometres between the point a list gives and the
// matched place's.
const (
	// FrenchMatchKm: a French collectivité of the same name must lie within
	// it (homonyms are resolved by the nearest).
	FrenchMatchKm = 5.0
	// TownMatchKm, TownMinPopulation: a French name the reference does not
	// know matches the commune of at least TownMinPopulation inhabitants
	// whose point lies within TownMatchKm of the list's.
	TownMatchKm       = 2.0
	TownMinPopulation = 10000
	// PartnerMatchKm: a world place of the same name and country must lie
	// within it; otherwise the list's own point is kept (an "x-" partner).
	PartnerMatchKm = 10.0
)

// joinedColumns are the columns of a joined list.
var joinedColumns = []string{
	"pair_id", "source_line",
	"fr_type", "fr_code", "fr_nom", "fr_nom_source", "fr_lat_source", "fr_lon_source", "fr_distance_km", "fr_match",
	"partner_name", "partner_name_source", "partner_country_iso2", "partner_country_source", "partner_subdivision",
	"partner_geonameid", "partner_lat", "partner_lon", "partner_lat_source", "partner_lon_source", "partner_distance_km",
	"partner_match", "partner_coord_source", "kind", "source",
}

// JoinReport counts what a join did to one list.
type JoinReport struct {
	List    string         // joined file name
	Rows    int            // source rows read
	Matched int            // rows with a French code and a partner
	Dropped map[string]int // unmatched rows by fr_match / partner_match reason
	ByMatch map[string]int // matched rows by "fr_match/partner_match"
}

// joinRow is one row of a raw list, before matching.
type joinRow struct {
	line                 int
	frName               string
	frPt                 orb.Point
	partnerName, country string // country: ISO2, "" when unknown
	countryLabel         string
	partnerPt            orb.Point
	hasPartnerPt         bool
}

// joinedRow is one row of a joined list.
type joinedRow struct {
	joinRow
	pairID       string
	auth         int // index in sources.auths, -1 when unmatched
	frDist       float64
	frMatch      string
	place        int // index in sources.places, -1 for the list's own point
	partnerDist  float64
	partnerMatch string
	source       string
}

// Join matches the raw twinning lists of src (geodata/sources) to codes and
// points and returns the joined files by name, with a report per list. The
// French side matches a collectivité of fr_collectivites.csv by name, the
// nearest within FrenchMatchKm of the list's point; the foreign side a world
// place of the same name and country, the nearest within PartnerMatchKm, else
// it keeps the list's own name and point. Rows that cannot be matched with
// confidence are kept in the joined file with an empty fr_code and their
// reason in fr_match; Dataset skips them. The output is deterministic.
func Join(src fs.FS) (map[string][]byte, []JoinReport, error) {
	s, err := readSourcesOpt(src, false)
	if err != nil {
		return nil, nil, err
	}
	labels, err := readCountryLabels(src, s)
	if err != nil {
		return nil, nil, err
	}
	m := newMatcher(s)
	out := map[string][]byte{}
	var reports []JoinReport
	for _, l := range []struct {
		raw, name, prefix, source string
		read                      func(fs.FS, map[string]string) ([]joinRow, error)
	}{
		{RawWikidata, SourceWikidata, "FRWD", "wikidata_P190_via_rogorido/sistercities", readWikidata},
		{RawItWiki, SourceItWiki, "FRIT", "wikipedia_it_via_yuboski/twinings-it", readItWiki},
	} {
		rows, err := l.read(src, labels)
		if err != nil {
			return nil, nil, err
		}
		rep := JoinReport{List: l.name, Rows: len(rows), Dropped: map[string]int{}, ByMatch: map[string]int{}}
		joined := make([]joinedRow, len(rows))
		for i, r := range rows {
			j := m.match(r)
			j.pairID = fmt.Sprintf("%s%05d", l.prefix, r.line)
			j.source = l.source
			joined[i] = j
			if j.auth < 0 {
				rep.Dropped[j.frMatch]++
			} else {
				rep.Matched++
				rep.ByMatch[j.frMatch+"/"+j.partnerMatch]++
			}
		}
		b, err := m.write(joined)
		if err != nil {
			return nil, nil, err
		}
		out[l.name] = b
		reports = append(reports, rep)
	}
	return out, reports, nil
}

// readCountryLabels returns the English names of countries.csv plus the
// labels of country_labels.csv, keyed by label, to ISO2 ("" for a label that
// names no present-day country).
func readCountryLabels(src fs.FS, s *sources) (map[string]string, error) {
	labels := map[string]string{}
	for _, c := range s.countries {
		labels[c.NameEN] = c.ISO2
	}
	err := readTable(src, SourceCountryLabels, func(r tableRow) error {
		iso := r.get("iso2")
		if _, ok := s.countryIdx[iso]; iso != "" && !ok {
			return fmt.Errorf("unknown country %q", iso)
		}
		labels[r.get("label")] = iso
		return r.err
	})
	return labels, err
}

// readRaw reads a raw list with the given separator, calling fn with each
// row's 1-based line number (the header is line 1) and its fields by column.
func readRaw(src fs.FS, name string, sep rune, fn func(line int, get func(string) string) error) error {
	b, err := fs.ReadFile(src, name)
	if err != nil {
		return fmt.Errorf("dataset: generate: %w", err)
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = sep
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("dataset: generate: %s: %w", name, err)
	}
	cols := map[string]int{}
	for i, h := range head {
		cols[h] = i
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return fmt.Errorf("dataset: generate: %s: %w", name, err)
		}
		var missing string
		get := func(c string) string {
			i, ok := cols[c]
			if !ok {
				missing = c
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		err = fn(line, get)
		if err == nil && missing != "" {
			err = fmt.Errorf("missing column %q", missing)
		}
		if err != nil {
			return fmt.Errorf("dataset: generate: %s:%d: %w", name, line, err)
		}
	}
}

func parsePoint(lat, lon string) (orb.Point, bool, error) {
	if lat == "" || lon == "" {
		return orb.Point{}, false, nil
	}
	y, err1 := strconv.ParseFloat(lat, 64)
	x, err2 := strconv.ParseFloat(lon, 64)
	if err := errors.Join(err1, err2); err != nil {
		return orb.Point{}, false, err
	}
	if math.Abs(y) > 90 || math.Abs(x) > 180 {
		return orb.Point{}, false, fmt.Errorf("coordinates %s,%s out of range", lat, lon)
	}
	return orb.Point{x, y}, true, nil
}

// readWikidata reads the Wikidata P190 list: a French place (origin) and its
// twin (destination), English labels, points on both sides.
func readWikidata(src fs.FS, labels map[string]string) ([]joinRow, error) {
	var rows []joinRow
	err := readRaw(src, RawWikidata, '\t', func(line int, get func(string) string) error {
		fr, ok, err := parsePoint(get("originlat"), get("originlong"))
		if err != nil || !ok {
			return cmp.Or(err, errors.New("no origin point"))
		}
		pt, has, err := parsePoint(get("destinationlat"), get("destinationlong"))
		if err != nil {
			return err
		}
		label := get("destination_countryLabel")
		r := joinRow{line: line, frName: get("origincityLabel"), frPt: fr, partnerName: get("sistercityLabel"),
			countryLabel: label, country: labels[label], partnerPt: pt, hasPartnerPt: has}
		if get("origincountry") != "France" {
			return fmt.Errorf("origin country %q, want France", get("origincountry"))
		}
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

// readItWiki reads the Italian Wikipedia list (its rows with France): an
// Italian comune (start) and its French twin (end), Italian labels.
func readItWiki(src fs.FS, _ map[string]string) ([]joinRow, error) {
	var rows []joinRow
	err := readRaw(src, RawItWiki, '|', func(line int, get func(string) string) error {
		if get("comune_end_stato") != "Francia" {
			return fmt.Errorf("comune_end_stato %q, want Francia", get("comune_end_stato"))
		}
		fr, ok, err := parsePoint(get("comune_end_lat"), get("comune_end_log"))
		if err != nil || !ok {
			return cmp.Or(err, errors.New("no point for the French comune"))
		}
		pt, has, err := parsePoint(get("comune_start_lat"), get("comune_start_log"))
		if err != nil {
			return err
		}
		rows = append(rows, joinRow{line: line, frName: get("comune_end_name"), frPt: fr, partnerName: get("comune_start_name"),
			country: "IT", countryLabel: "Italia", partnerPt: pt, hasPartnerPt: has})
		return nil
	})
	return rows, err
}

// matcher holds the name indexes of the reference tables.
type matcher struct {
	s       *sources
	frNames map[string][]int // normalised name → commune / groupement indexes
	places  map[string][]int // country + "|" + normalised name → place indexes
	towns   grid             // communes of at least TownMinPopulation
}

// grid buckets points in cells of a tenth of a degree.
type grid map[[2]int32][]int

func cellOf(p orb.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p[0] * 10)), int32(math.Floor(p[1] * 10))}
}

func (g grid) add(p orb.Point, i int) { c := cellOf(p); g[c] = append(g[c], i) }

// near returns the items of p's cell and of its eight neighbours: every item
// within 5 km of p in France's latitudes.
func (g grid) near(p orb.Point) []int {
	c := cellOf(p)
	var out []int
	for dx := int32(-1); dx <= 1; dx++ {
		for dy := int32(-1); dy <= 1; dy++ {
			out = append(out, g[[2]int32{c[0] + dx, c[1] + dy}]...)
		}
	}
	return out
}

func newMatcher(s *sources) *matcher {
	m := &matcher{s: s, frNames: map[string][]int{}, places: map[string][]int{}, towns: grid{}}
	for i, a := range s.auths {
		if (a.Type == atlas.Commune || a.Type == atlas.Groupement) && s.hasPoint[i] {
			k := normName(a.Name)
			m.frNames[k] = append(m.frNames[k], i)
		}
		if a.Type == atlas.Commune && s.hasPoint[i] && a.Population >= TownMinPopulation {
			m.towns.add(a.Point, i)
		}
	}
	for i, p := range s.places {
		for _, n := range []string{p.name, p.ascii} {
			k := p.country + "|" + normName(n)
			if l := m.places[k]; len(l) == 0 || l[len(l)-1] != i {
				m.places[k] = append(m.places[k], i)
			}
		}
	}
	return m
}

// normName folds a place name for matching: lower case without diacritics,
// a parenthesised qualifier dropped, "St"/"Ste" spelt out, punctuation
// (hyphens, apostrophes) as single spaces.
func normName(s string) string {
	// "Valdeblore{{!}}Saint-Dalmas…": a wiki link's target; "Bussières,
	// Saône-et-Loire", "Dancé (Loira)": a qualifier.
	s, _, _ = strings.Cut(s, "{{!}}")
	if i := strings.IndexAny(s, "(,"); i > 0 {
		s = s[:i]
	}
	f := fold(s)
	var b strings.Builder
	for _, w := range strings.FieldsFunc(f, func(r rune) bool {
		// Letters and digits of any script; the rest, invisible marks
		// such as U+200E included, separate words.
		return !(unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		switch w {
		case "st":
			w = "saint"
		case "ste":
			w = "sainte"
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// sameTown reports whether a name the reference does not know can name the
// town of the reference found next to its point: they share a distinctive
// word ("Oullins" and "Oullins-Pierre-Bénite", "Évry" and
// "Évry-Courcouronnes"), or both are one word with the same first two letters
// (the exonyms "Nizza" and "Nice", "Dunkirk" and "Dunkerque"). A commune
// merged into one of another name ("Cran-Gevrier" into Annecy) is not
// matched: a point next to a town centre does not tell it from a wrong point.
func sameTown(name, town string) bool {
	a, b := strings.Fields(normName(name)), strings.Fields(normName(town))
	if len(a) == 1 && len(b) == 1 {
		return len(a[0]) >= 2 && len(b[0]) >= 2 && a[0][:2] == b[0][:2]
	}
	for _, w := range a {
		if len(w) >= 3 && !commonWords[w] && slices.Contains(b, w) {
			return true
		}
	}
	return false
}

var commonWords = map[string]bool{"saint": true, "sainte": true, "les": true, "sur": true, "sous": true, "des": true,
	"aux": true, "lez": true, "del": true, "della": true}

// nearest returns the candidate nearest to p and its distance in km.
func nearest(cands []int, p orb.Point, at func(int) orb.Point) (int, float64) {
	best, bd := -1, math.Inf(1)
	for _, c := range cands {
		if d := atlas.DistanceKm(p, at(c)); d < bd {
			best, bd = c, d
		}
	}
	return best, bd
}

func (m *matcher) match(r joinRow) joinedRow {
	j := joinedRow{joinRow: r, auth: -1, place: -1}
	switch {
	case r.countryLabel != "" && r.country == "" && r.countryLabel != "France":
		j.frMatch = "dropped_country_unknown"
		return j
	case r.country == "FR" || r.countryLabel == "France":
		j.frMatch = "dropped_france_to_france"
		return j
	}
	at := func(i int) orb.Point { return m.s.auths[i].Point }
	cands := m.frNames[normName(r.frName)]
	a, d := nearest(cands, r.frPt, at)
	switch {
	case d <= FrenchMatchKm && len(cands) == 1:
		j.frMatch = "name_unique_point"
	case d <= FrenchMatchKm:
		j.frMatch = "name_point"
	default:
		// A name the reference does not know (a French city's exonym:
		// Dunkirk, Nizza; a commune merged into a new one: Évry, Seynod)
		// is the town whose centre the list's point is next to, when
		// that is a town.
		if t, td := nearest(m.towns.near(r.frPt), r.frPt, at); td <= TownMatchKm && sameTown(r.frName, m.s.auths[t].Name) {
			a, d = t, td
			j.frMatch = "point_town"
		} else {
			j.frDist = d
			j.frMatch = "dropped_french_too_far"
			if len(cands) == 0 {
				j.frDist, j.frMatch = 0, "dropped_french_name_unknown"
			}
			return j
		}
	}
	j.auth, j.frDist = a, d
	if places := m.places[r.country+"|"+normName(r.partnerName)]; len(places) > 0 && r.hasPartnerPt {
		p, d := nearest(places, r.partnerPt, func(i int) orb.Point { return m.s.places[i].pt })
		if d <= PartnerMatchKm {
			j.place, j.partnerDist, j.partnerMatch = p, d, "name_country_point"
			return j
		}
	}
	if !r.hasPartnerPt {
		j.auth = -1
		j.frMatch = "dropped_partner_no_point"
		return j
	}
	j.partnerMatch = "source_point"
	return j
}

func fmtKm(d float64) string { return strconv.FormatFloat(math.Round(d*100)/100, 'f', 2, 64) }

func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// write encodes a joined list, in source line order.
func (m *matcher) write(rows []joinedRow) ([]byte, error) {
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b joinedRow) int { return cmp.Compare(a.line, b.line) })
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(joinedColumns); err != nil {
		return nil, err
	}
	for _, r := range rows {
		rec := map[string]string{
			"pair_id": r.pairID, "source_line": strconv.Itoa(r.line), "fr_nom_source": r.frName,
			"fr_lat_source": fmtCoord(r.frPt[1]), "fr_lon_source": fmtCoord(r.frPt[0]), "fr_match": r.frMatch,
			"partner_name_source": r.partnerName, "partner_country_iso2": r.country, "partner_country_source": r.countryLabel,
			"kind": string(atlas.Jumelage), "source": r.source,
		}
		if r.hasPartnerPt {
			rec["partner_lat_source"], rec["partner_lon_source"] = fmtCoord(r.partnerPt[1]), fmtCoord(r.partnerPt[0])
		}
		if r.frDist > 0 || r.auth >= 0 {
			rec["fr_distance_km"] = fmtKm(r.frDist)
		}
		if r.auth >= 0 {
			a := m.s.auths[r.auth]
			typ := string(a.Type)
			if a.Type == atlas.Groupement {
				typ = "epci"
			}
			rec["fr_type"], rec["fr_code"], rec["fr_nom"] = typ, a.Code, a.Name
			rec["partner_match"] = r.partnerMatch
			if r.place >= 0 {
				p := m.s.places[r.place]
				rec["partner_name"], rec["partner_geonameid"] = p.name, strconv.FormatInt(p.gid, 10)
				rec["partner_lat"], rec["partner_lon"] = fmtCoord(p.pt[1]), fmtCoord(p.pt[0])
				rec["partner_distance_km"] = fmtKm(r.partnerDist)
				rec["partner_coord_source"] = "geonames"
			} else {
				rec["partner_name"] = r.partnerName
				rec["partner_lat"], rec["partner_lon"] = fmtCoord(r.partnerPt[1]), fmtCoord(r.partnerPt[0])
				rec["partner_coord_source"] = "list"
			}
		}
		out := make([]string, len(joinedColumns))
		for i, c := range joinedColumns {
			out[i] = rec[c]
		}
		if err := w.Write(out); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
