package cql2

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuotedIdent
	tString
	tNumber
	tPunct // ( ) , = <> < > <= >=
)

type token struct {
	kind tokKind
	text string // identifier, unescaped string, number text, punctuation
	off  int    // byte offset
}

type textParser struct {
	src   string
	toks  []token
	i     int
	depth int
}

// MaxLength bounds the length of a filter in bytes.
const MaxLength = 64 << 10

// ParseText parses a cql2-text filter.
func ParseText(src string) (Node, error) {
	if len(src) > MaxLength {
		return nil, Errorf(0, "filter longer than %d bytes", MaxLength)
	}
	if !utf8.ValidString(src) {
		return nil, Errorf(0, "filter is not valid UTF-8")
	}
	p := &textParser{src: src}
	if err := p.lex(); err != nil {
		return nil, err
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected %s after the end of the expression", describe(t))
	}
	return n, nil
}

func (p *textParser) pos(off int) Pos { return Pos(utf8.RuneCountInString(p.src[:off]) + 1) }

func (p *textParser) errAt(t token, format string, args ...any) error {
	return Errorf(p.pos(t.off), format, args...)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of filter"
	case tString:
		return "string '" + t.text + "'"
	case tQuotedIdent:
		return `"` + t.text + `"`
	}
	return "'" + t.text + "'"
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool {
	return r == '_' || r == '.' || r == ':' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (p *textParser) lex() error {
	s := p.src
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case isIdentStart(r):
			j := i + w
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !isIdentPart(r2) {
					break
				}
				j += w2
			}
			p.toks = append(p.toks, token{tIdent, s[i:j], i})
			i = j
		case r == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return Errorf(p.pos(i), "unterminated quoted identifier")
			}
			if j == 0 {
				return Errorf(p.pos(i), "empty quoted identifier")
			}
			p.toks = append(p.toks, token{tQuotedIdent, s[i+1 : i+1+j], i})
			i += j + 2
		case r == '\'':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return Errorf(p.pos(i), "unterminated string literal")
			}
			p.toks = append(p.toks, token{tString, b.String(), i})
			i = j
		case r >= '0' && r <= '9' || r == '.' || ((r == '-' || r == '+') && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '.')):
			j := i
			if s[j] == '-' || s[j] == '+' {
				j++
			}
			digits := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
				digits++
			}
			if j < len(s) && s[j] == '.' {
				j++
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
					digits++
				}
			}
			if digits == 0 {
				return Errorf(p.pos(i), "invalid number")
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			p.toks = append(p.toks, token{tNumber, s[i:j], i})
			i = j
		case r == '<' || r == '>':
			if i+1 < len(s) && (s[i+1] == '=' || (r == '<' && s[i+1] == '>')) {
				p.toks = append(p.toks, token{tPunct, s[i : i+2], i})
				i += 2
			} else {
				p.toks = append(p.toks, token{tPunct, s[i : i+1], i})
				i++
			}
		case r == '(' || r == ')' || r == ',' || r == '=':
			p.toks = append(p.toks, token{tPunct, s[i : i+1], i})
			i++
		default:
			return Errorf(p.pos(i), "unexpected character %q", r)
		}
	}
	p.toks = append(p.toks, token{tEOF, "", len(s)})
	return nil
}

func (p *textParser) peek() token { return p.toks[p.i] }
func (p *textParser) next() token { t := p.toks[p.i]; p.i++; return t }

// keyword reports whether the next token is the keyword kw (case-insensitive).
func (p *textParser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (p *textParser) acceptKeyword(kw string) bool {
	if p.isKeyword(kw) {
		p.i++
		return true
	}
	return false
}

func (p *textParser) isPunct(s string) bool { t := p.peek(); return t.kind == tPunct && t.text == s }

func (p *textParser) expectPunct(s string) error {
	t := p.next()
	if t.kind != tPunct || t.text != s {
		return p.errAt(t, "expected '%s', found %s", s, describe(t))
	}
	return nil
}

func (p *textParser) enter(t token) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(t, "expression nested deeper than %d", MaxDepth)
	}
	return nil
}

var reserved = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "LIKE": true, "BETWEEN": true, "IN": true, "IS": true,
	"NULL": true, "TRUE": true, "FALSE": true, "DATE": true, "TIMESTAMP": true, "INTERVAL": true,
	"BBOX": true, "POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true,
}

func (p *textParser) parseOr() (Node, error) {
	start := p.peek()
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	args := []Node{first}
	for p.acceptKeyword("OR") {
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		args = append(args, n)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &Logic{Pos: p.pos(start.off), Op: "or", Args: args}, nil
}

func (p *textParser) parseAnd() (Node, error) {
	start := p.peek()
	first, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	args := []Node{first}
	for p.acceptKeyword("AND") {
		n, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		args = append(args, n)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &Logic{Pos: p.pos(start.off), Op: "and", Args: args}, nil
}

func (p *textParser) parseNot() (Node, error) {
	t := p.peek()
	if p.acceptKeyword("NOT") {
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		n, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &Not{Pos: p.pos(t.off), Arg: n}, nil
	}
	return p.parsePredicate()
}

func (p *textParser) parsePredicate() (Node, error) {
	t := p.peek()
	if p.isPunct("(") {
		p.i++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return n, nil
	}
	left, err := p.parseScalar()
	if err != nil {
		return nil, err
	}
	pos := p.pos(t.off)
	op := p.peek()
	if op.kind == tPunct {
		switch op.text {
		case "=", "<>", "<", ">", "<=", ">=":
			p.i++
			right, err := p.parseScalar()
			if err != nil {
				return nil, err
			}
			return &Compare{Pos: pos, Op: op.text, Left: left, Right: right}, nil
		}
	}
	negate := false
	if p.isKeyword("NOT") {
		nt := p.toks[p.i+1]
		if nt.kind == tIdent && (strings.EqualFold(nt.text, "LIKE") || strings.EqualFold(nt.text, "BETWEEN") || strings.EqualFold(nt.text, "IN")) {
			p.i++
			negate = true
		}
	}
	wrap := func(n Node) Node {
		if negate {
			return &Not{Pos: pos, Arg: n}
		}
		return n
	}
	switch {
	case p.acceptKeyword("LIKE"):
		pat, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		return wrap(&Like{Pos: pos, Value: left, Pattern: pat}), nil
	case p.acceptKeyword("BETWEEN"):
		lo, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		if t := p.peek(); !p.acceptKeyword("AND") {
			return nil, p.errAt(t, "expected AND in BETWEEN, found %s", describe(t))
		}
		hi, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		return wrap(&Between{Pos: pos, Value: left, Low: lo, High: hi}), nil
	case p.acceptKeyword("IN"):
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		list, err := p.parseList(")")
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, p.errAt(op, "IN needs at least one value")
		}
		return wrap(&In{Pos: pos, Value: left, List: list}), nil
	case p.acceptKeyword("IS"):
		not := p.acceptKeyword("NOT")
		if t := p.peek(); !p.acceptKeyword("NULL") {
			return nil, p.errAt(t, "expected NULL after IS, found %s", describe(t))
		}
		var n Node = &IsNull{Pos: pos, Arg: left}
		if not {
			n = &Not{Pos: pos, Arg: n}
		}
		return n, nil
	}
	switch left.(type) {
	case *Func, *Bool, *Property:
		return left, nil // boolean-valued function, literal or property
	}
	return nil, p.errAt(op, "expected a comparison operator, LIKE, BETWEEN, IN or IS, found %s", describe(op))
}

// parseList parses comma-separated scalars up to the closing punctuation
// (already past the opening one).
func (p *textParser) parseList(closing string) ([]Node, error) {
	out := []Node{}
	if p.isPunct(closing) {
		p.i++
		return out, nil
	}
	for {
		n, err := p.parseScalar()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if p.isPunct(",") {
			p.i++
			continue
		}
		if err := p.expectPunct(closing); err != nil {
			return nil, err
		}
		return out, nil
	}
}

func (p *textParser) parseScalar() (Node, error) {
	t := p.peek()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	pos := p.pos(t.off)
	switch t.kind {
	case tString:
		p.i++
		return &String{Pos: pos, V: t.text}, nil
	case tNumber:
		p.i++
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, p.errAt(t, "invalid number %s", t.text)
		}
		return &Number{Pos: pos, V: v}, nil
	case tQuotedIdent:
		p.i++
		return &Property{Pos: pos, Name: t.text}, nil
	case tPunct:
		if t.text == "(" { // array literal
			p.i++
			items, err := p.parseList(")")
			if err != nil {
				return nil, err
			}
			return &Array{Pos: pos, Items: items}, nil
		}
		return nil, p.errAt(t, "expected a value, found %s", describe(t))
	case tEOF:
		return nil, p.errAt(t, "expected a value, found end of filter")
	}
	up := strings.ToUpper(t.text)
	switch up {
	case "TRUE", "FALSE":
		p.i++
		return &Bool{Pos: pos, V: up == "TRUE"}, nil
	case "DATE", "TIMESTAMP":
		p.i++
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		s := p.next()
		if s.kind != tString {
			return nil, p.errAt(s, "expected a quoted %s, found %s", strings.ToLower(up), describe(s))
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		if up == "DATE" {
			if err := checkDate(s.text); err != nil {
				return nil, p.errAt(s, "%v", err)
			}
			return &Date{Pos: pos, V: s.text}, nil
		}
		if err := checkTimestamp(s.text); err != nil {
			return nil, p.errAt(s, "%v", err)
		}
		return &Timestamp{Pos: pos, V: s.text}, nil
	case "INTERVAL":
		p.i++
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		a, err := p.intervalBound()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
		b, err := p.intervalBound()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return &Interval{Pos: pos, Start: a, End: b}, nil
	case "BBOX":
		p.i++
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		var cs []float64
		for {
			n := p.next()
			v, err := p.number(n)
			if err != nil {
				return nil, err
			}
			cs = append(cs, v)
			if p.isPunct(",") {
				p.i++
				continue
			}
			if err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			break
		}
		if len(cs) != 4 && len(cs) != 6 {
			return nil, p.errAt(t, "BBOX takes 4 or 6 numbers, got %d", len(cs))
		}
		return &BBox{Pos: pos, Coords: cs}, nil
	case "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION":
		g, err := p.parseWKT()
		if err != nil {
			return nil, err
		}
		return &Geometry{Pos: pos, G: g}, nil
	case "NULL", "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS":
		return nil, p.errAt(t, "expected a value, found keyword %s", up)
	}
	p.i++
	if p.isPunct("(") {
		p.i++
		args, err := p.parseList(")")
		if err != nil {
			return nil, err
		}
		name := t.text
		if l := strings.ToLower(name); isStandardFunc(l) {
			name = l
		}
		return &Func{Pos: pos, Name: name, Args: args}, nil
	}
	return &Property{Pos: pos, Name: t.text}, nil
}

func (p *textParser) intervalBound() (Node, error) {
	t := p.peek()
	pos := p.pos(t.off)
	switch {
	case t.kind == tString:
		p.i++
		if t.text == ".." {
			return &String{Pos: pos, V: ".."}, nil
		}
		if checkDate(t.text) == nil {
			return &Date{Pos: pos, V: t.text}, nil
		}
		if err := checkTimestamp(t.text); err != nil {
			return nil, p.errAt(t, "interval bound: expected '..', a date or a timestamp")
		}
		return &Timestamp{Pos: pos, V: t.text}, nil
	case t.kind == tIdent && (strings.EqualFold(t.text, "DATE") || strings.EqualFold(t.text, "TIMESTAMP")):
		return p.parseScalar()
	case t.kind == tIdent || t.kind == tQuotedIdent:
		if t.kind == tIdent && reserved[strings.ToUpper(t.text)] {
			break
		}
		p.i++
		return &Property{Pos: pos, Name: t.text}, nil
	}
	return nil, p.errAt(t, "interval bound: expected '..', a date, a timestamp or a property, found %s", describe(t))
}

func (p *textParser) number(t token) (float64, error) {
	if t.kind != tNumber {
		return 0, p.errAt(t, "expected a number, found %s", describe(t))
	}
	v, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, p.errAt(t, "invalid number %s", t.text)
	}
	return v, nil
}

// WKT ---------------------------------------------------------------------

func (p *textParser) parseWKT() (orb.Geometry, error) {
	t := p.next()
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	up := strings.ToUpper(t.text)
	if p.isKeyword("Z") || p.isKeyword("M") || p.isKeyword("ZM") {
		return nil, p.errAt(p.peek(), "only 2D geometries are supported")
	}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var g orb.Geometry
	var err error
	switch up {
	case "POINT":
		g, err = p.wktPoint()
	case "LINESTRING":
		var ls []orb.Point
		if ls, err = p.wktPoints(); err == nil && len(ls) < 2 {
			err = p.errAt(t, "a linestring needs at least 2 points")
		}
		g = orb.LineString(ls)
	case "POLYGON":
		g, err = p.wktPolygon()
	case "MULTIPOINT":
		var mp orb.MultiPoint
		for {
			paren := p.isPunct("(")
			if paren {
				p.i++
			}
			var pt orb.Point
			if pt, err = p.wktPoint(); err != nil {
				return nil, err
			}
			if paren {
				if err = p.expectPunct(")"); err != nil {
					return nil, err
				}
			}
			mp = append(mp, pt)
			if !p.isPunct(",") {
				break
			}
			p.i++
		}
		g = mp
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		for {
			if err = p.expectPunct("("); err != nil {
				return nil, err
			}
			var ls []orb.Point
			if ls, err = p.wktPoints(); err != nil {
				return nil, err
			}
			if len(ls) < 2 {
				return nil, p.errAt(t, "a linestring needs at least 2 points")
			}
			ml = append(ml, ls)
			if !p.isPunct(",") {
				break
			}
			p.i++
		}
		g = ml
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		for {
			if err = p.expectPunct("("); err != nil {
				return nil, err
			}
			var poly orb.Polygon
			if poly, err = p.wktPolygon(); err != nil {
				return nil, err
			}
			mp = append(mp, poly)
			if !p.isPunct(",") {
				break
			}
			p.i++
		}
		g = mp
	case "GEOMETRYCOLLECTION":
		var c orb.Collection
		for {
			if nt := p.peek(); nt.kind != tIdent || !wktKeyword(nt.text) {
				return nil, p.errAt(nt, "expected a WKT geometry, found %s", describe(nt))
			}
			var sub orb.Geometry
			if sub, err = p.parseWKT(); err != nil {
				return nil, err
			}
			c = append(c, sub)
			if !p.isPunct(",") {
				break
			}
			p.i++
		}
		g = c
	}
	if err != nil {
		return nil, err
	}
	if up == "LINESTRING" || up == "POLYGON" {
		return g, nil // wktPoints and wktPolygon read the closing parenthesis
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return g, nil
}

func wktKeyword(s string) bool {
	switch strings.ToUpper(s) {
	case "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION":
		return true
	}
	return false
}

func (p *textParser) wktPoint() (orb.Point, error) {
	x, err := p.number(p.next())
	if err != nil {
		return orb.Point{}, err
	}
	y, err := p.number(p.next())
	if err != nil {
		return orb.Point{}, err
	}
	if t := p.peek(); t.kind == tNumber {
		return orb.Point{}, p.errAt(t, "only 2D coordinates are supported")
	}
	return orb.Point{x, y}, nil
}

// wktPoints reads "x y, x y, ...)" (the opening parenthesis already read).
func (p *textParser) wktPoints() ([]orb.Point, error) {
	var out []orb.Point
	for {
		pt, err := p.wktPoint()
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
		if !p.isPunct(",") {
			break
		}
		p.i++
	}
	return out, p.expectPunct(")")
}

// wktPolygon reads "(ring), (ring))" (the opening parenthesis read).
func (p *textParser) wktPolygon() (orb.Polygon, error) {
	var poly orb.Polygon
	for {
		t := p.peek()
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		ring, err := p.wktPoints()
		if err != nil {
			return nil, err
		}
		if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
			return nil, p.errAt(t, "a polygon ring needs at least 4 points, the last equal to the first")
		}
		poly = append(poly, ring)
		if !p.isPunct(",") {
			break
		}
		p.i++
	}
	return poly, p.expectPunct(")")
}
