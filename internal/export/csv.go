package export

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/encoding/geojson"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// CSVHeader returns the CSV header of an export of layer in o.Lang: the
// layer's fields in index.Layers order (the GeoJSON property names in
// English; projects is a count, themes are |-joined), apd_eur when o.APD
// gives it (countries and authorities), then the geometry columns:
// authority_lon, authority_lat, partner_lon, partner_lat for partnerships;
// lon, lat for authorities and partners; wkt (MULTIPOLYGON, EPSG:4326) for
// the boundary layers. In French the names are labels ("Type de
// collectivité", "APD (€)"), and the partnerships have two more columns
// before the geometry: the French authority's département and the titles
// of the projects.
func CSVHeader(layer string, o Options) []string {
	cols := o.columns(layer)
	if o.Lang == French && layer == index.LayerPartnerships {
		cols = append(cols, frenchExtra...)
	}
	cols = append(cols, geometryColumns(layer)...)
	out := make([]string, len(cols))
	for i, c := range cols {
		if o.Lang == French {
			out[i] = c.FR
		} else {
			out[i] = c.Name
		}
	}
	return out
}

// frenchExtra are the columns the French CSV of partnerships adds.
var frenchExtra = []column{{"departement", "Département de la collectivité", "string"}, {"project_titles", "Titres des projets", "string"}}

// WriteCSV streams the features of layer that f selects as RFC 4180 CSV
// (UTF-8, comma-separated, CRLF line ends, a header line; see CSVHeader),
// one row per feature in load order. It returns the number of rows written.
func WriteCSV(ctx context.Context, w io.Writer, snap *index.Snapshot, layer string, f atlas.Filter, o Options) (int, error) {
	if err := checkLayer(layer); err != nil {
		return 0, err
	}
	ids, sel, err := o.items(ctx, snap, layer, f)
	if err != nil {
		return 0, err
	}
	cols := columns(layer)
	apd := o.apd(layer)
	s := newStream(w, o)
	fr := o.Lang == French
	if o.BOM || fr {
		s.buf = append(s.buf, 0xEF, 0xBB, 0xBF)
	}
	sep := byte(',')
	if fr {
		sep = ';'
	}
	for k, h := range CSVHeader(layer, o) {
		if k > 0 {
			s.buf = append(s.buf, sep)
		}
		s.buf = appendCSVFieldSep(s.buf, h, sep)
	}
	s.buf = append(s.buf, '\r', '\n')
	err = encodeParallel(ctx, len(ids), s, nil, func(b []byte, k int) []byte {
		i := ids[k]
		if fr {
			return append(appendFrenchRow(b, snap, layer, cols, apd, i, sel), '\r', '\n')
		}
		if layer == index.LayerPartnerships {
			b = appendPartnershipRow(b, snap, i)
		} else {
			props := snap.Properties(layer, i, sel)
			for n, c := range cols {
				if n > 0 {
					b = append(b, ',')
				}
				b = appendCSVValue(b, props[c.Name])
			}
			if apd != nil {
				b = strconv.AppendInt(append(b, ','), apd(i), 10)
			}
			switch layer {
			case index.LayerAuthorities, index.LayerPartners:
				p := snap.Point(layer, i)
				b = append(b, ',')
				b = geojson.AppendFloat(b, p[0])
				b = append(b, ',')
				b = geojson.AppendFloat(b, p[1])
			default:
				b = append(b, ',', '"')
				b = appendWKT(b, snap.Geometry(layer, i))
				b = append(b, '"')
			}
		}
		return append(b, '\r', '\n')
	})
	if err != nil {
		return 0, err
	}
	return len(ids), s.maybeWrite(true)
}

func appendPartnershipRow(b []byte, snap *index.Snapshot, i int32) []byte {
	v := partnershipOf(snap, i)
	for _, s := range []string{v.p.ID, v.a.ID, v.a.Name, string(v.a.Type), v.pt.ID, v.pt.Name, v.pt.Country, v.country, string(v.p.Kind)} {
		b = appendCSVField(b, s)
		b = append(b, ',')
	}
	if v.p.StartYear != 0 {
		b = strconv.AppendInt(b, int64(v.p.StartYear), 10)
	}
	b = append(b, ',')
	b = strconv.AppendBool(b, v.p.Active)
	b = append(b, ',')
	b = appendCSVField(b, string(v.p.Provenance))
	b = append(b, ',')
	b = appendCSVField(b, strings.Join(v.p.Sources, "|"))
	b = append(b, ',')
	b = appendCSVField(b, strings.Join(v.themes, "|"))
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(len(v.projects)), 10)
	for _, x := range []float64{v.a.Point[0], v.a.Point[1], v.pt.Point[0], v.pt.Point[1]} {
		b = append(b, ',')
		b = geojson.AppendFloat(b, x)
	}
	return b
}

// appendCSVField appends s, quoted when it holds a comma, a quote, a line
// break or leading/trailing spaces.
func appendCSVField(b []byte, s string) []byte { return appendCSVFieldSep(b, s, ',') }

// appendCSVFieldSep is appendCSVField for the separator sep.
func appendCSVFieldSep(b []byte, s string, sep byte) []byte {
	if s == "" {
		return b
	}
	if !strings.ContainsAny(s, "\"\r\n") && strings.IndexByte(s, sep) < 0 && s[0] != ' ' && s[len(s)-1] != ' ' {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func appendCSVValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return b
	case string:
		return appendCSVField(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case bool:
		return strconv.AppendBool(b, v)
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case []string:
		return appendCSVField(b, strings.Join(v, "|"))
	case []index.ProjectJSON:
		return strconv.AppendInt(b, int64(len(v)), 10)
	}
	return b
}

// appendWKT appends g as WKT, polygons as MULTIPOLYGON.
func appendWKT(b []byte, g orb.Geometry) []byte {
	ring := func(b []byte, r []orb.Point) []byte {
		b = append(b, '(')
		for i, p := range r {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = geojson.AppendFloat(b, p[0])
			b = append(b, ' ')
			b = geojson.AppendFloat(b, p[1])
		}
		return append(b, ')')
	}
	poly := func(b []byte, p orb.Polygon) []byte {
		b = append(b, '(')
		for i, r := range p {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = ring(b, r)
		}
		return append(b, ')')
	}
	switch g := g.(type) {
	case orb.Point:
		b = append(b, "POINT ("...)
		b = geojson.AppendFloat(b, g[0])
		b = append(b, ' ')
		b = geojson.AppendFloat(b, g[1])
		return append(b, ')')
	case orb.LineString:
		b = append(b, "MULTILINESTRING ("...)
		b = ring(b, g)
		return append(b, ')')
	case orb.MultiLineString:
		b = append(b, "MULTILINESTRING ("...)
		for i, l := range g {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = ring(b, l)
		}
		return append(b, ')')
	case orb.Polygon:
		b = append(b, "MULTIPOLYGON ("...)
		b = poly(b, g)
		return append(b, ')')
	case orb.MultiPolygon:
		b = append(b, "MULTIPOLYGON ("...)
		for i, p := range g {
			if i > 0 {
				b = append(b, ',', ' ')
			}
			b = poly(b, p)
		}
		return append(b, ')')
	}
	return append(b, "GEOMETRYCOLLECTION EMPTY"...)
}

// The French CSV is the spreadsheet's: ";" between fields, a decimal
// comma, labels instead of slugs (types, kinds, provenances, themes,
// sources; oui/non), themes and titles joined by " | ", and for the
// partnerships the département and the project titles (see CSVHeader).

// appendFrenchRow appends the French row of feature i of layer (with its
// APD when apd is not nil).
func appendFrenchRow(b []byte, snap *index.Snapshot, layer string, cols []column, apd func(int32) int64, i int32, sel *index.Selection) []byte {
	if layer == index.LayerPartnerships {
		v := partnershipOf(snap, i)
		themes := make([]string, len(v.themes))
		for k, t := range v.themes {
			th, _ := atlas.ThemeBySlug(t)
			themes[k] = th.LabelFR
		}
		sources := make([]string, len(v.p.Sources))
		for k, src := range v.p.Sources {
			sources[k] = atlas.SourceLabel(src)
		}
		titles := make([]string, len(v.projects))
		for k, pr := range v.projects {
			titles[k] = pr.Title
		}
		year := ""
		if v.p.StartYear != 0 {
			year = strconv.Itoa(v.p.StartYear)
		}
		dep := ""
		if v.a.Departement != "" {
			dep = snap.DepartementName(v.a.Departement)
		}
		for _, f := range []string{v.p.ID, v.a.ID, v.a.Name, v.a.Type.Label(), v.pt.ID, v.pt.Name, v.pt.Country, v.country, v.p.Kind.Label(),
			year, ouiNon(v.p.Active), v.p.Provenance.Label(), strings.Join(sources, " | "), strings.Join(themes, " | "),
			strconv.Itoa(len(v.projects)), dep, strings.Join(titles, " | ")} {
			b = appendCSVFieldSep(b, f, ';')
			b = append(b, ';')
		}
		for k, x := range []float64{v.a.Point[0], v.a.Point[1], v.pt.Point[0], v.pt.Point[1]} {
			if k > 0 {
				b = append(b, ';')
			}
			b = appendDecimalComma(b, x)
		}
		return b
	}
	props := snap.Properties(layer, i, sel)
	for n, c := range cols {
		if n > 0 {
			b = append(b, ';')
		}
		switch v := props[c.Name].(type) {
		case string:
			if c.Name == "type" {
				v = atlas.AuthorityType(v).Label()
			}
			b = appendCSVFieldSep(b, v, ';')
		case bool:
			b = append(b, ouiNon(v)...)
		case float64:
			b = appendDecimalComma(b, v)
		default:
			b = appendCSVValue(b, v)
		}
	}
	if apd != nil {
		b = strconv.AppendInt(append(b, ';'), apd(i), 10)
	}
	switch layer {
	case index.LayerAuthorities, index.LayerPartners:
		p := snap.Point(layer, i)
		b = append(b, ';')
		b = appendDecimalComma(b, p[0])
		b = append(b, ';')
		b = appendDecimalComma(b, p[1])
	default:
		b = append(b, ';', '"')
		b = appendWKT(b, snap.Geometry(layer, i))
		b = append(b, '"')
	}
	return b
}

func ouiNon(v bool) string {
	if v {
		return "oui"
	}
	return "non"
}

// appendDecimalComma appends x as geojson.AppendFloat does, with a comma
// for the decimal point.
func appendDecimalComma(b []byte, x float64) []byte {
	n := len(b)
	b = geojson.AppendFloat(b, x)
	for k := n; k < len(b); k++ {
		if b[k] == '.' {
			b[k] = ','
		}
	}
	return b
}
