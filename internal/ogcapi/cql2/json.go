package cql2

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// jv is a JSON value with the byte offset (1-based) where it starts.
type jv struct {
	pos  Pos
	kind byte // 's' string, 'n' number, 'b' bool, 'z' null, 'a' array, 'o' object
	s    string
	b    bool
	arr  []jv
	keys []string
	vals []jv
}

func (v jv) get(key string) (jv, bool) {
	for i, k := range v.keys {
		if k == key {
			return v.vals[i], true
		}
	}
	return jv{}, false
}

type jsonReader struct {
	dec   *json.Decoder
	src   []byte
	depth int
}

// ParseJSON parses a cql2-json filter.
func ParseJSON(src []byte) (Node, error) {
	if len(src) > MaxLength {
		return nil, Errorf(0, "filter longer than %d bytes", MaxLength)
	}
	r := &jsonReader{dec: json.NewDecoder(bytes.NewReader(src)), src: src}
	r.dec.UseNumber()
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, Errorf(Pos(r.dec.InputOffset()+1), "unexpected data after the filter")
	}
	return r.toNode(v, 0, true)
}

// valueStart returns the offset of the next value (skipping spaces, commas
// and colons already consumed by the decoder).
func (r *jsonReader) valueStart() Pos {
	off := int(r.dec.InputOffset())
	for off < len(r.src) {
		switch r.src[off] {
		case ' ', '\t', '\n', '\r', ',', ':':
			off++
			continue
		}
		break
	}
	return Pos(off + 1)
}

func (r *jsonReader) value() (jv, error) {
	pos := r.valueStart()
	tok, err := r.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return jv{}, Errorf(Pos(se.Offset), "invalid JSON: %v", se)
		}
		if err == io.EOF {
			return jv{}, Errorf(pos, "unexpected end of JSON")
		}
		return jv{}, Errorf(pos, "invalid JSON: %v", err)
	}
	return r.fromToken(tok, pos)
}

func (r *jsonReader) fromToken(tok json.Token, pos Pos) (jv, error) {
	switch t := tok.(type) {
	case string:
		return jv{pos: pos, kind: 's', s: t}, nil
	case json.Number:
		return jv{pos: pos, kind: 'n', s: string(t)}, nil
	case bool:
		return jv{pos: pos, kind: 'b', b: t}, nil
	case nil:
		return jv{pos: pos, kind: 'z'}, nil
	case json.Delim:
		r.depth++
		defer func() { r.depth-- }()
		if r.depth > 4*MaxDepth {
			return jv{}, Errorf(pos, "JSON nested too deeply")
		}
		switch t {
		case '[':
			v := jv{pos: pos, kind: 'a', arr: []jv{}}
			for r.dec.More() {
				e, err := r.value()
				if err != nil {
					return jv{}, err
				}
				v.arr = append(v.arr, e)
			}
			if _, err := r.dec.Token(); err != nil {
				return jv{}, Errorf(Pos(r.dec.InputOffset()+1), "invalid JSON: %v", err)
			}
			return v, nil
		case '{':
			v := jv{pos: pos, kind: 'o'}
			for r.dec.More() {
				kpos := r.valueStart()
				k, err := r.dec.Token()
				if err != nil {
					return jv{}, Errorf(kpos, "invalid JSON: %v", err)
				}
				ks, _ := k.(string)
				for _, prev := range v.keys {
					if prev == ks {
						return jv{}, Errorf(kpos, "duplicate member %q", ks)
					}
				}
				e, err := r.value()
				if err != nil {
					return jv{}, err
				}
				v.keys = append(v.keys, ks)
				v.vals = append(v.vals, e)
			}
			if _, err := r.dec.Token(); err != nil {
				return jv{}, Errorf(Pos(r.dec.InputOffset()+1), "invalid JSON: %v", err)
			}
			return v, nil
		}
	}
	return jv{}, Errorf(pos, "unexpected JSON token")
}

var compareOps = map[string]bool{"=": true, "<>": true, "<": true, ">": true, "<=": true, ">=": true}

// toNode converts a JSON value; predicate says whether a boolean expression
// is expected (else a scalar).
func (r *jsonReader) toNode(v jv, depth int, predicate bool) (Node, error) {
	if depth > MaxDepth {
		return nil, Errorf(v.pos, "expression nested deeper than %d", MaxDepth)
	}
	switch v.kind {
	case 's':
		if predicate {
			return nil, Errorf(v.pos, "expected a predicate object, found a string")
		}
		return &String{Pos: v.pos, V: v.s}, nil
	case 'n':
		if predicate {
			return nil, Errorf(v.pos, "expected a predicate object, found a number")
		}
		f, err := strconv.ParseFloat(v.s, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, Errorf(v.pos, "invalid number %s", v.s)
		}
		return &Number{Pos: v.pos, V: f}, nil
	case 'b':
		return &Bool{Pos: v.pos, V: v.b}, nil
	case 'z':
		return nil, Errorf(v.pos, "null is not a CQL2 value")
	case 'a':
		if predicate {
			return nil, Errorf(v.pos, "expected a predicate object, found an array")
		}
		items := make([]Node, 0, len(v.arr))
		for _, e := range v.arr {
			n, err := r.toNode(e, depth+1, false)
			if err != nil {
				return nil, err
			}
			items = append(items, n)
		}
		return &Array{Pos: v.pos, Items: items}, nil
	}
	// Objects.
	if op, ok := v.get("op"); ok {
		return r.opNode(v, op, depth, predicate)
	}
	if len(v.keys) != 1 && !isGeoJSON(v) {
		return nil, Errorf(v.pos, "unknown object: expected op/args, property, date, timestamp, interval, bbox or a GeoJSON geometry")
	}
	if predicate {
		if p, ok := v.get("property"); ok && len(v.keys) == 1 {
			// a boolean property used as a predicate
			return r.property(p)
		}
		return nil, Errorf(v.pos, "expected a predicate (an object with op and args)")
	}
	switch {
	case isGeoJSON(v):
		g, err := geometryFromJSON(v, 0)
		if err != nil {
			return nil, err
		}
		return &Geometry{Pos: v.pos, G: g}, nil
	case v.keys[0] == "property":
		return r.property(v.vals[0])
	case v.keys[0] == "date":
		s := v.vals[0]
		if s.kind != 's' || checkDate(s.s) != nil {
			return nil, Errorf(s.pos, "date: expected a YYYY-MM-DD string")
		}
		return &Date{Pos: v.pos, V: s.s}, nil
	case v.keys[0] == "timestamp":
		s := v.vals[0]
		if s.kind != 's' || checkTimestamp(s.s) != nil {
			return nil, Errorf(s.pos, "timestamp: expected a YYYY-MM-DDThh:mm:ssZ string")
		}
		return &Timestamp{Pos: v.pos, V: s.s}, nil
	case v.keys[0] == "interval":
		a := v.vals[0]
		if a.kind != 'a' || len(a.arr) != 2 {
			return nil, Errorf(a.pos, "interval: expected an array of two bounds")
		}
		var bounds [2]Node
		for i, e := range a.arr {
			switch {
			case e.kind == 's' && e.s == "..":
				bounds[i] = &String{Pos: e.pos, V: ".."}
			case e.kind == 's' && checkDate(e.s) == nil:
				bounds[i] = &Date{Pos: e.pos, V: e.s}
			case e.kind == 's' && checkTimestamp(e.s) == nil:
				bounds[i] = &Timestamp{Pos: e.pos, V: e.s}
			case e.kind == 'o':
				n, err := r.toNode(e, depth+1, false)
				if err != nil {
					return nil, err
				}
				switch n.(type) {
				case *Date, *Timestamp, *Property:
					bounds[i] = n
				default:
					return nil, Errorf(e.pos, "interval bound: expected '..', a date, a timestamp or a property")
				}
			default:
				return nil, Errorf(e.pos, "interval bound: expected '..', a date, a timestamp or a property")
			}
		}
		return &Interval{Pos: v.pos, Start: bounds[0], End: bounds[1]}, nil
	case v.keys[0] == "bbox":
		a := v.vals[0]
		if a.kind != 'a' || (len(a.arr) != 4 && len(a.arr) != 6) {
			return nil, Errorf(a.pos, "bbox: expected an array of 4 or 6 numbers")
		}
		cs := make([]float64, len(a.arr))
		for i, e := range a.arr {
			f, err := jsonNumber(e)
			if err != nil {
				return nil, err
			}
			cs[i] = f
		}
		return &BBox{Pos: v.pos, Coords: cs}, nil
	}
	return nil, Errorf(v.pos, "unknown object member %q", v.keys[0])
}

func (r *jsonReader) property(p jv) (Node, error) {
	if p.kind != 's' || p.s == "" || strings.ContainsRune(p.s, '"') {
		return nil, Errorf(p.pos, "property: expected a non-empty name without double quotes")
	}
	return &Property{Pos: p.pos, Name: p.s}, nil
}

func jsonNumber(e jv) (float64, error) {
	if e.kind != 'n' {
		return 0, Errorf(e.pos, "expected a number")
	}
	f, err := strconv.ParseFloat(e.s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, Errorf(e.pos, "invalid number %s", e.s)
	}
	return f, nil
}

func (r *jsonReader) opNode(v, op jv, depth int, predicate bool) (Node, error) {
	if op.kind != 's' {
		return nil, Errorf(op.pos, "op: expected a string")
	}
	argsV, ok := v.get("args")
	if !ok || argsV.kind != 'a' {
		return nil, Errorf(v.pos, "op %q: expected an args array", op.s)
	}
	if len(v.keys) != 2 {
		return nil, Errorf(v.pos, "op %q: unexpected members besides op and args", op.s)
	}
	args := argsV.arr
	name := op.s
	want := func(n int) error {
		if len(args) != n {
			return Errorf(argsV.pos, "%s takes %d arguments, got %d", name, n, len(args))
		}
		return nil
	}
	pred := func(e jv) (Node, error) { return r.toNode(e, depth+1, true) }
	scalar := func(e jv) (Node, error) { return r.toNode(e, depth+1, false) }
	scalars := func(es []jv) ([]Node, error) {
		out := make([]Node, 0, len(es))
		for _, e := range es {
			n, err := scalar(e)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	}
	lower := strings.ToLower(name)
	switch {
	case lower == "and", lower == "or", lower == "not", compareOps[name], lower == "like", lower == "between", lower == "in", lower == "isnull":
		if !predicate {
			return nil, Errorf(v.pos, "expected a value, found the predicate %q", name)
		}
	}
	switch {
	case lower == "and" || lower == "or":
		if len(args) < 2 {
			return nil, Errorf(argsV.pos, "%s takes at least 2 arguments, got %d", name, len(args))
		}
		out := make([]Node, 0, len(args))
		for _, e := range args {
			n, err := pred(e)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return &Logic{Pos: v.pos, Op: lower, Args: out}, nil
	case lower == "not":
		if err := want(1); err != nil {
			return nil, err
		}
		n, err := pred(args[0])
		if err != nil {
			return nil, err
		}
		return &Not{Pos: v.pos, Arg: n}, nil
	case compareOps[name]:
		if err := want(2); err != nil {
			return nil, err
		}
		ns, err := scalars(args)
		if err != nil {
			return nil, err
		}
		return &Compare{Pos: v.pos, Op: name, Left: ns[0], Right: ns[1]}, nil
	case lower == "like":
		if err := want(2); err != nil {
			return nil, err
		}
		ns, err := scalars(args)
		if err != nil {
			return nil, err
		}
		return &Like{Pos: v.pos, Value: ns[0], Pattern: ns[1]}, nil
	case lower == "between":
		if err := want(3); err != nil {
			return nil, err
		}
		ns, err := scalars(args)
		if err != nil {
			return nil, err
		}
		return &Between{Pos: v.pos, Value: ns[0], Low: ns[1], High: ns[2]}, nil
	case lower == "in":
		if err := want(2); err != nil {
			return nil, err
		}
		val, err := scalar(args[0])
		if err != nil {
			return nil, err
		}
		if args[1].kind != 'a' || len(args[1].arr) == 0 {
			return nil, Errorf(args[1].pos, "in: expected a non-empty array of values")
		}
		list, err := scalars(args[1].arr)
		if err != nil {
			return nil, err
		}
		return &In{Pos: v.pos, Value: val, List: list}, nil
	case lower == "isnull":
		if err := want(1); err != nil {
			return nil, err
		}
		n, err := scalar(args[0])
		if err != nil {
			return nil, err
		}
		return &IsNull{Pos: v.pos, Arg: n}, nil
	default:
		if isStandardFunc(lower) {
			name = lower
		} else if !plainIdent(name) {
			return nil, Errorf(op.pos, "unknown operator %q", name)
		}
		ns, err := scalars(args)
		if err != nil {
			return nil, err
		}
		return &Func{Pos: v.pos, Name: name, Args: ns}, nil
	}
}

func isGeoJSON(v jv) bool {
	t, ok := v.get("type")
	if !ok || t.kind != 's' {
		return false
	}
	switch t.s {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		return true
	}
	return false
}

func geometryFromJSON(v jv, depth int) (orb.Geometry, error) {
	if depth > 8 {
		return nil, Errorf(v.pos, "geometry nested too deeply")
	}
	t, _ := v.get("type")
	if t.s == "GeometryCollection" {
		gs, ok := v.get("geometries")
		if !ok || gs.kind != 'a' || len(v.keys) != 2 {
			return nil, Errorf(v.pos, "GeometryCollection: expected type and geometries")
		}
		c := orb.Collection{}
		for _, e := range gs.arr {
			if e.kind != 'o' || !isGeoJSON(e) {
				return nil, Errorf(e.pos, "expected a GeoJSON geometry")
			}
			g, err := geometryFromJSON(e, depth+1)
			if err != nil {
				return nil, err
			}
			c = append(c, g)
		}
		if len(c) == 0 {
			return nil, Errorf(v.pos, "empty GeometryCollection")
		}
		return c, nil
	}
	cv, ok := v.get("coordinates")
	if !ok || len(v.keys) != 2 {
		return nil, Errorf(v.pos, "%s: expected type and coordinates", t.s)
	}
	point := func(e jv) (orb.Point, error) {
		if e.kind != 'a' || len(e.arr) != 2 {
			return orb.Point{}, Errorf(e.pos, "expected a position of 2 numbers")
		}
		x, err := jsonNumber(e.arr[0])
		if err != nil {
			return orb.Point{}, err
		}
		y, err := jsonNumber(e.arr[1])
		return orb.Point{x, y}, err
	}
	points := func(e jv, min int) ([]orb.Point, error) {
		if e.kind != 'a' || len(e.arr) < min {
			return nil, Errorf(e.pos, "expected an array of at least %d positions", min)
		}
		out := make([]orb.Point, 0, len(e.arr))
		for _, x := range e.arr {
			p, err := point(x)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	polygon := func(e jv) (orb.Polygon, error) {
		if e.kind != 'a' || len(e.arr) == 0 {
			return nil, Errorf(e.pos, "expected an array of rings")
		}
		var p orb.Polygon
		for _, x := range e.arr {
			r, err := points(x, 4)
			if err != nil {
				return nil, err
			}
			if r[0] != r[len(r)-1] {
				return nil, Errorf(x.pos, "a polygon ring must end on its first position")
			}
			p = append(p, r)
		}
		return p, nil
	}
	list := func(e jv) ([]jv, error) {
		if e.kind != 'a' || len(e.arr) == 0 {
			return nil, Errorf(e.pos, "expected a non-empty array")
		}
		return e.arr, nil
	}
	switch t.s {
	case "Point":
		return point(cv)
	case "MultiPoint":
		ps, err := points(cv, 1)
		return orb.MultiPoint(ps), err
	case "LineString":
		ps, err := points(cv, 2)
		return orb.LineString(ps), err
	case "MultiLineString":
		es, err := list(cv)
		if err != nil {
			return nil, err
		}
		var ml orb.MultiLineString
		for _, e := range es {
			ps, err := points(e, 2)
			if err != nil {
				return nil, err
			}
			ml = append(ml, ps)
		}
		return ml, nil
	case "Polygon":
		return polygon(cv)
	case "MultiPolygon":
		es, err := list(cv)
		if err != nil {
			return nil, err
		}
		var mp orb.MultiPolygon
		for _, e := range es {
			p, err := polygon(e)
			if err != nil {
				return nil, err
			}
			mp = append(mp, p)
		}
		return mp, nil
	}
	return nil, Errorf(v.pos, "unknown geometry type %q", t.s)
}
