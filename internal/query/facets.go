package query

import (
	"math"
	"slices"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi/cql2"
	"github.com/paulmach/orb"
)

// facet folds conjunct n into p's index facets when it can, and reports
// whether the facets now express it exactly (then no residual is needed).
// Facets select partnerships, so only the partnerships collection maps its
// properties onto them; every collection maps S_INTERSECTS with a bbox.
func (c *compiler) facet(p *Plan, n cql2.Node) bool {
	if f, ok := n.(*cql2.Func); ok && f.Name == "s_intersects" && len(f.Args) == 2 {
		return c.spatialFacet(p, f)
	}
	if c.layer != index.LayerPartnerships {
		return false
	}
	switch n := n.(type) {
	case *cql2.Compare:
		prop, lit, op, ok := propLiteral(n.Left, n.Right, n.Op)
		if !ok {
			return false
		}
		if prop.Name == "start_year" {
			num, ok := lit.(*cql2.Number)
			if !ok {
				return false
			}
			return c.yearFacet(p, op, num.V)
		}
		s, ok := lit.(*cql2.String)
		if !ok || op != "=" {
			return false
		}
		return c.listFacet(p, prop.Name, []string{s.V})
	case *cql2.In:
		prop, ok := n.Value.(*cql2.Property)
		if !ok {
			return false
		}
		vs, ok := stringLiterals(n.List)
		if !ok {
			return false
		}
		return c.listFacet(p, prop.Name, vs)
	case *cql2.Between:
		prop, ok := n.Value.(*cql2.Property)
		lo, ok1 := n.Low.(*cql2.Number)
		hi, ok2 := n.High.(*cql2.Number)
		if !ok || !ok1 || !ok2 || prop.Name != "start_year" {
			return false
		}
		return c.yearFacet(p, ">=", lo.V) && c.yearFacet(p, "<=", hi.V)
	case *cql2.Func:
		switch {
		case n.Name == "t_intersects" && len(n.Args) == 2:
			prop, lit, _, ok := propLiteral(n.Args[0], n.Args[1], "=")
			if !ok || prop.Name != "start_year" {
				return false
			}
			t0, t1, err := temporal(lit)
			if err != nil {
				return false
			}
			since, until := 1, math.MaxInt32
			if t0 != math.MinInt64 {
				since = time.Unix(t0, 0).UTC().Year()
			}
			if t1 != math.MaxInt64 {
				until = time.Unix(t1, 0).UTC().Year()
			}
			return c.yearFacet(p, ">=", float64(since)) && c.yearFacet(p, "<=", float64(until))
		case (n.Name == "a_overlaps" || n.Name == "a_contains") && len(n.Args) == 2:
			prop, ok := n.Args[0].(*cql2.Property)
			arr, ok2 := n.Args[1].(*cql2.Array)
			if !ok || !ok2 || prop.Name != "themes" || len(arr.Items) == 0 {
				return false
			}
			vs, ok := stringLiterals(arr.Items)
			if !ok {
				return false
			}
			if n.Name == "a_contains" && len(vs) > 1 {
				c.listFacet(p, "theme", vs[:1]) // a prefilter; the residual checks the rest
				return false
			}
			return c.listFacet(p, "theme", vs)
		}
	}
	return false
}

// stringLiterals returns the values of a list of string literals, false
// when an item is anything else.
func stringLiterals(items []cql2.Node) ([]string, bool) {
	vs := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(*cql2.String)
		if !ok {
			return nil, false
		}
		vs = append(vs, s.V)
	}
	return vs, true
}

// propLiteral returns the property and literal of a binary expression,
// swapping the operator when the literal comes first.
func propLiteral(a, b cql2.Node, op string) (*cql2.Property, cql2.Node, string, bool) {
	if p, ok := a.(*cql2.Property); ok {
		if _, isProp := b.(*cql2.Property); !isProp {
			return p, b, op, true
		}
		return nil, nil, "", false
	}
	if p, ok := b.(*cql2.Property); ok {
		switch op {
		case "<":
			op = ">"
		case ">":
			op = "<"
		case "<=":
			op = ">="
		case ">=":
			op = "<="
		}
		return p, a, op, true
	}
	return nil, nil, "", false
}

// listFacet intersects a list facet with values; unknown values select
// nothing (exactly what the comparison does).
func (c *compiler) listFacet(p *Plan, prop string, vs []string) bool {
	f := &p.Filter
	known := func(ok func(string) bool) []string {
		var out []string
		for _, v := range vs {
			if ok(v) {
				out = append(out, v)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	switch prop {
	case "country":
		f.Countries = intersect(p, f.Countries, known(c.snap.HasCountry))
	case "authority_id":
		f.Authorities = intersect(p, f.Authorities, known(c.snap.HasAuthority))
	case "partner_id":
		f.Partners = intersect(p, f.Partners, known(c.snap.HasPartner))
	case "theme":
		f.Themes = intersect(p, f.Themes, known(func(s string) bool { return atlas.ThemeIndex(s) >= 0 }))
	case "authority_type":
		f.Types = intersect(p, f.Types, typed[atlas.AuthorityType](known(func(s string) bool { return atlas.AuthorityType(s).Valid() })))
	case "kind":
		f.Kinds = intersect(p, f.Kinds, typed[atlas.Kind](known(func(s string) bool { return atlas.Kind(s).Valid() })))
	case "provenance":
		f.Provenances = intersect(p, f.Provenances, typed[atlas.Provenance](known(func(s string) bool { return atlas.Provenance(s).Valid() })))
	default:
		return false
	}
	return true
}

func typed[T ~string](ss []string) []T {
	out := make([]T, len(ss))
	for i, s := range ss {
		out[i] = T(s)
	}
	return out
}

// intersect returns the values in both have (nil: unconstrained) and add;
// an empty result marks the plan as matching nothing.
func intersect[T ~string](p *Plan, have, add []T) []T {
	var out []T
	if have == nil {
		out = add
	} else {
		for _, v := range have {
			if slices.Contains(add, v) {
				out = append(out, v)
			}
		}
	}
	if len(out) == 0 {
		p.None = true
		return have
	}
	return out
}

// yearFacet narrows Since/Until with start_year op v. Unknown years never
// compare, and Since/Until exclude them as soon as one is set.
func (c *compiler) yearFacet(p *Plan, op string, v float64) bool {
	f := &p.Filter
	lo, hi := f.Since, f.Until
	if lo == 0 {
		lo = 1
	}
	if hi == 0 {
		hi = math.MaxInt32
	}
	switch op {
	case "=":
		if v != math.Trunc(v) {
			p.None = true
			return true
		}
		lo, hi = max(lo, int(v)), min(hi, int(v))
	case ">=":
		lo = max(lo, clampYear(math.Ceil(v)))
	case ">":
		lo = max(lo, clampYear(math.Floor(v)+1))
	case "<=":
		hi = min(hi, clampYear(math.Floor(v)))
	case "<":
		hi = min(hi, clampYear(math.Ceil(v)-1))
	default:
		return false
	}
	if lo > hi || hi < 1 {
		p.None = true
		return true
	}
	f.Since = lo
	if hi != math.MaxInt32 {
		f.Until = hi
	}
	return true
}

func clampYear(v float64) int {
	return int(max(-1, min(v, math.MaxInt32-1)))
}

// spatialFacet maps S_INTERSECTS(geometry, literal) onto the bbox facet:
// exactly for a bbox, as a prefilter (the literal's bounds) otherwise.
func (c *compiler) spatialFacet(p *Plan, f *cql2.Func) bool {
	var lit cql2.Node
	if pr, ok := f.Args[0].(*cql2.Property); ok && pr.Name == GeometryProperty {
		lit = f.Args[1]
	} else if pr, ok := f.Args[1].(*cql2.Property); ok && pr.Name == GeometryProperty {
		lit = f.Args[0]
	} else {
		return false
	}
	s, err := c.scalar(lit)
	if err != nil || s.konst == nil || s.typ != TypeGeometry || p.Filter.BBox != nil {
		return false
	}
	if s.konst.bbox != nil {
		b := *s.konst.bbox
		p.Filter.BBox = &b
		return true
	}
	b := boundOf(s.konst.g)
	p.Filter.BBox = &b
	return false
}

func boundOf(g orb.Geometry) orb.Bound {
	if c, ok := g.(orb.Collection); ok {
		b := c[0].Bound()
		for _, s := range c[1:] {
			b = b.Union(s.Bound())
		}
		return b
	}
	return g.Bound()
}
