package index

import (
	"fmt"
	"slices"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
)

// Layer names, as used in URLs and as MVT layer names.
const (
	LayerPartnerships = "partnerships"
	LayerAuthorities  = "authorities"
	LayerPartners     = "partners"
	LayerCountries    = "countries"
	LayerRegions      = "regions"
	LayerDepartements = "departements"
)

// Field describes one feature property (TileJSON vector_layers, OGC
// queryables, documentation). Type is a JSON Schema type name.
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Layer describes a layer the atlas serves.
type Layer struct {
	ID          string  `json:"id"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Geometry    string  `json:"geometry"` // Point, LineString, Polygon
	Fields      []Field `json:"fields"`
}

var layers = []Layer{
	{LayerPartnerships, "Partenariats", "Partnerships between a French authority and a foreign partner, as great-circle arcs from the French point to the partner (split at the antimeridian).", "LineString", []Field{
		{"id", "string", "partnership id (FRTW… real twinning, SYN-… synthetic)"},
		{"authority_id", "string", "French authority id"},
		{"authority_name", "string", "French authority name"},
		{"authority_type", "string", "region, departement, groupement or commune"},
		{"partner_id", "string", "partner id (GeoNames id where known)"},
		{"partner_name", "string", "partner name"},
		{"country", "string", "partner country, ISO 3166-1 alpha-2"},
		{"country_name", "string", "partner country, French name"},
		{"kind", "string", "jumelage, cooperation or amitie"},
		{"start_year", "integer", "start year; absent when unknown"},
		{"active", "boolean", "whether the partnership is active"},
		{"provenance", "string", "real or synthetic"},
		{"sources", "string", "the real lists that document it: wikipedia-en, wikidata, wikipedia-it (array in GeoJSON, |-joined in tiles); absent on synthetic and declared rows"},
		{"themes", "string", "theme slugs of its projects (array in GeoJSON, |-joined in tiles)"},
		{"projects", "integer", "number of projects (array of projects in GeoJSON)"},
	}},
	{LayerAuthorities, "Collectivités françaises", "French local authorities with at least one matching partnership.", "Point", []Field{
		{"id", "string", "authority id: INSEE code (commune), SIREN (groupement), dep-<code>, reg-<code>"},
		{"name", "string", "name"},
		{"type", "string", "region, departement, groupement or commune"},
		{"code", "string", "INSEE code or SIREN"},
		{"departement", "string", "INSEE code of its département"},
		{"region", "string", "INSEE code of its région"},
		{"population", "integer", "population"},
		{"partnerships", "integer", "number of matching partnerships"},
	}},
	{LayerPartners, "Autorités partenaires", "Foreign partner authorities with at least one matching partnership.", "Point", []Field{
		{"id", "string", "partner id (GeoNames id where known)"},
		{"name", "string", "name"},
		{"country", "string", "ISO 3166-1 alpha-2"},
		{"country_name", "string", "country, French name"},
		{"subdivision", "string", "subdivision (e.g. England) when relevant"},
		{"population", "integer", "population (GeoNames)"},
		{"partnerships", "integer", "number of matching partnerships"},
	}},
	{LayerCountries, "Pays", "Every country polygon (Natural Earth 1:50m) with the counts of matching partnerships and projects with partners there.", "Polygon", []Field{
		{"iso2", "string", "ISO 3166-1 alpha-2"},
		{"name", "string", "French name"},
		{"name_en", "string", "English name"},
		{"partnerships", "integer", "matching partnerships with partners in the country"},
		{"projects", "integer", "matching projects with partners in the country"},
	}},
	{LayerRegions, "Régions", "French régions (IGN ADMIN EXPRESS COG) with the counts of matching partnerships and projects of their authorities.", "Polygon", []Field{
		{"code", "string", "INSEE code"},
		{"name", "string", "name"},
		{"partnerships", "integer", "matching partnerships of authorities in the région"},
		{"projects", "integer", "matching projects of authorities in the région"},
	}},
	{LayerDepartements, "Départements", "French départements (IGN ADMIN EXPRESS COG) with the counts of matching partnerships and projects of their authorities.", "Polygon", []Field{
		{"code", "string", "INSEE code"},
		{"name", "string", "name"},
		{"partnerships", "integer", "matching partnerships of authorities in the département"},
		{"projects", "integer", "matching projects of authorities in the département"},
	}},
}

// Layers returns the layers in display order. The caller owns the slice but
// must not modify the Fields slices.
func Layers() []Layer {
	out := make([]Layer, len(layers))
	copy(out, layers)
	return out
}

// LayerByID returns the layer with that id or an error wrapping
// atlas.ErrNotFound.
func LayerByID(id string) (Layer, error) {
	for _, l := range layers {
		if l.ID == id {
			return l, nil
		}
	}
	return Layer{}, fmt.Errorf("layer %q: %w", id, atlas.ErrNotFound)
}

// Extent returns the bounding box of every feature of layer, and false when
// the layer is empty or unknown. It is computed once per snapshot, on first
// use.
func (s *Snapshot) Extent(layer string) (orb.Bound, bool) {
	b, ok := s.extents()[layer]
	return b, ok
}

// layerExtents computes every non-empty layer's extent: points and shapes
// from their R-trees, whose boxes are exact; arcs from their densified
// geometry, since their boxes in the tree are padded.
func (s *Snapshot) layerExtents() map[string]orb.Bound {
	out := make(map[string]orb.Bound, len(layers))
	for _, l := range layers {
		n := s.Len(l.ID)
		if n == 0 {
			continue
		}
		if l.ID == LayerPartnerships {
			b := s.Geometry(l.ID, 0).Bound()
			for i := int32(1); i < int32(n); i++ {
				b = b.Union(s.Geometry(l.ID, i).Bound())
			}
			out[l.ID] = b
			continue
		}
		if tr, ok := s.trees[l.ID]; ok {
			lo, hi := tr.Bounds()
			out[l.ID] = orb.Bound{Min: lo, Max: hi}
		}
	}
	return out
}

// Len returns how many features layer holds in total.
func (s *Snapshot) Len(layer string) int {
	switch layer {
	case LayerPartnerships:
		return len(s.ds.Partnerships)
	case LayerAuthorities:
		return len(s.ds.Authorities)
	case LayerPartners:
		return len(s.ds.Partners)
	case LayerCountries:
		return len(s.ds.CountryShapes)
	case LayerRegions:
		return len(s.ds.RegionShapes)
	case LayerDepartements:
		return len(s.ds.DepartementShapes)
	}
	return 0
}

// Items returns the features of layer that f selects, as sorted feature
// indices (load order). For partnerships, authorities and partners the
// non-spatial facets select through the partnerships; boundary layers always
// list every polygon (the facets change their counts). A bbox keeps the
// features whose own geometry intersects it.
func (s *Snapshot) Items(layer string, f atlas.Filter) ([]int32, *Selection, error) {
	if _, err := LayerByID(layer); err != nil {
		return nil, nil, err
	}
	sel := s.Select(f)
	var ids []int32
	switch layer {
	case LayerPartnerships:
		ids = sel.Partnerships()
	case LayerAuthorities:
		ids = sel.Authorities()
	case LayerPartners:
		ids = sel.Partners()
	default:
		n := s.Len(layer)
		ids = make([]int32, n)
		for i := range ids {
			ids[i] = int32(i)
		}
	}
	if f.BBox == nil {
		return ids, sel, nil
	}
	b := *f.BBox
	out := make([]int32, 0, len(ids)/4)
	for _, i := range ids {
		if s.Intersects(layer, i, b) {
			out = append(out, i)
		}
	}
	return out, sel, nil
}

// Intersects reports whether feature i of layer intersects b (WGS84).
func (s *Snapshot) Intersects(layer string, i int32, b orb.Bound) bool {
	switch layer {
	case LayerAuthorities:
		return b.Contains(s.ds.Authorities[i].Point)
	case LayerPartners:
		return b.Contains(s.ds.Partners[i].Point)
	case LayerPartnerships:
		if !s.arcBounds[i].Intersects(b) {
			return false
		}
		return len(clip.MultiLineString(b, s.Arc(i, ArcSegmentKm))) > 0
	default:
		g := s.shape(layer, i)
		if g == nil || !g.Bound().Intersects(b) {
			return false
		}
		c := clip.Geometry(b, orb.Clone(g))
		return c != nil && !isEmpty(c)
	}
}

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	}
	return false
}

func (s *Snapshot) shape(layer string, i int32) orb.Geometry {
	switch layer {
	case LayerCountries:
		return s.ds.CountryShapes[i].Geometry
	case LayerRegions:
		return s.ds.RegionShapes[i].Geometry
	case LayerDepartements:
		return s.ds.DepartementShapes[i].Geometry
	}
	return nil
}

// Search calls fn for every feature of layer whose indexed bounding box
// intersects b, in arbitrary order, until fn returns false. A partnership
// whose arc is split at the antimeridian may be reported once per part.
func (s *Snapshot) Search(layer string, b orb.Bound, fn func(i int32) bool) {
	tr, ok := s.trees[layer]
	if !ok {
		return
	}
	tr.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool { return fn(i) })
}

// Lookup returns the index of the feature of layer with that id, or an error
// wrapping atlas.ErrNotFound.
func (s *Snapshot) Lookup(layer, id string) (int32, error) {
	var m map[string]int32
	switch layer {
	case LayerPartnerships:
		m = s.pshipByID
	case LayerAuthorities:
		m = s.authByID
	case LayerPartners:
		m = s.partnerByID
	case LayerCountries:
		m = s.shapeByISO
	case LayerRegions:
		m = s.regionByID
	case LayerDepartements:
		m = s.deptByID
	default:
		return 0, fmt.Errorf("layer %q: %w", layer, atlas.ErrNotFound)
	}
	i, ok := m[id]
	if !ok {
		return 0, fmt.Errorf("%s %q: %w", layer, id, atlas.ErrNotFound)
	}
	return i, nil
}

// FeatureID returns the id of feature i of layer.
func (s *Snapshot) FeatureID(layer string, i int32) string {
	ds := s.ds
	switch layer {
	case LayerPartnerships:
		return ds.Partnerships[i].ID
	case LayerAuthorities:
		return ds.Authorities[i].ID
	case LayerPartners:
		return ds.Partners[i].ID
	case LayerCountries:
		return ds.CountryShapes[i].ID
	case LayerRegions:
		return ds.RegionShapes[i].ID
	case LayerDepartements:
		return ds.DepartementShapes[i].ID
	}
	return ""
}

// Point returns the point of feature i of a point layer.
func (s *Snapshot) Point(layer string, i int32) orb.Point {
	if layer == LayerAuthorities {
		return s.ds.Authorities[i].Point
	}
	return s.ds.Partners[i].Point
}

// Geometry returns the WGS84 geometry of feature i of layer: points,
// partnership arcs densified every ArcSegmentKm (a LineString, or a
// MultiLineString when split at the antimeridian), polygons. The result may be
// shared: clone it before modifying it.
func (s *Snapshot) Geometry(layer string, i int32) orb.Geometry {
	switch layer {
	case LayerAuthorities, LayerPartners:
		return s.Point(layer, i)
	case LayerPartnerships:
		ml := s.Arc(i, ArcSegmentKm)
		if len(ml) == 1 {
			return ml[0]
		}
		return ml
	default:
		return s.shape(layer, i)
	}
}

// AuthorityTypeOf returns the type of authority a.
func (s *Snapshot) AuthorityTypeOf(a int32) atlas.AuthorityType { return s.ds.Authorities[a].Type }

// Properties returns the properties of feature i of layer under sel, as
// documented in Layers: themes as a []string, projects as a count.
func (s *Snapshot) Properties(layer string, i int32, sel *Selection) map[string]any {
	m := mapSink{}
	s.VisitProperties(layer, i, sel, m)
	return m
}

// PropertySink receives the properties of a feature (see VisitProperties).
type PropertySink interface {
	String(key, v string)
	Int(key string, v int)
	Bool(key string, v bool)
	// List is a list of strings; joined is the list joined with "|".
	List(key string, items []string, joined string)
}

type mapSink map[string]any

func (m mapSink) String(k, v string)                  { m[k] = v }
func (m mapSink) Int(k string, v int)                 { m[k] = v }
func (m mapSink) Bool(k string, v bool)               { m[k] = v }
func (m mapSink) List(k string, v []string, _ string) { m[k] = slices.Clone(v) }

// VisitProperties gives sink the properties of feature i of a layer under
// the selection sel (the counts of its matching partnerships and projects),
// the same as Properties, in ascending key order, without allocating.
func (s *Snapshot) VisitProperties(layer string, i int32, sel *Selection, sink PropertySink) {
	ds := s.ds
	switch layer {
	case LayerPartnerships:
		p := &ds.Partnerships[i]
		a := &ds.Authorities[s.pAuth[i]]
		pt := &ds.Partners[s.pPartner[i]]
		sink.Bool("active", p.Active)
		sink.String("authority_id", a.ID)
		sink.String("authority_name", a.Name)
		sink.String("authority_type", string(a.Type))
		sink.String("country", pt.Country)
		sink.String("country_name", ds.Countries[s.pCountry[i]].NameFR)
		sink.String("id", p.ID)
		sink.String("kind", string(p.Kind))
		sink.String("partner_id", pt.ID)
		sink.String("partner_name", pt.Name)
		sink.Int("projects", len(s.pProjects[i]))
		sink.String("provenance", string(p.Provenance))
		if len(p.Sources) > 0 {
			sl := sourceList(p.Sources)
			sink.List("sources", sl.items, sl.joined)
		}
		if p.StartYear != 0 {
			sink.Int("start_year", p.StartYear)
		}
		tl := s.themeList(s.pThemes[i])
		sink.List("themes", tl.items, tl.joined)
	case LayerAuthorities:
		a := &ds.Authorities[i]
		sink.String("code", a.Code)
		sink.String("departement", a.Departement)
		sink.String("id", a.ID)
		sink.String("name", a.Name)
		sink.Int("partnerships", sel.AuthorityCount(i))
		if a.Population != 0 {
			sink.Int("population", a.Population)
		}
		sink.String("region", a.Region)
		sink.String("type", string(a.Type))
	case LayerPartners:
		p := &ds.Partners[i]
		sink.String("country", p.Country)
		sink.String("country_name", ds.Countries[s.countryByID[p.Country]].NameFR)
		sink.String("id", p.ID)
		sink.String("name", p.Name)
		sink.Int("partnerships", sel.PartnerCount(i))
		if p.Population != 0 {
			sink.Int("population", p.Population)
		}
		if p.Subdivision != "" {
			sink.String("subdivision", p.Subdivision)
		}
	case LayerCountries:
		b := &ds.CountryShapes[i]
		sink.String("iso2", b.ID)
		if c, ok := s.countryByID[b.ID]; ok {
			sel.derive()
			sink.String("name", ds.Countries[c].NameFR)
			sink.String("name_en", ds.Countries[c].NameEN)
			sink.Int("partnerships", int(sel.countryN[c]))
			sink.Int("projects", int(sel.countryP[c]))
		} else {
			sink.String("name", b.Name)
			sink.Int("partnerships", 0)
			sink.Int("projects", 0)
		}
	case LayerRegions, LayerDepartements:
		sel.derive()
		var b *atlas.Boundary
		var n, pr int32
		if layer == LayerRegions {
			b, n, pr = &ds.RegionShapes[i], sel.regionN[i], sel.regionP[i]
		} else {
			b, n, pr = &ds.DepartementShapes[i], sel.deptN[i], sel.deptP[i]
		}
		sink.String("code", b.ID)
		sink.String("name", b.Name)
		sink.Int("partnerships", int(n))
		sink.Int("projects", int(pr))
	}
}

// sourceLists holds every set of real sources, by bit mask over
// atlas.Sources, alone and joined with "|": a feature's sources are
// written without allocating.
var sourceLists = func() (out [8]themeList) {
	for m := range out {
		items := []string{}
		for b, src := range atlas.Sources() {
			if m&(1<<b) != 0 {
				items = append(items, src)
			}
		}
		out[m] = themeList{items, strings.Join(items, "|")}
	}
	return out
}()

// sourceList is the shared list of the sources ss (known sources only, as
// dataset.Load and the stores check them).
func sourceList(ss []string) themeList {
	m := 0
	for _, src := range ss {
		if b := atlas.SourceIndex(src); b >= 0 {
			m |= 1 << b
		}
	}
	return sourceLists[m]
}

// themeList is a theme set as slugs, alone and joined with "|".
type themeList struct {
	items  []string
	joined string
}

// themeList returns the theme set of mask m (shared: not to be modified).
func (s *Snapshot) themeList(m uint16) themeList {
	if tl, ok := s.themeLists[m]; ok {
		return tl
	}
	items := s.themeSlugs(m)
	return themeList{items, strings.Join(items, "|")}
}

func (s *Snapshot) themeSlugs(m uint16) []string {
	out := []string{}
	for t, th := range themeBits {
		if m&(1<<t) != 0 {
			out = append(out, th.Slug)
		}
	}
	return out
}

// ProjectJSON is a project as the API shows it.
type ProjectJSON struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Themes     []string `json:"themes"`
	StartYear  int      `json:"start_year,omitempty"`
	Provenance string   `json:"provenance"`
}

// PartnershipProjects returns the projects of partnership i in load order.
func (s *Snapshot) PartnershipProjects(i int32) []ProjectJSON {
	out := make([]ProjectJSON, 0, len(s.pProjects[i]))
	for _, pr := range s.pProjects[i] {
		p := s.ds.Projects[pr]
		out = append(out, ProjectJSON{ID: p.ID, Title: p.Title, Themes: p.Themes, StartYear: p.StartYear, Provenance: string(p.Provenance)})
	}
	return out
}

// Feature returns feature i of layer as GeoJSON under sel. Partnerships carry
// their projects as an array.
func (s *Snapshot) Feature(layer string, i int32, sel *Selection) *geojson.Feature {
	f := geojson.NewFeature(s.Geometry(layer, i))
	f.ID = s.FeatureID(layer, i)
	f.Properties = s.Properties(layer, i, sel)
	if layer == LayerPartnerships {
		f.Properties["projects"] = s.PartnershipProjects(i)
	}
	return f
}

// PartnershipEnds returns the authority and partner indices of partnership i.
func (s *Snapshot) PartnershipEnds(i int32) (authority, partner int32) {
	return s.pAuth[i], s.pPartner[i]
}
