package ogcapi

import (
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/query"
)

// QueryablesDoc is the JSON Schema (2020-12) document of a collection's
// queryables.
type QueryablesDoc struct {
	ID                   string               `json:"$id"`
	Schema               string               `json:"$schema"`
	AdditionalProperties bool                 `json:"additionalProperties"`
	Properties           map[string]Queryable `json:"properties"`
	Title                string               `json:"title"`
	Type                 string               `json:"type"`
}

// Queryable is the JSON Schema of one queryable.
type Queryable struct {
	Description string          `json:"description"`
	Enum        []string        `json:"enum,omitempty"`
	Format      string          `json:"format,omitempty"`
	Items       *QueryableItems `json:"items,omitempty"`
	Title       string          `json:"title"`
	Type        string          `json:"type,omitempty"`
	Role        string          `json:"x-ogc-role,omitempty"`
}

// QueryableItems is the schema of the items of an array queryable.
type QueryableItems struct {
	Enum []string `json:"enum"`
	Type string   `json:"type"`
}

// QueryablesSchema returns the JSON Schema (2020-12) document of a
// collection's queryables, served as application/schema+json.
func QueryablesSchema(base, layer string) (QueryablesDoc, error) {
	qs, err := query.Queryables(layer)
	if err != nil {
		return QueryablesDoc{}, err
	}
	l, _ := index.LayerByID(layer)
	props := map[string]Queryable{}
	for _, q := range qs {
		var p Queryable
		switch q.Type {
		case query.TypeArray:
			p = Queryable{Type: "array", Items: &QueryableItems{Type: "string", Enum: q.Enum}}
		case query.TypeTheme:
			p = Queryable{Type: "string", Enum: q.Enum}
		case query.TypeYear:
			p = Queryable{Type: "integer"}
		case query.TypeGeometry:
			p = Queryable{Format: geometryFormat(l.Geometry), Role: "primary-geometry"}
		default:
			p = Queryable{Type: q.Type, Enum: q.Enum}
		}
		p.Title = q.Name
		p.Description = q.Description
		props[q.Name] = p
	}
	return QueryablesDoc{
		Schema:               "https://json-schema.org/draft/2020-12/schema",
		ID:                   base + "/collections/" + layer + "/queryables",
		Type:                 "object",
		Title:                l.Title,
		Properties:           props,
		AdditionalProperties: false,
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
