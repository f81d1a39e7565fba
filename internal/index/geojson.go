package index

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// GeoJSONDecimals is the number of decimals of coordinates in GeoJSON output
// (RFC 7946 §11.2: 6 decimals ≈ 10 cm).
const GeoJSONDecimals = 6

// AppendFeature appends feature i of layer under sel to dst as a GeoJSON
// Feature (RFC 7946) and returns the extended slice. It writes the same
// members as json.Marshal(s.Feature(layer, i, sel)), with coordinates rounded
// to GeoJSONDecimals, without reflection: it is the fast path for streaming
// large collections.
func (s *Snapshot) AppendFeature(dst []byte, layer string, i int32, sel *Selection) []byte {
	ds := s.ds
	dst = append(dst, `{"type":"Feature","id":`...)
	dst = appendString(dst, s.FeatureID(layer, i))
	dst = append(dst, `,"geometry":`...)
	dst = appendGeometry(dst, s.Geometry(layer, i))
	dst = append(dst, `,"properties":{`...)
	w := propWriter{dst: dst}
	switch layer {
	case LayerPartnerships:
		p := ds.Partnerships[i]
		a := ds.Authorities[s.pAuth[i]]
		pt := ds.Partners[s.pPartner[i]]
		w.str("id", p.ID)
		w.str("authority_id", a.ID)
		w.str("authority_name", a.Name)
		w.str("authority_type", string(a.Type))
		w.str("partner_id", pt.ID)
		w.str("partner_name", pt.Name)
		w.str("country", pt.Country)
		w.str("country_name", ds.Countries[s.pCountry[i]].NameFR)
		w.str("kind", string(p.Kind))
		w.bool("active", p.Active)
		w.str("provenance", string(p.Provenance))
		w.key("themes")
		w.dst = append(w.dst, '[')
		n := 0
		for t, th := range themeBits {
			if s.pThemes[i]&(1<<t) != 0 {
				if n > 0 {
					w.dst = append(w.dst, ',')
				}
				w.dst = appendString(w.dst, th.Slug)
				n++
			}
		}
		w.dst = append(w.dst, ']')
		w.key("projects")
		w.dst = append(w.dst, '[')
		for k, pr := range s.pProjects[i] {
			if k > 0 {
				w.dst = append(w.dst, ',')
			}
			w.dst = appendProject(w.dst, ds.Projects[pr].ID, ds.Projects[pr].Title, ds.Projects[pr].Themes, ds.Projects[pr].StartYear, string(ds.Projects[pr].Provenance))
		}
		w.dst = append(w.dst, ']')
		if p.StartYear != 0 {
			w.int("start_year", p.StartYear)
		}
	case LayerAuthorities:
		a := ds.Authorities[i]
		w.str("id", a.ID)
		w.str("name", a.Name)
		w.str("type", string(a.Type))
		w.str("code", a.Code)
		w.str("departement", a.Departement)
		w.str("region", a.Region)
		w.int("partnerships", sel.AuthorityCount(i))
		if a.Population != 0 {
			w.int("population", a.Population)
		}
	case LayerPartners:
		p := ds.Partners[i]
		w.str("id", p.ID)
		w.str("name", p.Name)
		w.str("country", p.Country)
		w.str("country_name", ds.Countries[s.countryByID[p.Country]].NameFR)
		w.int("partnerships", sel.PartnerCount(i))
		if p.Subdivision != "" {
			w.str("subdivision", p.Subdivision)
		}
		if p.Population != 0 {
			w.int("population", p.Population)
		}
	default:
		// Boundary layers are few and small: reuse Properties.
		for _, k := range boundaryKeys(layer) {
			switch v := s.Properties(layer, i, sel)[k].(type) {
			case string:
				w.str(k, v)
			case int:
				w.int(k, v)
			}
		}
	}
	return append(w.dst, "}}"...)
}

func boundaryKeys(layer string) []string {
	if layer == LayerCountries {
		return []string{"iso2", "name", "name_en", "partnerships", "projects"}
	}
	return []string{"code", "name", "partnerships", "projects"}
}

type propWriter struct {
	dst []byte
	n   int
}

func (w *propWriter) key(k string) {
	if w.n > 0 {
		w.dst = append(w.dst, ',')
	}
	w.n++
	w.dst = appendString(w.dst, k)
	w.dst = append(w.dst, ':')
}

func (w *propWriter) str(k, v string) { w.key(k); w.dst = appendString(w.dst, v) }
func (w *propWriter) int(k string, v int) {
	w.key(k)
	w.dst = strconv.AppendInt(w.dst, int64(v), 10)
}
func (w *propWriter) bool(k string, v bool) { w.key(k); w.dst = strconv.AppendBool(w.dst, v) }

func appendProject(dst []byte, id, title string, themes []string, year int, prov string) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, id)
	dst = append(dst, `,"title":`...)
	dst = appendString(dst, title)
	dst = append(dst, `,"themes":[`...)
	for k, t := range themes {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, t)
	}
	dst = append(dst, ']')
	if year != 0 {
		dst = append(dst, `,"start_year":`...)
		dst = strconv.AppendInt(dst, int64(year), 10)
	}
	dst = append(dst, `,"provenance":`...)
	dst = appendString(dst, prov)
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string (UTF-8 kept, control characters,
// quotes and backslashes escaped; invalid UTF-8 replaced by U+FFFD).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendCoord(dst []byte, p orb.Point) []byte {
	dst = append(dst, '[')
	dst = appendFloat(dst, p[0])
	dst = append(dst, ',')
	dst = appendFloat(dst, p[1])
	return append(dst, ']')
}

var roundScale = math.Pow10(GeoJSONDecimals)

// appendFloat appends x rounded to GeoJSONDecimals, without trailing zeros,
// formatting the scaled integer directly (several times faster than
// strconv's shortest-representation search).
func appendFloat(dst []byte, x float64) []byte {
	if math.IsNaN(x) || math.Abs(x) > 1e12 {
		return strconv.AppendFloat(dst, x, 'f', -1, 64)
	}
	n := int64(math.Round(x * roundScale))
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	const unit = 1_000_000 // 10^GeoJSONDecimals
	dst = strconv.AppendInt(dst, n/unit, 10)
	frac := n % unit
	if frac == 0 {
		return dst
	}
	var digits [GeoJSONDecimals]byte
	for k := GeoJSONDecimals - 1; k >= 0; k-- {
		digits[k] = byte('0' + frac%10)
		frac /= 10
	}
	end := GeoJSONDecimals
	for end > 0 && digits[end-1] == '0' {
		end--
	}
	dst = append(dst, '.')
	return append(dst, digits[:end]...)
}

func appendPoints(dst []byte, pts []orb.Point) []byte {
	dst = append(dst, '[')
	for k, p := range pts {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendCoord(dst, p)
	}
	return append(dst, ']')
}

func appendPolygon(dst []byte, p orb.Polygon) []byte {
	dst = append(dst, '[')
	for k, r := range p {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendPoints(dst, r)
	}
	return append(dst, ']')
}

// appendGeometry appends a GeoJSON geometry object.
func appendGeometry(dst []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		dst = append(dst, `{"type":"Point","coordinates":`...)
		dst = appendCoord(dst, g)
	case orb.LineString:
		dst = append(dst, `{"type":"LineString","coordinates":`...)
		dst = appendPoints(dst, g)
	case orb.MultiLineString:
		dst = append(dst, `{"type":"MultiLineString","coordinates":[`...)
		for k, l := range g {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = appendPoints(dst, l)
		}
		dst = append(dst, ']')
	case orb.Polygon:
		dst = append(dst, `{"type":"Polygon","coordinates":`...)
		dst = appendPolygon(dst, g)
	case orb.MultiPolygon:
		dst = append(dst, `{"type":"MultiPolygon","coordinates":[`...)
		for k, p := range g {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = appendPolygon(dst, p)
		}
		dst = append(dst, ']')
	default:
		return append(dst, "null"...)
	}
	return append(dst, '}')
}

// AppendJSONString appends s as a JSON string literal to dst.
func AppendJSONString(dst []byte, s string) []byte { return appendString(dst, s) }

// AppendCoordinate appends a coordinate as GeoJSON writes it (rounded to
// GeoJSONDecimals).
func AppendCoordinate(dst []byte, x float64) []byte { return appendFloat(dst, x) }
