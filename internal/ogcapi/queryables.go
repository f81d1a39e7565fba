package ogcapi

import (
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/query"
)

// QueryablesSchema returns the JSON Schema (2020-12) document of a
// collection's queryables, served as application/schema+json.
func QueryablesSchema(base, layer string) (map[string]any, error) {
	qs, err := query.Queryables(layer)
	if err != nil {
		return nil, err
	}
	l, _ := index.LayerByID(layer)
	props := map[string]any{}
	for _, q := range qs {
		var p map[string]any
		switch q.Type {
		case query.TypeArray:
			p = map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": q.Enum}}
		case query.TypeTheme:
			p = map[string]any{"type": "string", "enum": q.Enum}
		case query.TypeYear:
			p = map[string]any{"type": "integer"}
		case query.TypeGeometry:
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
