// Package geojson owns the GeoJSON wire format's primitives (RFC 7946): JSON
// strings, coordinates rounded to Decimals and geometries, appended to a byte
// slice without reflection. The index writes its features with them, the
// exports their collections, the geodata build its boundaries; what a
// feature's properties are is the index's, not this package's.
package geojson

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Decimals is the number of decimals of coordinates (RFC 7946 §11.2: 6
// decimals ≈ 10 cm).
const Decimals = 6

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string (UTF-8 kept, control characters,
// quotes and backslashes escaped; invalid UTF-8 replaced by U+FFFD).
func AppendString(dst []byte, s string) []byte {
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

// AppendPoint appends p as a GeoJSON position, [x,y].
func AppendPoint(dst []byte, p orb.Point) []byte {
	dst = append(dst, '[')
	dst = AppendFloat(dst, p[0])
	dst = append(dst, ',')
	dst = AppendFloat(dst, p[1])
	return append(dst, ']')
}

var roundScale = math.Pow10(Decimals)

// AppendFloat appends x rounded to Decimals, without trailing zeros,
// formatting the scaled integer directly (several times faster than
// strconv's shortest-representation search).
func AppendFloat(dst []byte, x float64) []byte {
	if math.IsNaN(x) || math.Abs(x) > 1e12 {
		return strconv.AppendFloat(dst, x, 'f', -1, 64)
	}
	n := int64(math.Round(x * roundScale))
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	const unit = 1_000_000 // 10^Decimals
	dst = strconv.AppendInt(dst, n/unit, 10)
	frac := n % unit
	if frac == 0 {
		return dst
	}
	var digits [Decimals]byte
	for k := Decimals - 1; k >= 0; k-- {
		digits[k] = byte('0' + frac%10)
		frac /= 10
	}
	end := Decimals
	for end > 0 && digits[end-1] == '0' {
		end--
	}
	dst = append(dst, '.')
	return append(dst, digits[:end]...)
}

// AppendPoints appends a line string's or a ring's positions.
func AppendPoints(dst []byte, pts []orb.Point) []byte {
	dst = append(dst, '[')
	for k, p := range pts {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = AppendPoint(dst, p)
	}
	return append(dst, ']')
}

// AppendPolygon appends a polygon's rings.
func AppendPolygon(dst []byte, p orb.Polygon) []byte {
	dst = append(dst, '[')
	for k, r := range p {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = AppendPoints(dst, r)
	}
	return append(dst, ']')
}

// AppendGeometry appends g as a GeoJSON geometry object: Point,
// LineString, MultiLineString, Polygon or MultiPolygon; null for any other.
func AppendGeometry(dst []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		dst = append(dst, `{"type":"Point","coordinates":`...)
		dst = AppendPoint(dst, g)
	case orb.LineString:
		dst = append(dst, `{"type":"LineString","coordinates":`...)
		dst = AppendPoints(dst, g)
	case orb.MultiLineString:
		dst = append(dst, `{"type":"MultiLineString","coordinates":[`...)
		for k, l := range g {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = AppendPoints(dst, l)
		}
		dst = append(dst, ']')
	case orb.Polygon:
		dst = append(dst, `{"type":"Polygon","coordinates":`...)
		dst = AppendPolygon(dst, g)
	case orb.MultiPolygon:
		dst = append(dst, `{"type":"MultiPolygon","coordinates":[`...)
		for k, p := range g {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = AppendPolygon(dst, p)
		}
		dst = append(dst, ']')
	default:
		return append(dst, "null"...)
	}
	return append(dst, '}')
}
