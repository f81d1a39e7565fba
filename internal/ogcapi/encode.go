package ogcapi

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/paulmach/orb"
)

// AppendFeature appends feature i of layer as a GeoJSON Feature, the same
// document as json.Marshal(snap.Feature(layer, i, sel)) gives (properties in
// key order), with coordinates rounded to 1e-7 degree (1 cm), several times
// faster: items pages encode thousands of features per request.
func AppendFeature(b []byte, snap *index.Snapshot, layer string, i int32, sel *index.Selection) []byte {
	f := snap.Feature(layer, i, sel)
	b = append(b, `{"type":"Feature","id":`...)
	b = appendString(b, snap.FeatureID(layer, i))
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, f.Geometry)
	b = append(b, `,"properties":`...)
	b = appendValue(b, map[string]any(f.Properties))
	return append(b, '}')
}

func appendCoord(b []byte, x float64) []byte {
	return strconv.AppendFloat(b, math.Round(x*1e7)/1e7, 'f', -1, 64)
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendCoord(b, p[0])
	b = append(b, ',')
	b = appendCoord(b, p[1])
	return append(b, ']')
}

func appendPoints(b []byte, ps []orb.Point) []byte {
	b = append(b, '[')
	for k, p := range ps {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendPoint(b, p)
	}
	return append(b, ']')
}

func appendRings(b []byte, rs []orb.Ring) []byte {
	b = append(b, '[')
	for k, r := range rs {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendPoints(b, r)
	}
	return append(b, ']')
}

func appendGeometry(b []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b = appendPoint(b, g)
	case orb.LineString:
		b = append(b, `{"type":"LineString","coordinates":`...)
		b = appendPoints(b, g)
	case orb.MultiLineString:
		b = append(b, `{"type":"MultiLineString","coordinates":[`...)
		for k, l := range g {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendPoints(b, l)
		}
		b = append(b, ']')
	case orb.Polygon:
		b = append(b, `{"type":"Polygon","coordinates":`...)
		b = appendRings(b, g)
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for k, p := range g {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendRings(b, p)
		}
		b = append(b, ']')
	default:
		return append(b, "null"...)
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(b, v)
	case []string:
		b = append(b, '[')
		for k, s := range v {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']')
	case []index.ProjectJSON:
		b = append(b, '[')
		for k, p := range v {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendString(b, p.ID)
			b = append(b, `,"title":`...)
			b = appendString(b, p.Title)
			b = append(b, `,"themes":`...)
			b = appendValue(b, p.Themes)
			if p.StartYear != 0 {
				b = append(b, `,"start_year":`...)
				b = strconv.AppendInt(b, int64(p.StartYear), 10)
			}
			b = append(b, `,"provenance":`...)
			b = appendString(b, p.Provenance)
			b = append(b, '}')
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for n, k := range keys {
			if n > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendValue(b, v[k])
		}
		return append(b, '}')
	}
	data, _ := json.Marshal(v)
	return append(b, data...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string (invalid UTF-8 replaced).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				default:
					b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				}
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
