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

// CSVHeader returns the CSV header of layer in lang: the layer's fields in
// index.Layers order (the GeoJSON property names in English; projects is a
// count, themes are |-joined), then the geometry columns: authority_lon,
// authority_lat, partner_lon, partner_lat for partnerships; lon, lat for
// authorities and partners; wkt (MULTIPOLYGON, EPSG:4326) for the boundary
// layers.
func CSVHeader(layer string, lang Lang) []string {
	cols := append(columns(layer), geometryColumns(layer)...)
	out := make([]string, len(cols))
	for i, c := range cols {
		if lang == French {
			out[i] = c.FR
		} else {
			out[i] = c.Name
		}
	}
	return out
}

// WriteCSV streams the features of layer that f selects as RFC 4180 CSV
// (UTF-8, comma-separated, CRLF line ends, a header line; see CSVHeader),
// one row per feature in load order. It returns the number of rows written.
func WriteCSV(ctx context.Context, w io.Writer, snap *index.Snapshot, layer string, f atlas.Filter, o Options) (int, error) {
	if err := checkLayer(layer); err != nil {
		return 0, err
	}
	ids, sel, err := snap.Items(layer, f)
	if err != nil {
		return 0, err
	}
	cols := columns(layer)
	s := newStream(w, o)
	if o.BOM {
		s.buf = append(s.buf, 0xEF, 0xBB, 0xBF)
	}
	for k, h := range CSVHeader(layer, o.Lang) {
		if k > 0 {
			s.buf = append(s.buf, ',')
		}
		s.buf = appendCSVField(s.buf, h)
	}
	s.buf = append(s.buf, '\r', '\n')
	err = encodeParallel(ctx, len(ids), s, nil, func(b []byte, k int) []byte {
		i := ids[k]
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
func appendCSVField(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	if !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[len(s)-1] != ' ' {
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
