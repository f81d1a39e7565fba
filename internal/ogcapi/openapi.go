package ogcapi

import (
	"encoding/json"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// Operation describes one endpoint of the server for the OpenAPI document.
// Adding an endpoint to the document is adding one Operation to Operations.
type Operation struct {
	Method  string // GET, POST, PUT, DELETE
	Path    string // OpenAPI path template
	Tag     string // group
	Summary string
	Params  []string // names of components.parameters (path parameters are derived from Path)
	// Responses by status code: media type → schema name in
	// components.schemas ("" for a binary or text body with no schema).
	Responses map[string]map[string]string
	Body      string // schema name of a JSON request body, "" for none
	Auth      bool   // bearer token required
}

// TagPages is the tag of the HTML pages and static files, which a server
// without static files does not serve.
const TagPages = "Pages"

func ok(mt map[string]string) map[string]map[string]string {
	return map[string]map[string]string{"200": mt, "400": {"application/problem+json": "Problem"}, "404": {"application/problem+json": "Problem"}}
}

func okJSON(schema string) map[string]map[string]string {
	return ok(map[string]string{TypeJSON: schema})
}

var facetParams = []string{"country", "theme", "type", "kind", "provenance", "authority", "partner", "since", "until"}

func withFacets(ps ...string) []string { return append(append([]string{}, facetParams...), ps...) }

// Operations lists every endpoint of the server. The slice, its maps and
// slices are the caller's own.
func Operations() []Operation {
	return []Operation{
		// Atlas API.
		{Method: "GET", Path: "/tiles/{layers}/{z}/{x}/{y}.mvt", Tag: "Tiles", Summary: "Mapbox vector tile of one or more layers (comma-separated)", Params: withFacets("bbox"),
			Responses: map[string]map[string]string{"200": {TypeMVT: ""}, "204": {}, "400": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: "/tiles/{layers}.json", Tag: "Tiles", Summary: "TileJSON 3.0 of one or more layers", Params: withFacets("bbox"), Responses: okJSON("TileJSON")},
		{Method: "GET", Path: "/geojson/{layer}", Tag: "Data", Summary: "GeoJSON FeatureCollection of a layer, paged", Params: withFacets("bbox", "limit", "offset"),
			Responses: ok(map[string]string{TypeGeoJSON: "FeatureCollection"})},
		{Method: "GET", Path: "/api/stats", Tag: "Data", Summary: "Statistics table", Params: withFacets("bbox", "by", "unit", "format"),
			Responses: ok(map[string]string{TypeJSON: "Stats", "text/csv": ""})},
		{Method: "GET", Path: "/api/layers", Tag: "Data", Summary: "Layers with their fields and links", Responses: okJSON("Layers")},
		{Method: "GET", Path: "/api/facets", Tag: "Data", Summary: "Allowed filter values with counts", Responses: okJSON("Facets")},
		{Method: "GET", Path: "/api/search", Tag: "Data", Summary: "Authorities and partners whose name contains q", Params: []string{"q", "searchLimit"}, Responses: okJSON("Search")},
		{Method: "GET", Path: "/api/partnerships/{id}", Tag: "Data", Summary: "One partnership with both authorities and its projects", Responses: okJSON("Partnership")},
		{Method: "GET", Path: "/export/{layer}.{ext}", Tag: "Export", Summary: "Download a layer as GeoJSON, CSV or GeoPackage (ext: geojson, csv, gpkg)", Params: withFacets("bbox", "lang"),
			Responses: ok(map[string]string{TypeGeoJSON: "", "text/csv": "", "application/geopackage+sqlite3": ""})},
		{Method: "GET", Path: "/atlas/{country}.{ext}", Tag: "Export", Summary: "Printable map of a partner country (ext: svg, pdf, png)", Params: withFacets("bbox", "width", "height", "dpi", "title"),
			Responses: ok(map[string]string{"image/svg+xml": "", "application/pdf": "", "image/png": ""})},
		{Method: "POST", Path: "/api/partnerships", Tag: "Write", Summary: "Create a partnership", Body: "PartnershipInput", Auth: true, Responses: writeResponses("201")},
		{Method: "PUT", Path: "/api/partnerships/{id}", Tag: "Write", Summary: "Replace a partnership", Body: "PartnershipInput", Auth: true, Responses: writeResponses("200")},
		{Method: "DELETE", Path: "/api/partnerships/{id}", Tag: "Write", Summary: "Delete a partnership and its projects", Auth: true, Responses: deleteResponses()},
		{Method: "POST", Path: "/api/projects", Tag: "Write", Summary: "Add a project to a partnership (partnership_id in the body)", Body: "ProjectInput", Auth: true, Responses: writeResponses("201")},
		{Method: "PUT", Path: "/api/projects/{id}", Tag: "Write", Summary: "Replace a project", Body: "ProjectInput", Auth: true, Responses: writeResponses("200")},
		{Method: "DELETE", Path: "/api/projects/{id}", Tag: "Write", Summary: "Delete a project", Auth: true, Responses: deleteResponses()},
		{Method: "GET", Path: "/healthz", Tag: "Operations", Summary: "Liveness", Responses: map[string]map[string]string{"200": {TypeJSON: "Health"}}},
		{Method: "GET", Path: "/readyz", Tag: "Operations", Summary: "Readiness: 200 once data is loaded, 503 before",
			Responses: map[string]map[string]string{"200": {TypeJSON: "Ready"}, "503": {TypeJSON: "Ready"}}},
		{Method: "GET", Path: "/", Tag: TagPages, Summary: "Interactive atlas (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/embed", Tag: TagPages, Summary: "Embeddable map (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/atlas/{country}", Tag: TagPages, Summary: "Country page (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/static/{path}", Tag: TagPages, Summary: "Static assets (scripts, styles, glyphs)", Responses: map[string]map[string]string{"200": {"*/*": ""}, "404": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: "/api", Tag: "OGC API", Summary: "This OpenAPI 3.0 document", Params: []string{"f"}, Responses: map[string]map[string]string{"200": {TypeOpenAPI: "", TypeHTML: ""}}},

		// OGC API.
		{Method: "GET", Path: Prefix, Tag: "OGC API", Summary: "Landing page", Params: []string{"f"}, Responses: ok(map[string]string{TypeJSON: "LandingPage", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/api", Tag: "OGC API", Summary: "This OpenAPI 3.0 document", Params: []string{"f"}, Responses: map[string]map[string]string{"200": {TypeOpenAPI: "", TypeHTML: ""}}},
		{Method: "GET", Path: Prefix + "/conformance", Tag: "OGC API", Summary: "Conformance classes", Params: []string{"f"}, Responses: ok(map[string]string{TypeJSON: "Conformance", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/collections", Tag: "OGC API", Summary: "Collections", Params: []string{"f"}, Responses: ok(map[string]string{TypeJSON: "Collections", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}", Tag: "OGC API", Summary: "One collection", Params: []string{"f"}, Responses: ok(map[string]string{TypeJSON: "Collection", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}/queryables", Tag: "OGC API", Summary: "Queryables (JSON Schema)", Params: []string{"f"}, Responses: ok(map[string]string{TypeSchema: "Queryables", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}/items", Tag: "OGC API", Summary: "Features, paged, filtered by facets, bbox, datetime and CQL2",
			Params:    withFacets("ogcBbox", "bbox-crs", "datetime", "ogcLimit", "offset", "filter", "filter-lang", "filter-crs", "f"),
			Responses: ok(map[string]string{TypeGeoJSON: "FeatureCollection", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}/items/{featureId}", Tag: "OGC API", Summary: "One feature", Params: []string{"f"},
			Responses: ok(map[string]string{TypeGeoJSON: "Feature", TypeHTML: ""})},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}/tiles", Tag: "OGC API", Summary: "Vector tilesets of a collection", Responses: okJSON("TilesetsList")},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}/tiles/{tileMatrixSetId}", Tag: "OGC API", Summary: "Tileset metadata", Responses: okJSON("Tileset")},
		{Method: "GET", Path: Prefix + "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", Tag: "OGC API", Summary: "Vector tile of a collection", Params: withFacets(),
			Responses: map[string]map[string]string{"200": {TypeMVT: ""}, "204": {}, "400": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: Prefix + "/tiles", Tag: "OGC API", Summary: "Dataset vector tilesets (every collection)", Responses: okJSON("TilesetsList")},
		{Method: "GET", Path: Prefix + "/tiles/{tileMatrixSetId}", Tag: "OGC API", Summary: "Dataset tileset metadata", Params: []string{"collections"}, Responses: okJSON("Tileset")},
		{Method: "GET", Path: Prefix + "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", Tag: "OGC API", Summary: "Multi-layer vector tile", Params: withFacets("collections"),
			Responses: map[string]map[string]string{"200": {TypeMVT: ""}, "204": {}, "400": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: Prefix + "/tileMatrixSets", Tag: "OGC API", Summary: "Tile matrix sets", Responses: okJSON("TileMatrixSets")},
		{Method: "GET", Path: Prefix + "/tileMatrixSets/{tileMatrixSetId}", Tag: "OGC API", Summary: "Tile matrix set definition", Responses: okJSON("TileMatrixSet")},
	}
}

func writeResponses(code string) map[string]map[string]string {
	return map[string]map[string]string{code: {TypeJSON: "Record"}, "400": {"application/problem+json": "Problem"},
		"401": {"application/problem+json": "Problem"}, "404": {"application/problem+json": "Problem"}}
}

func deleteResponses() map[string]map[string]string {
	return map[string]map[string]string{"204": {}, "401": {"application/problem+json": "Problem"}, "404": {"application/problem+json": "Problem"}}
}

var pathParamDoc = map[string]map[string]any{
	"layers":          {"description": "comma-separated layer ids", "schema": map[string]any{"type": "string"}},
	"layer":           {"description": "layer id", "schema": map[string]any{"type": "string", "enum": layerIDs()}},
	"collectionId":    {"description": "collection (layer) id", "schema": map[string]any{"type": "string", "enum": layerIDs()}},
	"tileMatrixSetId": {"schema": map[string]any{"type": "string", "enum": []string{WebMercatorQuad}}},
	"z":               {"schema": map[string]any{"type": "integer", "minimum": 0}},
	"x":               {"schema": map[string]any{"type": "integer", "minimum": 0}},
	"y":               {"schema": map[string]any{"type": "integer", "minimum": 0}},
	"tileMatrix":      {"schema": map[string]any{"type": "string", "pattern": "^[0-9]+$"}},
	"tileRow":         {"schema": map[string]any{"type": "integer", "minimum": 0}},
	"tileCol":         {"schema": map[string]any{"type": "integer", "minimum": 0}},
	"ext":             {"description": "output format", "schema": map[string]any{"type": "string", "enum": []string{"geojson", "csv", "gpkg", "svg", "pdf", "png"}}},
}

func layerIDs() []string {
	var out []string
	for _, l := range index.Layers() {
		out = append(out, l.ID)
	}
	return out
}

func queryParam(name, desc string, schema map[string]any) map[string]any {
	return map[string]any{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

func str() map[string]any { return map[string]any{"type": "string"} }
func integer(min int) map[string]any {
	return map[string]any{"type": "integer", "minimum": min}
}

var queryParams = map[string]map[string]any{
	"country":     queryParam("country", "partner countries, ISO 3166-1 alpha-2, comma-separated", str()),
	"theme":       queryParam("theme", "project themes, comma-separated: "+strings.Join(atlas.ThemeSlugs(), ", "), str()),
	"type":        queryParam("type", "types of French authority: region, departement, groupement, commune", str()),
	"kind":        queryParam("kind", "kinds of partnership: jumelage, cooperation, amitie", str()),
	"provenance":  queryParam("provenance", "real, synthetic", str()),
	"authority":   queryParam("authority", "French authority ids", str()),
	"partner":     queryParam("partner", "partner ids", str()),
	"since":       queryParam("since", "first start year", map[string]any{"type": "integer", "minimum": atlas.MinYear, "maximum": atlas.MaxYear}),
	"until":       queryParam("until", "last start year", map[string]any{"type": "integer", "minimum": atlas.MinYear, "maximum": atlas.MaxYear}),
	"bbox":        queryParam("bbox", "minLon,minLat,maxLon,maxLat (WGS84)", str()),
	"ogcBbox":     {"name": "bbox", "in": "query", "required": false, "description": "minLon,minLat,maxLon,maxLat or 6 numbers (CRS84); minLon > maxLon crosses the antimeridian", "style": "form", "explode": false, "schema": map[string]any{"type": "array", "items": map[string]any{"type": "number"}, "minItems": 4, "maxItems": 6}},
	"bbox-crs":    queryParam("bbox-crs", "CRS of bbox: only "+CRS84, map[string]any{"type": "string", "enum": []string{CRS84}}),
	"datetime":    queryParam("datetime", "partnership start years: an instant (2005, 2005-06-01, 2005-06-01T00:00:00Z) or an interval (2000/2010, ../2010, 2000/..); unknown years are excluded. On other collections it selects through their partnerships, like the facets", str()),
	"limit":       queryParam("limit", "page size", integer(1)),
	"ogcLimit":    queryParam("limit", "page size; values above the maximum are served as the maximum", integer(1)),
	"searchLimit": queryParam("limit", "answers per layer (1 to 100)", map[string]any{"type": "integer", "minimum": 1, "maximum": 100}),
	"offset":      queryParam("offset", "index of the first feature", integer(0)),
	"filter":      queryParam("filter", "CQL2 filter on the queryables", str()),
	"filter-lang": queryParam("filter-lang", "cql2-text (default) or cql2-json", map[string]any{"type": "string", "enum": []string{"cql2-text", "cql2-json"}}),
	"filter-crs":  queryParam("filter-crs", "CRS of filter geometries: only "+CRS84, map[string]any{"type": "string", "enum": []string{CRS84}}),
	"f":           queryParam("f", "output format", map[string]any{"type": "string", "enum": []string{"json", "html"}}),
	"by":          queryParam("by", "grouping: "+strings.Join(index.StatsBy(), ", "), map[string]any{"type": "string", "enum": index.StatsBy()}),
	"unit":        queryParam("unit", "unit counted: "+strings.Join(index.StatsUnits(), ", "), map[string]any{"type": "string", "enum": index.StatsUnits()}),
	"format":      queryParam("format", "json or csv", map[string]any{"type": "string", "enum": []string{"json", "csv"}}),
	"q":           {"name": "q", "in": "query", "required": true, "description": "2 to 200 characters", "schema": str()},
	"lang":        queryParam("lang", "language of labels", map[string]any{"type": "string", "enum": []string{"fr", "en"}}),
	"width":       queryParam("width", "image width", integer(1)),
	"height":      queryParam("height", "image height", integer(1)),
	"dpi":         queryParam("dpi", "resolution", integer(1)),
	"title":       queryParam("title", "map title", str()),
	"collections": queryParam("collections", "comma-separated collection ids (default: all)", str()),
}

// OpenAPI returns the OpenAPI 3.0 document of the server at serverBase.
func OpenAPI(serverBase string) map[string]any {
	paths := map[string]map[string]any{}
	for _, op := range Operations() {
		item := paths[op.Path]
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		var params []any
		for _, seg := range strings.Split(op.Path, "{")[1:] {
			name, _, _ := strings.Cut(seg, "}")
			p := map[string]any{"name": name, "in": "path", "required": true, "schema": str()}
			for k, v := range pathParamDoc[name] {
				p[k] = v
			}
			params = append(params, p)
		}
		for _, name := range op.Params {
			params = append(params, map[string]any{"$ref": "#/components/parameters/" + name})
		}
		resps := map[string]any{}
		for code, media := range op.Responses {
			r := map[string]any{"description": statusText(code)}
			if len(media) > 0 {
				content := map[string]any{}
				for mt, schema := range media {
					c := map[string]any{}
					if schema != "" {
						c["schema"] = map[string]any{"$ref": "#/components/schemas/" + schema}
					}
					content[mt] = c
				}
				r["content"] = content
			}
			resps[code] = r
		}
		o := map[string]any{
			"summary": op.Summary, "tags": []string{op.Tag},
			"operationId": strings.ToLower(op.Method) + opID(op.Path),
			"responses":   resps,
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != "" {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{TypeJSON: map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + op.Body}}}}
		}
		if op.Auth {
			o["security"] = []map[string][]string{{"bearer": {}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	params := map[string]any{}
	for k, v := range queryParams {
		params[k] = v
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Atlas de la coopération décentralisée",
			"version":     "1.0.0",
			"description": "Partnerships of French local authorities with foreign partner authorities: vector tiles, GeoJSON, statistics, exports, OGC API Features (Part 1, Part 3 CQL2) and Tiles.",
			"license":     map[string]any{"name": "Data: see /static/ attribution"},
		},
		"servers": []map[string]any{{"url": serverBase}},
		"paths":   paths,
		"components": map[string]any{
			"parameters":      params,
			"schemas":         schemas(),
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

// OpenAPIJSON returns OpenAPI(serverBase) encoded.
func OpenAPIJSON(serverBase string) []byte {
	data, _ := json.Marshal(OpenAPI(serverBase))
	return data
}

func opID(path string) string {
	var b strings.Builder
	up := true
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		return "Root"
	}
	return b.String()
}

func statusText(code string) string {
	switch code {
	case "200":
		return "OK"
	case "201":
		return "Created"
	case "204":
		return "No Content"
	case "400":
		return "Bad Request"
	case "401":
		return "Unauthorized"
	case "404":
		return "Not Found"
	case "503":
		return "Service Unavailable"
	}
	return code
}

func obj(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func arr(items any) map[string]any { return map[string]any{"type": "array", "items": items} }
func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

var (
	tString = map[string]any{"type": "string"}
	tInt    = map[string]any{"type": "integer"}
	tNum    = map[string]any{"type": "number"}
	tBool   = map[string]any{"type": "boolean"}
	tObj    = map[string]any{"type": "object"}
)

func schemas() map[string]any {
	link := obj([]string{"href", "rel"}, map[string]any{"href": tString, "rel": tString, "type": tString, "title": tString, "templated": tBool})
	links := arr(ref("Link"))
	facetValue := obj([]string{"slug", "label_fr", "partnerships"}, map[string]any{"slug": tString, "label_fr": tString, "label_en": tString, "partnerships": tInt})
	authority := obj([]string{"id", "name", "type", "code", "partnerships", "point"}, map[string]any{
		"id": tString, "name": tString, "type": tString, "type_label": tString, "code": tString, "departement": tString,
		"region": tString, "population": tInt, "partnerships": tInt, "point": arr(tNum)})
	partner := obj([]string{"id", "name", "country", "partnerships", "point"}, map[string]any{
		"id": tString, "name": tString, "country": tString, "country_name": tString, "subdivision": tString,
		"geonameid": tInt, "population": tInt, "partnerships": tInt, "point": arr(tNum)})
	project := obj([]string{"id", "title", "themes", "provenance"}, map[string]any{"id": tString, "title": tString, "themes": arr(tString), "start_year": tInt, "provenance": tString})
	return map[string]any{
		"Link":    link,
		"Problem": obj([]string{"type", "title", "status", "detail"}, map[string]any{"type": tString, "title": tString, "status": tInt, "detail": tString, "param": tString}),
		"Feature": obj([]string{"type", "geometry", "properties"}, map[string]any{
			"type": map[string]any{"type": "string", "enum": []string{"Feature"}}, "id": map[string]any{"oneOf": []any{tString, tInt}},
			"geometry": map[string]any{"type": "object", "nullable": true, "required": []string{"type"}}, "properties": map[string]any{"type": "object", "nullable": true},
			"links": links}),
		"FeatureCollection": obj([]string{"type", "features"}, map[string]any{
			"type": map[string]any{"type": "string", "enum": []string{"FeatureCollection"}}, "features": arr(ref("Feature")),
			"links": links, "numberMatched": map[string]any{"type": "integer", "minimum": 0}, "numberReturned": map[string]any{"type": "integer", "minimum": 0},
			"timeStamp": map[string]any{"type": "string", "format": "date-time"}}),
		"TileJSON": obj([]string{"tilejson", "tiles"}, map[string]any{"tilejson": tString, "name": tString, "description": tString, "version": tString,
			"attribution": tString, "scheme": tString, "tiles": arr(tString), "minzoom": tInt, "maxzoom": tInt, "bounds": arr(tNum), "center": arr(tNum),
			"vector_layers": arr(obj([]string{"id", "fields"}, map[string]any{"id": tString, "description": tString, "minzoom": tInt, "maxzoom": tInt, "fields": tObj}))}),
		"Stats": obj([]string{"by", "unit", "total", "groups"}, map[string]any{"by": tString, "unit": tString, "total": tInt,
			"groups": arr(obj([]string{"key", "label", "count"}, map[string]any{"key": tString, "label": tString, "count": tInt}))}),
		"Layers": obj([]string{"version", "layers"}, map[string]any{"version": tString, "layers": arr(obj([]string{"id", "title", "fields", "features", "links"}, map[string]any{
			"id": tString, "title": tString, "description": tString, "geometry": tString, "features": tInt, "links": tObj,
			"fields": arr(obj([]string{"name", "type"}, map[string]any{"name": tString, "type": tString, "description": tString}))}))}),
		"Facets": obj([]string{"themes", "types", "kinds", "countries", "years"}, map[string]any{
			"themes": arr(facetValue), "types": arr(facetValue), "kinds": arr(facetValue),
			"countries": arr(obj([]string{"iso2", "name_fr", "partnerships"}, map[string]any{"iso2": tString, "name_fr": tString, "name_en": tString, "partnerships": tInt})),
			"years":     obj([]string{"min", "max"}, map[string]any{"min": tInt, "max": tInt})}),
		"Authority": authority,
		"Partner":   partner,
		"Search":    obj([]string{"authorities", "partners"}, map[string]any{"authorities": arr(ref("Authority")), "partners": arr(ref("Partner"))}),
		"Project":   project,
		"Partnership": obj([]string{"id", "kind", "active", "provenance", "authority", "partner", "projects"}, map[string]any{
			"id": tString, "kind": tString, "kind_label": tString, "start_year": tInt, "active": tBool, "provenance": tString,
			"authority": ref("Authority"), "partner": ref("Partner"), "projects": arr(ref("Project"))}),
		"PartnershipInput": obj([]string{"authority_id", "partner_id", "kind"}, map[string]any{
			"authority_id": tString, "partner_id": tString, "kind": map[string]any{"type": "string", "enum": []string{"jumelage", "cooperation", "amitie"}},
			"start_year": tInt, "active": tBool}),
		"Record":       obj([]string{"id"}, map[string]any{"id": tString}),
		"ProjectInput": obj([]string{"title", "themes"}, map[string]any{"partnership_id": tString, "title": tString, "themes": arr(map[string]any{"type": "string", "enum": atlas.ThemeSlugs()}), "start_year": tInt}),
		"Health":       obj([]string{"status"}, map[string]any{"status": tString}),
		"Ready":        obj([]string{"status"}, map[string]any{"status": map[string]any{"type": "string", "enum": []string{"ready", "degraded", "loading"}}, "version": tString, "detail": tString}),
		"LandingPage":  obj([]string{"links"}, map[string]any{"title": tString, "description": tString, "links": links}),
		"Conformance":  obj([]string{"conformsTo"}, map[string]any{"conformsTo": arr(tString)}),
		"Collection": obj([]string{"id", "links"}, map[string]any{"id": tString, "title": tString, "description": tString, "itemType": tString,
			"crs": arr(tString), "storageCrs": tString, "links": links,
			"extent": obj(nil, map[string]any{
				"spatial":  obj([]string{"bbox"}, map[string]any{"bbox": arr(map[string]any{"type": "array", "items": tNum, "minItems": 4, "maxItems": 6}), "crs": tString}),
				"temporal": obj([]string{"interval"}, map[string]any{"interval": arr(map[string]any{"type": "array", "items": map[string]any{"type": "string", "nullable": true}, "minItems": 2, "maxItems": 2}), "trs": tString})})}),
		"Collections":    obj([]string{"links", "collections"}, map[string]any{"links": links, "collections": arr(ref("Collection"))}),
		"Queryables":     obj([]string{"type", "properties"}, map[string]any{"$schema": tString, "$id": tString, "type": tString, "title": tString, "properties": tObj}),
		"TilesetsList":   obj([]string{"tilesets"}, map[string]any{"links": links, "tilesets": arr(obj([]string{"dataType", "links"}, map[string]any{"title": tString, "dataType": tString, "crs": tString, "tileMatrixSetURI": tString, "links": links}))}),
		"Tileset":        obj([]string{"dataType", "links"}, map[string]any{"title": tString, "dataType": tString, "crs": tString, "tileMatrixSetURI": tString, "links": links, "layers": arr(tObj), "boundingBox": tObj, "tileMatrixSetLimits": arr(tObj)}),
		"TileMatrixSets": obj([]string{"tileMatrixSets"}, map[string]any{"tileMatrixSets": arr(obj([]string{"id", "links"}, map[string]any{"id": tString, "title": tString, "uri": tString, "links": links}))}),
		"TileMatrixSet": obj([]string{"id", "crs", "tileMatrices"}, map[string]any{"id": tString, "title": tString, "uri": tString, "crs": tString,
			"orderedAxes": arr(tString), "wellKnownScaleSet": tString, "boundingBox": tObj,
			"tileMatrices": arr(obj([]string{"id", "scaleDenominator", "cellSize", "pointOfOrigin", "tileWidth", "tileHeight", "matrixWidth", "matrixHeight"}, map[string]any{
				"id": tString, "scaleDenominator": tNum, "cellSize": tNum, "cornerOfOrigin": tString, "pointOfOrigin": arr(tNum),
				"tileWidth": tInt, "tileHeight": tInt, "matrixWidth": tInt, "matrixHeight": tInt}))}),
	}
}
