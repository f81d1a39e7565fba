package query

import (
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Queryable types, as the filter compiler sees them.
const (
	TypeString   = "string"
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
	TypeArray    = "array"    // themes, sources: arrays of slugs
	TypeTheme    = "theme"    // theme: one of the themes (multi-valued string)
	TypeYear     = "year"     // start_year: an integer, and the calendar year as a temporal interval
	TypeGeometry = "geometry" // the feature geometry
)

// Queryable is one property a filter may name.
type Queryable struct {
	Name        string
	Type        string
	Description string
	Enum        []string
}

// GeometryProperty is the name of the geometry queryable.
const GeometryProperty = "geometry"

// Queryables returns the queryables of a collection, in display order.
func Queryables(layer string) ([]Queryable, error) {
	l, err := index.LayerByID(layer)
	if err != nil {
		return nil, err
	}
	var out []Queryable
	for _, f := range l.Fields {
		q := Queryable{Name: f.Name, Type: f.Type, Description: f.Description}
		switch {
		case layer == index.LayerPartnerships && f.Name == "themes":
			q.Type = TypeArray
			q.Description = "theme slugs of its projects (array functions A_EQUALS, A_CONTAINS, A_CONTAINEDBY, A_OVERLAPS)"
			q.Enum = atlas.ThemeSlugs()
		case layer == index.LayerPartnerships && f.Name == "sources":
			q.Type = TypeArray
			q.Description = "the real lists that document it (array functions, as themes); empty on synthetic and declared rows"
			q.Enum = atlas.Sources()
		case layer == index.LayerPartnerships && f.Name == "start_year":
			q.Type = TypeYear
			q.Description = "start year; null when unknown. Temporal functions (T_*) see it as the calendar year, from 1 January 00:00:00Z to 31 December 23:59:59Z"
		case layer == index.LayerPartnerships && f.Name == "projects":
			q.Description = "number of projects"
		case f.Name == "kind":
			q.Enum = []string{string(atlas.Jumelage), string(atlas.Cooperation), string(atlas.Amitie)}
		case f.Name == "authority_type" || (layer == index.LayerAuthorities && f.Name == "type"):
			q.Enum = []string{string(atlas.Region), string(atlas.Departement), string(atlas.Groupement), string(atlas.Commune)}
		case f.Name == "provenance":
			q.Enum = []string{string(atlas.Real), string(atlas.Synthetic)}
		}
		out = append(out, q)
		if layer == index.LayerPartnerships && f.Name == "themes" {
			out = append(out, Queryable{Name: "theme", Type: TypeTheme, Enum: atlas.ThemeSlugs(),
				Description: "one of the themes of its projects: theme = 'sante' holds when 'sante' is among themes; <> when it is not"})
		}
	}
	out = append(out, Queryable{Name: GeometryProperty, Type: TypeGeometry, Description: "the feature geometry (CRS84): " + l.Geometry})
	return out, nil
}
