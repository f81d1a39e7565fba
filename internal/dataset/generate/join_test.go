package generate_test

import (
	"encoding/csv"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/dataset/generate"
	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// readCSV reads a source file as rows keyed by column name.
func readCSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := geodata.Sources().Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func point(t *testing.T, lat, lon string) orb.Point {
	t.Helper()
	y, err1 := strconv.ParseFloat(lat, 64)
	x, err2 := strconv.ParseFloat(lon, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad point %q,%q", lat, lon)
	}
	return orb.Point{x, y}
}

// TestCommittedJoinIsJoined keeps the joined lists in step with the raw
// lists and the matcher: rerun `atlas geodata join` when this fails.
func TestCommittedJoinIsJoined(t *testing.T) {
	files, reports, err := generate.Join(geodata.Sources())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{generate.SourceWikidata, generate.SourceItWiki} {
		want, err := fs.ReadFile(geodata.Sources(), name)
		if err != nil {
			t.Fatal(err)
		}
		if string(files[name]) != string(want) {
			t.Errorf("%s: joined file differs from the committed one (run atlas geodata join)", name)
		}
	}
	again, _, err := generate.Join(geodata.Sources())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if string(again[name]) != string(b) {
			t.Errorf("%s: two joins differ", name)
		}
	}
	for _, r := range reports {
		dropped := 0
		for _, n := range r.Dropped {
			dropped += n
		}
		if r.Matched+dropped != r.Rows || r.Matched < r.Rows*9/10 {
			t.Errorf("%s: %d rows, %d matched, %d dropped", r.List, r.Rows, r.Matched, dropped)
		}
	}
}

// TestJoinedMatchesAreNear checks 200 matched rows drawn at random from the
// joined lists against the reference tables, independently of the matcher:
// the point the list gives and the point of the matched collectivité, and of
// the matched GeoNames place, must be less than 10 km apart for 99 % of them.
func TestJoinedMatchesAreNear(t *testing.T) {
	frPts := map[string]orb.Point{}
	for _, a := range readCSV(t, generate.SourceAuthorities) {
		if a["lat"] != "" {
			frPts[a["type"]+":"+a["code"]] = point(t, a["lat"], a["lon"])
		}
	}
	placePts := map[string]orb.Point{}
	for _, p := range readCSV(t, generate.SourcePlaces) {
		placePts[p["geonameid"]] = point(t, p["lat"], p["lon"])
	}
	var matched []map[string]string
	for _, name := range []string{generate.SourceWikidata, generate.SourceItWiki} {
		for _, r := range readCSV(t, name) {
			if r["fr_code"] != "" {
				matched = append(matched, r)
			}
		}
	}
	rng := rand.New(rand.NewPCG(17, 2026))
	rng.Shuffle(len(matched), func(i, j int) { matched[i], matched[j] = matched[j], matched[i] })
	const n = 200
	var far []string
	checks := 0
	for _, r := range matched[:n] {
		fr, ok := frPts[r["fr_type"]+":"+r["fr_code"]]
		if !ok {
			t.Fatalf("%s: %s %s not in %s", r["pair_id"], r["fr_type"], r["fr_code"], generate.SourceAuthorities)
		}
		checks++
		if d := atlas.DistanceKm(fr, point(t, r["fr_lat_source"], r["fr_lon_source"])); d >= 10 {
			far = append(far, r["pair_id"]+" "+r["fr_nom_source"]+" → "+r["fr_nom"]+": "+strconv.FormatFloat(d, 'f', 1, 64)+" km")
		}
		if gid := r["partner_geonameid"]; gid != "" {
			pt, ok := placePts[gid]
			if !ok {
				t.Fatalf("%s: geonameid %s not in %s", r["pair_id"], gid, generate.SourcePlaces)
			}
			checks++
			if d := atlas.DistanceKm(pt, point(t, r["partner_lat_source"], r["partner_lon_source"])); d >= 10 {
				far = append(far, r["pair_id"]+" "+r["partner_name_source"]+": "+strconv.FormatFloat(d, 'f', 1, 64)+" km")
			}
		}
	}
	if len(far)*100 > checks {
		t.Errorf("%d of %d checked matches are 10 km or more from the list's point: %v", len(far), checks, far)
	}
	t.Logf("%d sampled rows, %d points checked, %d at 10 km or more", n, checks, len(far))
}

// TestRealPairsMerged checks the merge of the three lists: every row of the
// first list is a partnership, every matched row of the others is one or
// is recorded as a source of the pair it duplicates, and no (authority,
// partner) pair occurs twice among the merged ones.
func TestRealPairsMerged(t *testing.T) {
	ds := generated(t)
	byID := map[string]atlas.Partnership{}
	for _, p := range ds.Partnerships {
		byID[p.ID] = p
	}
	for _, r := range readCSV(t, generate.SourceTwinnings) {
		if r["fr_code"] == "" {
			continue
		}
		p, ok := byID[r["pair_id"]]
		if !ok {
			t.Fatalf("%s: real pair lost", r["pair_id"])
		}
		if p.Provenance != atlas.Real || len(p.Sources) == 0 || p.Sources[0] != atlas.SourceWikipediaEN {
			t.Fatalf("%s: provenance %s, sources %v", p.ID, p.Provenance, p.Sources)
		}
	}
	seen := map[[2]string]string{}
	counts := map[string]int{}
	for _, p := range ds.Partnerships {
		if p.Provenance != atlas.Real {
			if len(p.Sources) > 0 {
				t.Fatalf("%s: synthetic with sources %v", p.ID, p.Sources)
			}
			continue
		}
		for _, s := range p.Sources {
			counts[s]++
		}
		k := [2]string{p.AuthorityID, p.PartnerID}
		if q, dup := seen[k]; dup && p.Sources[0] != atlas.SourceWikipediaEN {
			t.Errorf("%s duplicates %s (%s – %s)", p.ID, q, p.AuthorityID, p.PartnerID)
		}
		seen[k] = p.ID
	}
	for _, l := range []struct{ file, source string }{
		{generate.SourceWikidata, atlas.SourceWikidata}, {generate.SourceItWiki, atlas.SourceWikipediaIT},
	} {
		matched := 0
		for _, r := range readCSV(t, l.file) {
			if r["fr_code"] != "" {
				matched++
				if p, ok := byID[r["pair_id"]]; ok && !slices.Contains(p.Sources, l.source) {
					t.Errorf("%s: sources %v lack %s", p.ID, p.Sources, l.source)
				}
			}
		}
		// A list's rows that repeat a pair of the same list count once.
		if counts[l.source] > matched || counts[l.source] < matched*9/10 {
			t.Errorf("%s: %d pairs carry %s, from %d matched rows", l.file, counts[l.source], l.source, matched)
		}
	}
	t.Logf("real pairs by source: %v", counts)

	// No two real rows name the same partner of the same authority under
	// the same name within 5 km (apart from the first list's own repeats).
	partner := map[string]*atlas.Partner{}
	for i := range ds.Partners {
		partner[ds.Partners[i].ID] = &ds.Partners[i]
	}
	fold := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(norm.NFD.String(s)) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	byName := map[[3]string][]atlas.Partnership{}
	for _, p := range ds.Partnerships {
		if p.Provenance != atlas.Real {
			continue
		}
		pt := partner[p.PartnerID]
		k := [3]string{p.AuthorityID, pt.Country, fold(pt.Name)}
		for _, q := range byName[k] {
			if p.Sources[0] == atlas.SourceWikipediaEN && q.Sources[0] == atlas.SourceWikipediaEN {
				continue
			}
			if d := atlas.DistanceKm(pt.Point, partner[q.PartnerID].Point); d <= generate.DuplicateKm {
				t.Errorf("%s and %s: %s – %s twice, %.1f km apart", q.ID, p.ID, p.AuthorityID, pt.Name, d)
			}
		}
		byName[k] = append(byName[k], p)
	}
}

// TestJoinReportsFileAndLine: a bad raw row is an error naming its file and
// line, not a silent drop.
func TestJoinReportsFileAndLine(t *testing.T) {
	src := fstest.MapFS{}
	err := fs.WalkDir(geodata.Sources(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(geodata.Sources(), path)
		src[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	raw := string(src[generate.RawWikidata].Data)
	lines := strings.SplitAfter(raw, "\n")
	fields := strings.Split(lines[2], "\t")
	fields[2] = "north" // originlat of line 3
	lines[2] = strings.Join(fields, "\t")
	src[generate.RawWikidata] = &fstest.MapFile{Data: []byte(strings.Join(lines, ""))}
	_, _, err = generate.Join(src)
	if err == nil || !strings.Contains(err.Error(), generate.RawWikidata+":3:") {
		t.Fatalf("got %v, want an error naming %s:3", err, generate.RawWikidata)
	}
}

// TestProvenanceStatesTheFigures: geodata/PROVENANCE.md states the match
// and merge figures of the committed sources, as the join and the generator
// compute them.
func TestProvenanceStatesTheFigures(t *testing.T) {
	doc, err := os.ReadFile("../../../geodata/PROVENANCE.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	_, reports, err := generate.Join(geodata.Sources())
	if err != nil {
		t.Fatal(err)
	}
	thousands := func(n int) string {
		s := strconv.Itoa(n)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		return s
	}
	byList := map[string]generate.JoinReport{}
	for _, r := range reports {
		byList[r.List] = r
	}
	wd, it := byList[generate.SourceWikidata], byList[generate.SourceItWiki]
	sum := func(r generate.JoinReport, prefix string) int {
		n := 0
		for k, v := range r.ByMatch {
			if strings.HasPrefix(k, prefix) || strings.HasSuffix(k, prefix) {
				n += v
			}
		}
		return n
	}
	ds := generated(t)
	real := 0
	for _, p := range ds.Partnerships {
		if p.Provenance == atlas.Real {
			real++
		}
	}
	for _, want := range []string{
		"| raw rows | " + thousands(wd.Rows) + " | " + thousands(it.Rows) + " |",
		"| **matched** | **" + thousands(wd.Matched) + "** | **" + thousands(it.Matched) + "** |",
		"| French side `name_unique_point` | " + thousands(sum(wd, "name_unique_point/")) + " | " + thousands(sum(it, "name_unique_point/")) + " |",
		"| French side `point_town` | " + thousands(sum(wd, "point_town/")) + " | " + thousands(sum(it, "point_town/")) + " |",
		"(a GeoNames place) | " + thousands(sum(wd, "/name_country_point")) + " | " + thousands(sum(it, "/name_country_point")) + " |",
		"| dropped: French name unknown | " + thousands(wd.Dropped["dropped_french_name_unknown"]) + " | " + thousands(it.Dropped["dropped_french_name_unknown"]) + " |",
		"| **real partnerships** | | | **" + thousands(real) + "** |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("geodata/PROVENANCE.md does not say %q", want)
		}
	}
}
