package export_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/atlastest"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/paulmach/orb/geojson"
)

func filter(t testing.TB, snap *index.Snapshot, q string) atlas.Filter {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	f, err := atlas.ParseFilter(v, snap)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestGeoJSONMatchesFeatures checks that the export holds exactly the
// features /geojson lists, with the same properties, for every layer.
func TestGeoJSONMatchesFeatures(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for _, q := range []string{"country=DE", "country=JP&kind=cooperation", "theme=sante&since=2010", "bbox=-5,42,8,51&type=region"} {
		f := filter(t, snap, q)
		for _, l := range index.Layers() {
			var buf bytes.Buffer
			n, err := export.WriteGeoJSON(context.Background(), &buf, snap, l.ID, f, export.Options{})
			if err != nil {
				t.Fatalf("%s?%s: %v", l.ID, q, err)
			}
			var fc struct {
				Type          string             `json:"type"`
				NumberMatched int                `json:"numberMatched"`
				Features      []*geojson.Feature `json:"features"`
			}
			if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
				t.Fatalf("%s?%s: not JSON: %v", l.ID, q, err)
			}
			ids, sel, _ := snap.Items(l.ID, f)
			if fc.Type != "FeatureCollection" || len(fc.Features) != len(ids) || n != len(ids) || fc.NumberMatched != len(ids) {
				t.Fatalf("%s?%s: %d features (numberMatched %d, n %d), want %d", l.ID, q, len(fc.Features), fc.NumberMatched, n, len(ids))
			}
			for k, i := range ids {
				want := snap.Feature(l.ID, i, sel)
				// Round-trip the reference through JSON so that types compare.
				data, _ := json.Marshal(want)
				var ref geojson.Feature
				if err := json.Unmarshal(data, &ref); err != nil {
					t.Fatal(err)
				}
				got := fc.Features[k]
				if got.ID != ref.ID {
					t.Fatalf("%s?%s: feature %d id %v, want %v", l.ID, q, k, got.ID, ref.ID)
				}
				if !reflect.DeepEqual(got.Properties, ref.Properties) {
					t.Fatalf("%s?%s: feature %v properties\n got %v\nwant %v", l.ID, q, ref.ID, got.Properties, ref.Properties)
				}
				if !testkit.Close(got.Geometry, ref.Geometry, 1e-6) {
					t.Fatalf("%s?%s: feature %v geometry differs", l.ID, q, ref.ID)
				}
			}
		}
	}
}

func TestGeoJSONEscapes(t *testing.T) {
	// appendString must agree with encoding/json on awkward names.
	snap := atlastest.Snapshot(t)
	var buf bytes.Buffer
	if _, err := export.WriteGeoJSON(context.Background(), &buf, snap, index.LayerPartners, atlas.Filter{}, export.Options{}); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatal("invalid JSON")
	}
}

func TestFlushEarly(t *testing.T) {
	snap := atlastest.Snapshot(t)
	var buf bytes.Buffer
	var atFirstFlush int
	flushes := 0
	o := export.Options{FlushBytes: 64 << 10, Flush: func() error {
		if flushes == 0 {
			atFirstFlush = buf.Len()
		}
		flushes++
		return nil
	}}
	if _, err := export.WriteGeoJSON(context.Background(), &buf, snap, index.LayerPartnerships, atlas.Filter{}, o); err != nil {
		t.Fatal(err)
	}
	if atFirstFlush == 0 || atFirstFlush > 32<<10 {
		t.Errorf("first flush after %d bytes, want the first few features only", atFirstFlush)
	}
	if want := buf.Len() / (512 << 10); flushes < want {
		t.Errorf("%d flushes for %d bytes", flushes, buf.Len())
	}
}

func TestCSV(t *testing.T) {
	snap := atlastest.Snapshot(t)
	f := filter(t, snap, "country=JP")
	for _, l := range index.Layers() {
		for _, lang := range []export.Lang{export.English, export.French} {
			var buf bytes.Buffer
			n, err := export.WriteCSV(context.Background(), &buf, snap, l.ID, f, export.Options{Lang: lang, BOM: lang == export.French})
			if err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			if lang == export.French {
				if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
					t.Fatal("no BOM")
				}
				data = data[3:]
			}
			r := csv.NewReader(bytes.NewReader(data))
			if lang == export.French {
				r.Comma = ';'
			}
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", l.ID, err)
			}
			ids, sel, _ := snap.Items(l.ID, f)
			if len(rows) != len(ids)+1 || n != len(ids) {
				t.Fatalf("%s: %d rows, want %d + header", l.ID, len(rows), len(ids))
			}
			if !reflect.DeepEqual(rows[0], export.CSVHeader(l.ID, export.Options{Lang: lang})) {
				t.Fatalf("%s: header %v", l.ID, rows[0])
			}
			if lang == export.French {
				continue
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for k, i := range ids {
				props := snap.Properties(l.ID, i, sel)
				row := rows[k+1]
				for name, v := range props {
					want := ""
					switch v := v.(type) {
					case string:
						want = v
					case int:
						want = strconv.Itoa(v)
					case bool:
						want = strconv.FormatBool(v)
					case []string:
						want = strings.Join(v, "|")
					}
					if got := row[col[name]]; got != want {
						t.Fatalf("%s %v: %s = %q, want %q", l.ID, props["id"], name, got, want)
					}
				}
			}
		}
	}
}

// TestAPDColumn checks that Options.APD is the last attribute of the
// countries and authorities exports (CSV column before the geometry,
// GeoPackage INTEGER column) and that the other layers ignore it.
func TestAPDColumn(t *testing.T) {
	snap := atlastest.Snapshot(t)
	f := filter(t, snap, "country=JP")
	o := export.Options{APD: func(i int32) int64 { return 1000 + int64(i) }}
	dir := t.TempDir()
	for _, l := range index.Layers() {
		carries := l.ID == index.LayerCountries || l.ID == index.LayerAuthorities
		ids, _, _ := snap.Items(l.ID, f)
		for _, lang := range []export.Lang{export.English, export.French} {
			o.Lang = lang
			head := export.CSVHeader(l.ID, o)
			plain := export.CSVHeader(l.ID, export.Options{Lang: lang})
			if !carries {
				if !reflect.DeepEqual(head, plain) {
					t.Errorf("%s: header %v with APD, %v without", l.ID, head, plain)
				}
				continue
			}
			name := map[export.Lang]string{export.English: "apd_eur", export.French: "APD (€)"}[lang]
			at := len(head) - 3 // before lon, lat
			if l.ID == index.LayerCountries {
				at = len(head) - 2 // before wkt
			}
			if len(head) != len(plain)+1 || head[at] != name {
				t.Fatalf("%s %s: header %v, want %q before the geometry", l.ID, lang, head, name)
			}
			var buf bytes.Buffer
			if _, err := export.WriteCSV(context.Background(), &buf, snap, l.ID, f, o); err != nil {
				t.Fatal(err)
			}
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))))
			if lang == export.French {
				r.Comma = ';'
			}
			rows, err := r.ReadAll()
			if err != nil || len(rows) != len(ids)+1 {
				t.Fatalf("%s %s: %d rows, %v", l.ID, lang, len(rows), err)
			}
			for k, i := range ids {
				if got := rows[k+1][at]; got != strconv.FormatInt(1000+int64(i), 10) {
					t.Fatalf("%s %s row %d: %s = %q, want %d", l.ID, lang, k, name, got, 1000+i)
				}
			}
		}
		path := filepath.Join(dir, l.ID+".gpkg")
		if _, err := export.WriteGeoPackage(context.Background(), path, snap, l.ID, f, o); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		var typ string
		err = db.QueryRow(`SELECT type FROM pragma_table_info(?) WHERE name = 'apd_eur'`, l.ID).Scan(&typ)
		var sum, n int64
		if err == nil {
			db.QueryRow(`SELECT sum(apd_eur), count(*) FROM "`+l.ID+`"`).Scan(&sum, &n)
		}
		db.Close()
		var want int64
		for _, i := range ids {
			want += 1000 + int64(i)
		}
		switch {
		case !carries && err != sql.ErrNoRows:
			t.Errorf("%s.gpkg: apd_eur column %q (%v), want none", l.ID, typ, err)
		case carries && (typ != "INTEGER" || sum != want || n != int64(len(ids))):
			t.Errorf("%s.gpkg: apd_eur %q sums to %d over %d rows (%v), want INTEGER summing to %d over %d", l.ID, typ, sum, n, err, want, len(ids))
		}
	}
}

// The French CSV opens in a French spreadsheet: a BOM, ";" between
// fields, a decimal comma, labels rather than slugs, and the département
// and project titles of each partnership.
func TestFrenchCSV(t *testing.T) {
	snap := atlastest.Snapshot(t)
	var buf bytes.Buffer
	if _, err := export.WriteCSV(context.Background(), &buf, snap, index.LayerPartnerships, filter(t, snap, "country=JP&kind=cooperation"), export.Options{Lang: export.French}); err != nil {
		t.Fatal(err)
	}
	data, ok := bytes.CutPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatal("no BOM")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%d rows: %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"Identifiant", "Collectivité", "Type de collectivité", "Pays", "Nature", "Année de début", "Actif", "Provenance",
		"Thématiques", "Département de la collectivité", "Titres des projets", "Longitude collectivité", "Latitude partenaire"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("no column %q in %q", h, rows[0])
		}
	}
	ds := snap.Dataset()
	for _, row := range rows[1:] {
		i, err := snap.Lookup(index.LayerPartnerships, row[col["Identifiant"]])
		if err != nil {
			t.Fatal(err)
		}
		p := ds.Partnerships[i]
		a, _ := snap.PartnershipEnds(i)
		au := ds.Authorities[a]
		if row[col["Nature"]] != "Coopération décentralisée" || row[col["Type de collectivité"]] != au.Type.Label() ||
			row[col["Provenance"]] != p.Provenance.Label() || (row[col["Actif"]] != "oui") != !p.Active {
			t.Fatalf("labels: %q", row)
		}
		if au.Departement != "" && row[col["Département de la collectivité"]] != snap.DepartementName(au.Departement) {
			t.Errorf("département %q for %s", row[col["Département de la collectivité"]], au.Name)
		}
		var titles []string
		for _, pr := range snap.PartnershipProjects(i) {
			titles = append(titles, pr.Title)
		}
		if row[col["Titres des projets"]] != strings.Join(titles, " | ") {
			t.Errorf("titles %q, want %q", row[col["Titres des projets"]], titles)
		}
		lon := row[col["Longitude collectivité"]]
		if strings.Contains(lon, ".") || (strings.Contains(lon, ",") != (au.Point[0] != float64(int(au.Point[0])))) {
			t.Errorf("longitude %q of %v: want a decimal comma", lon, au.Point[0])
		}
		for _, th := range strings.Split(row[col["Thématiques"]], " | ") {
			if th != "" && atlas.ThemeIndex(th) >= 0 {
				t.Errorf("theme slug %q, want its label", th)
			}
		}
	}
}

func TestFilename(t *testing.T) {
	snap := atlastest.Snapshot(t)
	for q, want := range map[string]string{
		"":                         "atlas-partnerships-all.csv",
		"country=JP,DE":            "atlas-partnerships-country-DE+JP.csv",
		"kind=jumelage&since=2001": "atlas-partnerships-kind-jumelage_since-2001.csv",
	} {
		if got := export.Filename("partnerships", filter(t, snap, q), "csv"); got != want {
			t.Errorf("Filename(%q) = %q, want %q", q, got, want)
		}
	}
	long := export.Filename("partnerships", filter(t, snap, "country=DE,JP,BJ,SN,ML,BF,MA,TN,DZ,IT,ES,PT,GB,US,CA&theme=sante,tourisme"), "csv")
	if len(long) > 120 || !regexp.MustCompile(`^[A-Za-z0-9._+-]+$`).MatchString(long) {
		t.Errorf("long filename %q", long)
	}
}

func TestGeoPackage(t *testing.T) {
	snap := atlastest.Snapshot(t)
	dir := t.TempDir()
	for _, tc := range []struct{ layer, q string }{
		{"partnerships", "country=JP"},
		{"authorities", "country=DE"},
		{"partners", ""},
		{"countries", "kind=cooperation"},
		{"regions", ""},
		{"departements", "bbox=-2,43,4,47"},
	} {
		f := filter(t, snap, tc.q)
		path := filepath.Join(dir, tc.layer+".gpkg")
		n, err := export.WriteGeoPackage(context.Background(), path, snap, tc.layer, f, export.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.layer, err)
		}
		ids, _, _ := snap.Items(tc.layer, f)
		if n != len(ids) || n == 0 {
			t.Fatalf("%s: wrote %d, want %d", tc.layer, n, len(ids))
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		var rows, idx int
		var app int64
		db.QueryRow(`SELECT count(*) FROM "` + tc.layer + `"`).Scan(&rows)
		db.QueryRow(`SELECT count(*) FROM "rtree_` + tc.layer + `_geom"`).Scan(&idx)
		db.QueryRow(`PRAGMA application_id`).Scan(&app)
		db.Close()
		if rows != n || idx != n || app != 0x47504B47 {
			t.Fatalf("%s: %d rows, %d in the R-tree, application_id %x", tc.layer, rows, idx, app)
		}
		if _, err := exec.LookPath("ogrinfo"); err != nil && os.Getenv("ATLAS_REQUIRE_SERVICES") != "1" {
			continue
		}
		ogrinfo := testkit.RequireTool(t, "ogrinfo", "gdal-bin")
		out, err := exec.Command(ogrinfo, "-al", "-so", path).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", tc.layer, err, out)
		}
		s := string(out)
		if strings.Contains(s, "ERROR") || strings.Contains(s, "Warning") {
			t.Errorf("ogrinfo %s complains:\n%s", tc.layer, s)
		}
		for _, want := range []string{"Layer name: " + tc.layer, "Feature Count: " + strconv.Itoa(n), "EPSG\",4326", "FID Column = fid", "Geometry Column = geom"} {
			if !strings.Contains(s, want) {
				t.Errorf("ogrinfo %s: no %q in\n%s", tc.layer, want, s)
			}
		}
	}
	testkit.RequireTool(t, "ogrinfo", "gdal-bin")
}

func get(t testing.TB, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}
