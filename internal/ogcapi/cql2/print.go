package cql2

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

func checkDate(s string) error {
	if _, err := time.Parse("2006-01-02", s); err != nil || len(s) != 10 {
		return fmt.Errorf("invalid date %q: expected YYYY-MM-DD", s)
	}
	return nil
}

func checkTimestamp(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") || t.Year() < 0 {
		return fmt.Errorf("invalid timestamp %q: expected YYYY-MM-DDThh:mm:ss[.fff]Z (UTC)", s)
	}
	return nil
}

// Text prints n in canonical cql2-text: every compound expression in
// parentheses, keywords in upper case, properties quoted when needed.
func Text(n Node) string {
	var b strings.Builder
	printText(&b, n)
	return b.String()
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func plainIdent(s string) bool {
	if s == "" || reserved[strings.ToUpper(s)] {
		return false
	}
	for i, r := range s {
		if i == 0 && !isIdentStart(r) || i > 0 && !isIdentPart(r) {
			return false
		}
	}
	return true
}

func printText(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *Logic:
		b.WriteByte('(')
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(" " + strings.ToUpper(n.Op) + " ")
			}
			printText(b, a)
		}
		b.WriteByte(')')
	case *Not:
		b.WriteString("NOT (")
		printText(b, n.Arg)
		b.WriteByte(')')
	case *Compare:
		b.WriteByte('(')
		printText(b, n.Left)
		b.WriteString(" " + n.Op + " ")
		printText(b, n.Right)
		b.WriteByte(')')
	case *Like:
		b.WriteByte('(')
		printText(b, n.Value)
		b.WriteString(" LIKE ")
		printText(b, n.Pattern)
		b.WriteByte(')')
	case *Between:
		b.WriteByte('(')
		printText(b, n.Value)
		b.WriteString(" BETWEEN ")
		printText(b, n.Low)
		b.WriteString(" AND ")
		printText(b, n.High)
		b.WriteByte(')')
	case *In:
		b.WriteByte('(')
		printText(b, n.Value)
		b.WriteString(" IN (")
		for i, a := range n.List {
			if i > 0 {
				b.WriteString(", ")
			}
			printText(b, a)
		}
		b.WriteString("))")
	case *IsNull:
		b.WriteByte('(')
		printText(b, n.Arg)
		b.WriteString(" IS NULL)")
	case *Func:
		if isStandardFunc(n.Name) {
			b.WriteString(strings.ToUpper(n.Name))
		} else {
			b.WriteString(n.Name)
		}
		b.WriteByte('(')
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			printText(b, a)
		}
		b.WriteByte(')')
	case *Property:
		if plainIdent(n.Name) {
			b.WriteString(n.Name)
		} else {
			b.WriteString(`"` + n.Name + `"`)
		}
	case *String:
		b.WriteString(quoteString(n.V))
	case *Number:
		b.WriteString(num(n.V))
	case *Bool:
		if n.V {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case *Date:
		b.WriteString("DATE(" + quoteString(n.V) + ")")
	case *Timestamp:
		b.WriteString("TIMESTAMP(" + quoteString(n.V) + ")")
	case *Interval:
		b.WriteString("INTERVAL(")
		printBound(b, n.Start)
		b.WriteString(", ")
		printBound(b, n.End)
		b.WriteByte(')')
	case *Array:
		b.WriteByte('(')
		for i, a := range n.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			printText(b, a)
		}
		b.WriteByte(')')
	case *Geometry:
		printWKT(b, n.G)
	case *BBox:
		b.WriteString("BBOX(")
		for i, c := range n.Coords {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(num(c))
		}
		b.WriteByte(')')
	}
}

func printBound(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *Date:
		b.WriteString(quoteString(n.V))
	case *Timestamp:
		b.WriteString(quoteString(n.V))
	default:
		printText(b, n)
	}
}

func printWKT(b *strings.Builder, g orb.Geometry) {
	pt := func(p orb.Point) { b.WriteString(num(p[0]) + " " + num(p[1])) }
	pts := func(ps []orb.Point) {
		b.WriteByte('(')
		for i, p := range ps {
			if i > 0 {
				b.WriteString(", ")
			}
			pt(p)
		}
		b.WriteByte(')')
	}
	poly := func(p orb.Polygon) {
		b.WriteByte('(')
		for i, r := range p {
			if i > 0 {
				b.WriteString(", ")
			}
			pts(r)
		}
		b.WriteByte(')')
	}
	switch g := g.(type) {
	case orb.Point:
		b.WriteString("POINT(")
		pt(g)
		b.WriteByte(')')
	case orb.MultiPoint:
		b.WriteString("MULTIPOINT(")
		for i, p := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			pt(p)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case orb.LineString:
		b.WriteString("LINESTRING")
		pts(g)
	case orb.MultiLineString:
		b.WriteString("MULTILINESTRING(")
		for i, l := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			pts(l)
		}
		b.WriteByte(')')
	case orb.Polygon:
		b.WriteString("POLYGON")
		poly(g)
	case orb.MultiPolygon:
		b.WriteString("MULTIPOLYGON(")
		for i, p := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			poly(p)
		}
		b.WriteByte(')')
	case orb.Collection:
		b.WriteString("GEOMETRYCOLLECTION(")
		for i, sub := range g {
			if i > 0 {
				b.WriteString(", ")
			}
			printWKT(b, sub)
		}
		b.WriteByte(')')
	}
}

// JSON returns n in cql2-json.
func JSON(n Node) []byte {
	data, _ := json.Marshal(toJSON(n))
	return data
}

type opJSON struct {
	Op   string `json:"op"`
	Args []any  `json:"args"`
}

func toJSON(n Node) any {
	args := func(ns ...Node) []any {
		out := make([]any, len(ns))
		for i, a := range ns {
			out[i] = toJSON(a)
		}
		return out
	}
	switch n := n.(type) {
	case *Logic:
		return opJSON{n.Op, args(n.Args...)}
	case *Not:
		return opJSON{"not", args(n.Arg)}
	case *Compare:
		return opJSON{n.Op, args(n.Left, n.Right)}
	case *Like:
		return opJSON{"like", args(n.Value, n.Pattern)}
	case *Between:
		return opJSON{"between", args(n.Value, n.Low, n.High)}
	case *In:
		return opJSON{"in", []any{toJSON(n.Value), args(n.List...)}}
	case *IsNull:
		return opJSON{"isNull", args(n.Arg)}
	case *Func:
		return opJSON{n.Name, args(n.Args...)}
	case *Property:
		return map[string]string{"property": n.Name}
	case *String:
		return n.V
	case *Number:
		return json.Number(num(n.V))
	case *Bool:
		return n.V
	case *Date:
		return map[string]string{"date": n.V}
	case *Timestamp:
		return map[string]string{"timestamp": n.V}
	case *Interval:
		bound := func(b Node) any {
			switch b := b.(type) {
			case *Date:
				return b.V
			case *Timestamp:
				return b.V
			}
			return toJSON(b)
		}
		return map[string]any{"interval": []any{bound(n.Start), bound(n.End)}}
	case *Array:
		return args(n.Items...)
	case *Geometry:
		return geoJSON(n.G)
	case *BBox:
		return map[string]any{"bbox": n.Coords}
	}
	return nil
}

func geoJSON(g orb.Geometry) any {
	coords := func(ps []orb.Point) [][2]float64 {
		out := make([][2]float64, len(ps))
		for i, p := range ps {
			out[i] = p
		}
		return out
	}
	poly := func(p orb.Polygon) [][][2]float64 {
		out := make([][][2]float64, len(p))
		for i, r := range p {
			out[i] = coords(r)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return map[string]any{"type": "Point", "coordinates": [2]float64(g)}
	case orb.MultiPoint:
		return map[string]any{"type": "MultiPoint", "coordinates": coords(g)}
	case orb.LineString:
		return map[string]any{"type": "LineString", "coordinates": coords(g)}
	case orb.MultiLineString:
		out := make([][][2]float64, len(g))
		for i, l := range g {
			out[i] = coords(l)
		}
		return map[string]any{"type": "MultiLineString", "coordinates": out}
	case orb.Polygon:
		return map[string]any{"type": "Polygon", "coordinates": poly(g)}
	case orb.MultiPolygon:
		out := make([][][][2]float64, len(g))
		for i, p := range g {
			out[i] = poly(p)
		}
		return map[string]any{"type": "MultiPolygon", "coordinates": out}
	case orb.Collection:
		out := make([]any, len(g))
		for i, s := range g {
			out[i] = geoJSON(s)
		}
		return map[string]any{"type": "GeometryCollection", "geometries": out}
	}
	return nil
}
