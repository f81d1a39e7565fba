// Package cql2 parses OGC Common Query Language (CQL2) filters, in both the
// text encoding (cql2-text) and the JSON encoding (cql2-json), into one
// abstract syntax tree, and prints a tree back in either encoding.
//
// The parser covers the CQL2 1.0 classes basic-cql2, advanced comparison
// operators (LIKE, BETWEEN, IN), spatial functions (S_* on WKT, GeoJSON and
// BBOX literals), temporal functions (T_* on DATE, TIMESTAMP and INTERVAL
// literals), array functions (A_*) and generic function calls. It knows
// nothing about properties: giving them a meaning is the caller's job.
//
// Printing is canonical: Print(Parse(Print(n))) == Print(n), and parsing a
// printed tree gives back the same tree (positions aside). The fuzz tests
// check both invariants.
package cql2

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"
)

// Node is a CQL2 expression: a predicate or a scalar.
type Node interface{ node() }

// Pos is the position of a node in its source: the 1-based character
// position in cql2-text, the 1-based byte offset in cql2-json. It is 0 for
// nodes that were built, not parsed.
type Pos int

// Logic is AND or OR over two or more arguments.
type Logic struct {
	Pos  Pos
	Op   string // "and" or "or"
	Args []Node
}

// Not negates its argument.
type Not struct {
	Pos Pos
	Arg Node
}

// Compare is a binary comparison.
type Compare struct {
	Pos         Pos
	Op          string // "=", "<>", "<", ">", "<=", ">="
	Left, Right Node
}

// Like is a LIKE pattern match: % matches any sequence, _ one character,
// \ escapes the next character.
type Like struct {
	Pos            Pos
	Value, Pattern Node
}

// Between is Value BETWEEN Low AND High (inclusive).
type Between struct {
	Pos              Pos
	Value, Low, High Node
}

// In is Value IN (List...).
type In struct {
	Pos   Pos
	Value Node
	List  []Node
}

// IsNull is Arg IS NULL.
type IsNull struct {
	Pos Pos
	Arg Node
}

// Func is a function call: the standard S_*, T_* and A_* predicates (Name in
// lower case, as in cql2-json: "s_intersects") or any other function (Name as
// written).
type Func struct {
	Pos  Pos
	Name string
	Args []Node
}

// Property names a queryable.
type Property struct {
	Pos  Pos
	Name string
}

// String is a character string literal.
type String struct {
	Pos Pos
	V   string
}

// Number is a numeric literal.
type Number struct {
	Pos Pos
	V   float64
}

// Bool is TRUE or FALSE.
type Bool struct {
	Pos Pos
	V   bool
}

// Date is a DATE('YYYY-MM-DD') instant.
type Date struct {
	Pos Pos
	V   string
}

// Timestamp is a TIMESTAMP('YYYY-MM-DDThh:mm:ss[.f]Z') instant.
type Timestamp struct {
	Pos Pos
	V   string
}

// Interval is INTERVAL(start, end); each bound is a Date, a Timestamp, a
// String ".." (open) or a Property.
type Interval struct {
	Pos        Pos
	Start, End Node
}

// Array is an array literal.
type Array struct {
	Pos   Pos
	Items []Node
}

// Geometry is a geometry literal (WKT in cql2-text, GeoJSON in cql2-json),
// in CRS84 longitude/latitude: orb.Point, MultiPoint, LineString,
// MultiLineString, Polygon, MultiPolygon or Collection.
type Geometry struct {
	Pos Pos
	G   orb.Geometry
}

// BBox is a BBOX(minx, miny, maxx, maxy) (or 6 numbers, with z) literal.
type BBox struct {
	Pos    Pos
	Coords []float64
}

func (*Logic) node()     {}
func (*Not) node()       {}
func (*Compare) node()   {}
func (*Like) node()      {}
func (*Between) node()   {}
func (*In) node()        {}
func (*IsNull) node()    {}
func (*Func) node()      {}
func (*Property) node()  {}
func (*String) node()    {}
func (*Number) node()    {}
func (*Bool) node()      {}
func (*Date) node()      {}
func (*Timestamp) node() {}
func (*Interval) node()  {}
func (*Array) node()     {}
func (*Geometry) node()  {}
func (*BBox) node()      {}

// PosOf returns the position of n.
func PosOf(n Node) Pos {
	switch n := n.(type) {
	case *Logic:
		return n.Pos
	case *Not:
		return n.Pos
	case *Compare:
		return n.Pos
	case *Like:
		return n.Pos
	case *Between:
		return n.Pos
	case *In:
		return n.Pos
	case *IsNull:
		return n.Pos
	case *Func:
		return n.Pos
	case *Property:
		return n.Pos
	case *String:
		return n.Pos
	case *Number:
		return n.Pos
	case *Bool:
		return n.Pos
	case *Date:
		return n.Pos
	case *Timestamp:
		return n.Pos
	case *Interval:
		return n.Pos
	case *Array:
		return n.Pos
	case *Geometry:
		return n.Pos
	case *BBox:
		return n.Pos
	}
	return 0
}

// Error is a syntax or semantic error in a filter, at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Pos <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg)
}

// Errorf returns an *Error at pos.
func Errorf(pos Pos, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// SpatialFuncs, TemporalFuncs and ArrayFuncs return the standard function
// names of each family, as in cql2-json (a fresh slice each call).
func SpatialFuncs() []string {
	return []string{"s_intersects", "s_equals", "s_disjoint", "s_touches", "s_within", "s_overlaps", "s_crosses", "s_contains"}
}

func TemporalFuncs() []string {
	return []string{"t_after", "t_before", "t_contains", "t_disjoint", "t_during", "t_equals", "t_finishedby", "t_finishes", "t_intersects", "t_meets", "t_metby", "t_overlappedby", "t_overlaps", "t_startedby", "t_starts"}
}

func ArrayFuncs() []string {
	return []string{"a_equals", "a_contains", "a_containedby", "a_overlaps"}
}

func isStandardFunc(lower string) bool {
	return slices.Contains(SpatialFuncs(), lower) || slices.Contains(TemporalFuncs(), lower) || slices.Contains(ArrayFuncs(), lower)
}

// MaxDepth bounds the nesting of expressions, so that a hostile filter
// cannot exhaust the stack.
const MaxDepth = 64
