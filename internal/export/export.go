// Package export writes the atlas layers as downloadable files: GeoJSON and
// CSV streamed feature by feature (memory stays flat whatever the size of the
// result, the first bytes leave before the last feature is read), a
// GeoPackage (OGC 12-128r17, GeoPackage 1.3, EPSG:4326, R-tree spatial index) built in a
// temporary SQLite file, and the whole vector tile pyramid as a PMTiles v3
// archive.
//
// Every writer exports exactly the features that /geojson/{layer} lists for
// the same filter, in the same (load) order, without paging.
package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Format is an export file format.
type Format string

// Export formats.
const (
	GeoJSON    Format = "geojson"
	CSV        Format = "csv"
	GeoPackage Format = "gpkg"
)

// ParseFormat returns the format named by a file extension.
func ParseFormat(ext string) (Format, error) {
	switch f := Format(ext); f {
	case GeoJSON, CSV, GeoPackage:
		return f, nil
	}
	return "", atlas.InvalidParam("format", ext, "allowed: geojson, csv, gpkg")
}

// ContentType returns the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case GeoJSON:
		return "application/geo+json"
	case CSV:
		return "text/csv; charset=utf-8"
	case GeoPackage:
		return "application/geopackage+sqlite3"
	}
	return "application/octet-stream"
}

// Lang selects the language of column headers (CSV) and field names
// (GeoPackage keeps the English names, which are also the GeoJSON ones).
type Lang string

// Languages.
const (
	English Lang = "en" // snake_case names, as the GeoJSON properties
	French  Lang = "fr"
)

// ParseLang parses the lang parameter ("" means English).
func ParseLang(s string) (Lang, error) {
	switch Lang(s) {
	case "", English:
		return English, nil
	case French:
		return French, nil
	}
	return "", atlas.InvalidParam("lang", s, "allowed: en, fr")
}

// Options tunes a streamed export.
type Options struct {
	// Lang of the CSV headers.
	Lang Lang
	// BOM starts a CSV with a UTF-8 byte order mark (a French CSV always
	// has one), so that spreadsheet
	// software that otherwise guesses a legacy code page (Excel on Windows)
	// reads accented names correctly.
	BOM bool
	// Flush, when set, is called after the first features are written and
	// then about every FlushBytes bytes, to push the response to the client.
	Flush func() error
	// FlushBytes is the flush period in bytes (default 256 KiB).
	FlushBytes int
	// SortBy, when set, orders the partnerships by that field of
	// index.SortKeys (Desc: descending), as the results table shows them;
	// otherwise rows come in load order.
	SortBy string
	Desc   bool
	// APD, when set, gives the apd_eur of feature i of the countries layer
	// (the APD the country received) or of the authorities layer (the APD
	// the collectivité gave), in euros, as /geojson/{layer} carries it: the
	// exports of those two layers then have an apd_eur property (GeoJSON)
	// or column after the layer's fields (CSV, GeoPackage INTEGER). The
	// other layers ignore it. It is called from several goroutines.
	APD func(i int32) int64
	// Offset and Limit, when Limit > 0, keep one page of that order: the
	// rows a page of /geojson/{layer}?limit=&offset= holds (a results
	// table's page). Limit 0 keeps everything from Offset on.
	Offset, Limit int
}

// apd returns o.APD when layer carries it, nil otherwise.
func (o Options) apd(layer string) func(i int32) int64 {
	if layer == index.LayerCountries || layer == index.LayerAuthorities {
		return o.APD
	}
	return nil
}

// apdColumn is the column of Options.APD.
var apdColumn = column{"apd_eur", "APD (€)", "integer"}

// columns returns the attribute columns of an export of layer: the layer's
// fields, then apd_eur when o gives it.
func (o Options) columns(layer string) []column {
	cols := columns(layer)
	if o.apd(layer) != nil {
		cols = append(cols, apdColumn)
	}
	return cols
}

// items returns the features of layer that f selects, in the order o asks.
func (o Options) items(ctx context.Context, snap *index.Snapshot, layer string, f atlas.Filter) ([]int32, *index.Selection, error) {
	ids, sel, err := snap.Items(layer, f)
	if err != nil {
		return nil, nil, err
	}
	if o.SortBy != "" {
		if layer != index.LayerPartnerships {
			return nil, nil, atlas.InvalidParam("sortby", o.SortBy, "only the partnerships layer sorts")
		}
		if ids, err = snap.SortPartnerships(ctx, ids, o.SortBy, o.Desc); err != nil {
			return nil, nil, err
		}
	}
	return o.page(ids), sel, nil
}

// page returns the window of ids that Offset and Limit keep.
func (o Options) page(ids []int32) []int32 {
	if o.Offset <= 0 && o.Limit <= 0 {
		return ids
	}
	lo := min(max(o.Offset, 0), len(ids))
	hi := len(ids)
	if o.Limit > 0 {
		hi = min(lo+o.Limit, len(ids))
	}
	return ids[lo:hi]
}

func (o Options) flushBytes() int {
	if o.FlushBytes > 0 {
		return o.FlushBytes
	}
	return 256 << 10
}

// Filename returns the download name of an export:
// atlas-<layer>-<filter>.<ext>, where <filter> is a slug of the canonical
// filter ("all" for the zero filter), shortened with a hash when long.
func Filename(layer string, f atlas.Filter, ext string) string {
	return "atlas-" + layer + "-" + FilterSlug(f) + "." + ext
}

// FilterSlug returns a file-name-safe slug of the canonical filter:
// "country-DE_kind-jumelage", "all" for the zero filter.
func FilterSlug(f atlas.Filter) string {
	enc := f.Encode()
	if enc == "" {
		return "all"
	}
	var b strings.Builder
	for _, kv := range strings.Split(enc, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(k)
		b.WriteByte('-')
		for _, r := range strings.NewReplacer("%2C", "+", "%2c", "+").Replace(v) {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '+':
				b.WriteRune(r)
			default:
				b.WriteByte('-')
			}
		}
	}
	s := b.String()
	if len(s) > 80 {
		h := sha256.Sum256([]byte(enc))
		s = s[:64] + "-" + hex.EncodeToString(h[:4])
	}
	return s
}

// column is one exported attribute.
type column struct {
	Name string // English snake_case, as the GeoJSON property
	FR   string // French header
	Type string // JSON Schema type: string, integer, boolean, number
}

// columns returns the attribute columns of layer, in the documented order
// (index.Layers order, projects as a count), without geometry.
func columns(layer string) []column {
	fr := map[string]string{
		"id": "Identifiant", "authority_id": "Code collectivité", "authority_name": "Collectivité",
		"authority_type": "Type de collectivité", "partner_id": "Identifiant partenaire", "partner_name": "Autorité partenaire",
		"country": "Code pays", "country_name": "Pays", "kind": "Nature", "start_year": "Année de début",
		"active": "Actif", "provenance": "Provenance", "sources": "Sources", "themes": "Thématiques", "projects": "Nombre de projets",
		"name": "Nom", "type": "Type", "code": "Code", "departement": "Département", "region": "Région",
		"population": "Population", "partnerships": "Partenariats", "subdivision": "Subdivision",
		"iso2": "Code ISO", "name_en": "Nom anglais",
	}
	l, err := index.LayerByID(layer)
	if err != nil {
		return nil
	}
	out := make([]column, 0, len(l.Fields))
	for _, f := range l.Fields {
		n := fr[f.Name]
		if n == "" {
			n = f.Name
		}
		out = append(out, column{Name: f.Name, FR: n, Type: f.Type})
	}
	return out
}

// geometryColumns returns the geometry columns of a CSV export of layer.
func geometryColumns(layer string) []column {
	switch layer {
	case index.LayerPartnerships:
		return []column{
			{"authority_lon", "Longitude collectivité", "number"}, {"authority_lat", "Latitude collectivité", "number"},
			{"partner_lon", "Longitude partenaire", "number"}, {"partner_lat", "Latitude partenaire", "number"},
		}
	case index.LayerAuthorities, index.LayerPartners:
		return []column{{"lon", "Longitude", "number"}, {"lat", "Latitude", "number"}}
	default:
		return []column{{"wkt", "Géométrie (WKT)", "string"}}
	}
}

// checkLayer returns an error wrapping atlas.ErrNotFound for an unknown layer.
func checkLayer(layer string) error {
	if _, err := index.LayerByID(layer); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
