package ogcapi

import (
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Queryable types, as the filter compiler sees them.
const (
	qString   = "string"
	qInteger  = "integer"
	qNumber   = "number"
	qBoolean  = "boolean"
	qArray    = "array"    // themes: array of theme slugs
	qTheme    = "theme"    // theme: one of the themes (multi-valued string)
	qYear     = "year"     // start_year: an integer, and the calendar year as a temporal interval
	qGeometry = "geometry" // the feature geometry
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
			q.Type = qArray
			q.Description = "theme slugs of its projects (array functions A_EQUALS, A_CONTAINS, A_CONTAINEDBY, A_OVERLAPS)"
			q.Enum = themeSlugs()
		case layer == index.LayerPartnerships && f.Name == "start_year":
			q.Type = qYear
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
			out = append(out, Queryable{Name: "theme", Type: qTheme, Enum: themeSlugs(),
				Description: "one of the themes of its projects: theme = 'sante' holds when 'sante' is among themes; <> when it is not"})
		}
	}
	out = append(out, Queryable{Name: GeometryProperty, Type: qGeometry, Description: "the feature geometry (CRS84): " + l.Geometry})
	return out, nil
}

func themeSlugs() []string {
	ts := atlas.Themes()
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Slug
	}
	return out
}

// QueryablesSchema returns the JSON Schema (2020-12) document of a
// collection's queryables, served as application/schema+json.
func QueryablesSchema(base, layer string) (map[string]any, error) {
	qs, err := Queryables(layer)
	if err != nil {
		return nil, err
	}
	l, _ := index.LayerByID(layer)
	props := map[string]any{}
	for _, q := range qs {
		var p map[string]any
		switch q.Type {
		case qArray:
			p = map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": q.Enum}}
		case qTheme:
			p = map[string]any{"type": "string", "enum": q.Enum}
		case qYear:
			p = map[string]any{"type": "integer"}
		case qGeometry:
			p = map[string]any{"format": geometryFormat(l.Geometry), "x-ogc-role": "primary-geometry"}
		default:
			p = map[string]any{"type": q.Type}
			if len(q.Enum) > 0 {
				p["enum"] = q.Enum
			}
		}
		p["title"] = q.Name
		p["description"] = q.Description
		props[q.Name] = p
	}
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  base + "/collections/" + layer + "/queryables",
		"type":                 "object",
		"title":                l.Title,
		"properties":           props,
		"additionalProperties": false,
	}, nil
}

func geometryFormat(g string) string {
	switch g {
	case "Point":
		return "geometry-point"
	case "LineString":
		return "geometry-linestring-or-multilinestring"
	case "Polygon":
		return "geometry-polygon-or-multipolygon"
	}
	return "geometry-any"
}
