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

// withFacets returns the filter parameters every filtered endpoint takes,
// followed by ps.
func withFacets(ps ...string) []string {
	return append([]string{"country", "theme", "type", "kind", "provenance", "authority", "partner", "since", "until"}, ps...)
}

// Operations lists every endpoint of the server. The slice, its maps and
// slices are the caller's own.
func Operations() []Operation {
	return []Operation{
		// Atlas API.
		{Method: "GET", Path: "/tiles/{layers}/{z}/{x}/{y}.mvt", Tag: "Tiles", Summary: "Mapbox vector tile of one or more layers (comma-separated)", Params: withFacets("bbox"),
			Responses: map[string]map[string]string{"200": {TypeMVT: ""}, "204": {}, "400": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: "/tiles/{layers}.json", Tag: "Tiles", Summary: "TileJSON 3.0 of one or more layers", Params: withFacets("bbox"), Responses: okJSON("TileJSON")},
		{Method: "GET", Path: "/geojson/{layer}", Tag: "Data", Summary: "GeoJSON FeatureCollection of a layer, paged", Params: withFacets("bbox", "limit", "offset", "sortby"),
			Responses: ok(map[string]string{TypeGeoJSON: "FeatureCollection"})},
		{Method: "GET", Path: "/api/stats", Tag: "Data", Summary: "Statistics table", Params: withFacets("bbox", "by", "unit", "format"),
			Responses: ok(map[string]string{TypeJSON: "Stats", "text/csv": ""})},
		{Method: "GET", Path: "/api/layers", Tag: "Data", Summary: "Layers with their fields and links", Responses: okJSON("Layers")},
		{Method: "GET", Path: "/api/sources", Tag: "Data", Summary: "The data's sources with the credits their licences require, and the share of real records", Responses: okJSON("Sources")},
		{Method: "GET", Path: "/api/facets", Tag: "Data", Summary: "Allowed filter values with counts", Responses: okJSON("Facets")},
		{Method: "GET", Path: "/api/search", Tag: "Data", Summary: "Authorities and partners whose name contains q", Params: []string{"q", "searchLimit"}, Responses: okJSON("Search")},
		{Method: "GET", Path: "/api/partnerships/{id}", Tag: "Data", Summary: "One partnership with both authorities and its projects", Responses: okJSON("Partnership")},
		{Method: "GET", Path: "/api/authorities/{id}", Tag: "Directory", Summary: "The fiche of a French collectivité: identity, partnerships, projects, themes, start years, neighbours abroad, contact", Responses: okJSON("AuthorityFiche")},
		{Method: "GET", Path: "/api/partners/{id}", Tag: "Directory", Summary: "The fiche of a foreign partner authority: identity, partnerships, projects, French collectivités working nearby", Responses: okJSON("PartnerFiche")},
		{Method: "GET", Path: "/api/countries/{country}/authorities", Tag: "Directory", Summary: "Qui coopère avec … ? The French collectivités active in a country, by type (format=csv for a download)",
			Params: []string{"theme", "type", "kind", "provenance", "authority", "partner", "since", "until", "format"}, Responses: ok(map[string]string{TypeJSON: "Cooperations", "text/csv": ""})},
		{Method: "GET", Path: "/api/bourse", Tag: "Directory", Summary: "Bourse-projets: the open requests of foreign local authorities looking for a French partner (format=geojson for a map layer)",
			Params: []string{"country", "theme", "bourseFormat"}, Responses: ok(map[string]string{TypeJSON: "Bourse", TypeGeoJSON: ""})},
		{Method: "GET", Path: "/api/bourse/{id}", Tag: "Directory", Summary: "One request of the bourse-projets with the French collectivités ranked for it (documented score)",
			Params: []string{"matchLimit"}, Responses: okJSON("BourseRequest")},
		{Method: "GET", Path: "/api/bourse/tiles/{z}/{x}/{y}.mvt", Tag: "Directory", Summary: "The open requests as a vector tile layer (bourse, points)", Params: []string{"country", "theme"},
			Responses: map[string]map[string]string{"200": {TypeMVT: ""}, "204": {}, "400": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: "/api/authorities/{id}/bourse", Tag: "Directory", Summary: "The open requests ranked for a French collectivité", Responses: okJSON("BourseForAuthority")},
		{Method: "POST", Path: "/api/bourse", Tag: "Write", Summary: "Publish a request of the bourse-projets (a ministry token)", Body: "RequestInput", Auth: true, Responses: writeResponses("201")},
		{Method: "PUT", Path: "/api/bourse/{id}", Tag: "Write", Summary: "Replace or close (status closed) a request (a ministry token)", Body: "RequestInput", Auth: true, Responses: writeResponses("200")},
		{Method: "POST", Path: "/api/bourse/{id}/interest", Tag: "Write", Summary: "A collectivité expresses its interest in an open request (its own token; 409 when closed or expired)", Body: "InterestInput", Auth: true, Responses: writeResponses("200")},
		{Method: "GET", Path: "/api/bourse/{id}/interests", Tag: "Write", Summary: "The collectivités interested in a request (a ministry token)", Auth: true, Responses: writeResponses("200")},
		{Method: "GET", Path: "/api/analyses/priority-countries", Tag: "Directory", Summary: "Countries with the fewest cooperations, the 19 CICID 2018 priority countries apart, with partnerships per million inhabitants",
			Params: withFacets("format"), Responses: ok(map[string]string{TypeJSON: "Fewest", "text/csv": ""})},
		{Method: "GET", Path: "/api/analyses/coordination", Tag: "Directory", Summary: "Foreign territories where two or more French collectivités act (partners within radius km of a centre partner)",
			Params: withFacets("format", "radius", "coordinationLimit"), Responses: ok(map[string]string{TypeJSON: "Coordinations", "text/csv": ""})},
		{Method: "GET", Path: "/api/apd", Tag: "Money", Summary: "APD (aide publique au développement) declared by the collectivités, summed and counted by year, country, sector, territory, type, authority or channel (declared lines only; format=csv for a download)",
			Params:    []string{"apdCountry", "theme", "type", "authority", "apdProvenance", "apdSince", "apdUntil", "year", "sector", "channel", "refugees", "apdBy", "format", "lang", "bom"},
			Responses: ok(map[string]string{TypeJSON: "APD", "text/csv": ""})},
		{Method: "GET", Path: "/api/apd/sectors", Tag: "Money", Summary: "The OECD DAC purpose codes with their categories and the atlas theme of each", Responses: okJSON("APDSectors")},
		{Method: "GET", Path: "/api/calls", Tag: "Money", Summary: "The ministry's calls for projects with their status today and the counts of their applications (format=csv for a download)",
			Params: []string{"callKind", "theme", "callCountry", "year", "callStatus", "format", "lang", "bom"}, Responses: ok(map[string]string{TypeJSON: "Calls", "text/csv": ""})},
		{Method: "GET", Path: "/api/calls/{id}", Tag: "Money", Summary: "One call for projects with its counts and laureates", Responses: okJSON("CallDetail")},
		{Method: "GET", Path: "/api/calls/{id}/applications", Tag: "Money", Summary: "Every application to a call: status and amounts (format=csv for a download)",
			Params: []string{"format", "lang", "bom"}, Responses: ok(map[string]string{TypeJSON: "CallApplications", "text/csv": ""})},
		{Method: "GET", Path: "/export/{layer}.{ext}", Tag: "Export", Summary: "Download a layer as GeoJSON, CSV or GeoPackage (ext: geojson, csv, gpkg); a CSV takes offset and limit (one page of the sortby order)", Params: withFacets("bbox", "lang", "sortby", "offset", "limit"),
			Responses: ok(map[string]string{TypeGeoJSON: "", "text/csv": "", "application/geopackage+sqlite3": ""})},
		{Method: "GET", Path: "/atlas/{country}.{ext}", Tag: "Export", Summary: "Printable map of a partner country (ext: svg, pdf, png)", Params: withFacets("bbox", "width", "height", "dpi", "title"),
			Responses: ok(map[string]string{"image/svg+xml": "", "application/pdf": "", "image/png": ""})},
		{Method: "POST", Path: "/api/partnerships", Tag: "Write", Summary: "Create a partnership", Body: "PartnershipInput", Auth: true, Responses: writeResponses("201")},
		{Method: "PUT", Path: "/api/partnerships/{id}", Tag: "Write", Summary: "Replace a partnership", Body: "PartnershipInput", Auth: true, Responses: writeResponses("200")},
		{Method: "DELETE", Path: "/api/partnerships/{id}", Tag: "Write", Summary: "Delete a partnership and its projects", Auth: true, Responses: deleteResponses()},
		{Method: "POST", Path: "/api/projects", Tag: "Write", Summary: "Add a project to a partnership (partnership_id in the body)", Body: "ProjectInput", Auth: true, Responses: writeResponses("201")},
		{Method: "PUT", Path: "/api/projects/{id}", Tag: "Write", Summary: "Replace a project", Body: "ProjectInput", Auth: true, Responses: writeResponses("200")},
		{Method: "DELETE", Path: "/api/projects/{id}", Tag: "Write", Summary: "Delete a project", Auth: true, Responses: deleteResponses()},
		{Method: "PUT", Path: "/api/authorities/{id}/fiche", Tag: "Write", Summary: "Write a collectivité's own fiche: international relations contact (a service and a role), website, presentation (fr, en), logo on its own site; its own token only", Body: "FicheInput", Auth: true, Responses: writeResponses("200")},
		{Method: "PUT", Path: "/api/apd/{authority}/{year}", Tag: "Write", Summary: "Declare a collectivité's APD for a year (its own token, or an admin's): a draft is replaced; a declared year is amended (status amended, version + 1, the previous version kept); a draft over a declared year is 409", Body: "APDInput", Auth: true, Responses: writeResponses("200")},
		{Method: "GET", Path: "/api/apd/{authority}/{year}", Tag: "Write", Summary: "One APD declaration with its previous versions (the collectivité's own token, the ministry's or an admin's)", Auth: true, Responses: writeResponses("200")},
		{Method: "GET", Path: "/api/apd/declarations", Tag: "Write", Summary: "The APD declarations a token may read, drafts included: a collectivité its own, the ministry and an admin all", Params: []string{"apdYear", "authority"}, Auth: true, Responses: writeResponses("200")},
		{Method: "POST", Path: "/api/calls/{id}/applications", Tag: "Write", Summary: "Deposit an application to an open call for projects (a collectivité's token; 409 naming the date when the call is not open)", Body: "ApplicationInput", Auth: true, Responses: writeResponses("201")},
		{Method: "PATCH", Path: "/api/calls/{id}/applications/{app}", Tag: "Write", Summary: "The ministry's decision on an application: recevable, laureat (with granted_eur), refusee (a ministry or admin token)", Body: "StatusChange", Auth: true, Responses: writeResponses("200")},
		{Method: "POST", Path: "/api/session", Tag: "Write", Summary: "Sign in to the extranet: the token in the body opens a session of 8 hours, set as an HttpOnly, Secure, SameSite=Strict cookie on /api/ that the write routes take in place of the bearer token; the answer gives the session's csrf_token, to send in X-CSRF-Token on every write with the cookie", Body: "SessionInput",
			Responses: map[string]map[string]string{"201": {TypeJSON: "Session"}, "400": {"application/problem+json": "Problem"}, "401": {"application/problem+json": "Problem"}, "429": {"application/problem+json": "Problem"}, "503": {"application/problem+json": "Problem"}}},
		{Method: "GET", Path: "/api/session", Tag: "Write", Summary: "The extranet session of the cookie: who it writes for, when it expires, its csrf_token", Auth: true,
			Responses: map[string]map[string]string{"200": {TypeJSON: "Session"}, "401": {"application/problem+json": "Problem"}, "503": {"application/problem+json": "Problem"}}},
		{Method: "DELETE", Path: "/api/session", Tag: "Write", Summary: "Sign out: close the cookie's session (needs its X-CSRF-Token)", Auth: true, Responses: deleteResponses()},
		{Method: "GET", Path: "/healthz", Tag: "Operations", Summary: "Liveness", Responses: map[string]map[string]string{"200": {TypeJSON: "Health"}}},
		{Method: "GET", Path: "/readyz", Tag: "Operations", Summary: "Readiness: 200 once data is loaded, 503 before",
			Responses: map[string]map[string]string{"200": {TypeJSON: "Ready"}, "503": {TypeJSON: "Ready"}}},
		{Method: "GET", Path: "/metrics", Tag: "Operations", Summary: "Metrics in the Prometheus text format: requests, latency, rejections, caches, snapshot, database, Go runtime",
			Responses: map[string]map[string]string{"200": {"text/plain": ""}}},
		{Method: "GET", Path: "/", Tag: TagPages, Summary: "Interactive atlas (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/embed", Tag: TagPages, Summary: "Embeddable map (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/atlas/{country}", Tag: TagPages, Summary: "Country page (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/collectivites/{id}", Tag: TagPages, Summary: "Fiche of a French collectivité (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/partenaires/{id}", Tag: TagPages, Summary: "Fiche of a foreign partner (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/qui-coopere/{country}", Tag: TagPages, Summary: "The French collectivités active in a country (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/bourse", Tag: TagPages, Summary: "The bourse-projets: open requests on a map and as a table (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/bourse/{id}", Tag: TagPages, Summary: "One request of the bourse-projets with the collectivités ranked for it (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/donnees", Tag: TagPages, Summary: "Données et sources: provenance, licences, what is synthetic and why (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/accessibilite", Tag: TagPages, Summary: "Déclaration d'accessibilité (RGAA 4.1) (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/mentions-legales", Tag: TagPages, Summary: "Mentions légales and données personnelles (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/plan-du-site", Tag: TagPages, Summary: "Plan du site (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/apd", Tag: TagPages, Summary: "Aide publique au développement des collectivités: by year, country (choropleth), sector and collectivité, each with its table and CSV (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/extranet/apd", Tag: TagPages, Summary: "Extranet: signed in with its token (POST /api/session), a collectivité declares or amends a year's APD and gets a receipt (HTML form on PUT /api/apd/{authority}/{year})", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/extranet/appels", Tag: TagPages, Summary: "Extranet: signed in, a collectivité deposits an application to an open call for projects (POST /api/calls/{id}/applications, with an Idempotency-Key), gets a receipt, and follows its applications", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/appels", Tag: TagPages, Summary: "Appels à projets du ministère, their laureates on a map and their amounts (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
		{Method: "GET", Path: "/analyses", Tag: TagPages, Summary: "The ministry's analyses: priority countries, coordination (HTML)", Responses: map[string]map[string]string{"200": {TypeHTML: ""}}},
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
		"401": {"application/problem+json": "Problem"}, "404": {"application/problem+json": "Problem"}, "429": {"application/problem+json": "Problem"}, "503": {"application/problem+json": "Problem"}}
}

func deleteResponses() map[string]map[string]string {
	return map[string]map[string]string{"204": {}, "401": {"application/problem+json": "Problem"}, "404": {"application/problem+json": "Problem"}, "429": {"application/problem+json": "Problem"}, "503": {"application/problem+json": "Problem"}}
}

// The OpenAPI document is typed: OpenAPIDoc and the structs below hold the
// parts of OpenAPI 3.0 the server's description uses. Fields are declared in
// the order of their JSON names (see Landing), so the document encodes as
// the bytes the maps it replaces did.

// OpenAPIDoc is an OpenAPI 3.0 document.
type OpenAPIDoc struct {
	Components Components          `json:"components"`
	Info       Info                `json:"info"`
	OpenAPI    string              `json:"openapi"`
	Paths      map[string]PathItem `json:"paths"`
	Servers    []Server            `json:"servers"`
}

// PathItem is the operations of one path, by lower-case method.
type PathItem map[string]*OperationDoc

type Components struct {
	Parameters      map[string]*Parameter     `json:"parameters"`
	Schemas         map[string]*Schema        `json:"schemas"`
	SecuritySchemes map[string]SecurityScheme `json:"securitySchemes"`
}

type Info struct {
	Description string  `json:"description"`
	License     License `json:"license"`
	Title       string  `json:"title"`
	Version     string  `json:"version"`
}

type License struct {
	Name string `json:"name"`
}

type Server struct {
	URL string `json:"url"`
}

type SecurityScheme struct {
	Description string `json:"description,omitempty"`
	In          string `json:"in,omitempty"`
	Name        string `json:"name,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
	Type        string `json:"type"`
}

// OperationDoc is an OpenAPI operation object.
type OperationDoc struct {
	OperationID string                `json:"operationId"`
	Parameters  []any                 `json:"parameters,omitempty"` // *Parameter or Ref
	RequestBody *RequestBody          `json:"requestBody,omitempty"`
	Responses   map[string]Response   `json:"responses"`
	Security    []map[string][]string `json:"security,omitempty"`
	Summary     string                `json:"summary"`
	Tags        []string              `json:"tags"`
}

// Parameter is an OpenAPI parameter object.
type Parameter struct {
	Description string  `json:"description,omitempty"`
	Explode     *bool   `json:"explode,omitempty"`
	In          string  `json:"in"`
	Name        string  `json:"name"`
	Required    bool    `json:"required"`
	Schema      *Schema `json:"schema"`
	Style       string  `json:"style,omitempty"`
}

// Ref is a reference to a component.
type Ref struct {
	Ref string `json:"$ref"`
}

type RequestBody struct {
	Content  map[string]MediaType `json:"content"`
	Required bool                 `json:"required"`
}

type Response struct {
	Content     map[string]MediaType `json:"content,omitempty"`
	Description string               `json:"description"`
}

type MediaType struct {
	Schema *Schema `json:"schema,omitempty"`
}

// Schema is the subset of the OpenAPI 3.0 schema object the document uses.
type Schema struct {
	Ref        string             `json:"$ref,omitempty"`
	AllOf      []*Schema          `json:"allOf,omitempty"`
	Enum       []string           `json:"enum,omitempty"`
	Format     string             `json:"format,omitempty"`
	Items      *Schema            `json:"items,omitempty"`
	MaxItems   int                `json:"maxItems,omitempty"`
	Maximum    *int               `json:"maximum,omitempty"`
	MinItems   int                `json:"minItems,omitempty"`
	Minimum    *int               `json:"minimum,omitempty"`
	Nullable   bool               `json:"nullable,omitempty"`
	OneOf      []*Schema          `json:"oneOf,omitempty"`
	Pattern    string             `json:"pattern,omitempty"`
	Properties map[string]*Schema `json:"properties,omitempty"`
	Required   []string           `json:"required,omitempty"`
	Type       string             `json:"type,omitempty"`
}

func str() *Schema              { return &Schema{Type: "string"} }
func enum(vs ...string) *Schema { return &Schema{Type: "string", Enum: vs} }
func integer(min int) *Schema   { return &Schema{Type: "integer", Minimum: &min} }
func numberBetween(min, max int) *Schema {
	return &Schema{Type: "number", Minimum: &min, Maximum: &max}
}
func between(min, max int) *Schema {
	return &Schema{Type: "integer", Minimum: &min, Maximum: &max}
}

// pathParam returns the documentation of the path parameter name.
func pathParam(name string) *Parameter {
	p := &Parameter{Name: name, In: "path", Required: true, Schema: str()}
	switch name {
	case "layers":
		p.Description = "comma-separated layer ids"
	case "layer":
		p.Description, p.Schema = "layer id", enum(layerIDs()...)
	case "collectionId":
		p.Description, p.Schema = "collection id: a layer, or apd and calls (no tiles, no CQL2 filter)", enum(append(layerIDs(), MoneyCollections()...)...)
	case "tileMatrixSetId":
		p.Schema = enum(WebMercatorQuad)
	case "z", "x", "y", "tileRow", "tileCol":
		p.Schema = integer(0)
	case "tileMatrix":
		p.Schema = &Schema{Type: "string", Pattern: "^[0-9]+$"}
	case "ext":
		p.Description, p.Schema = "output format", enum("geojson", "csv", "gpkg", "svg", "pdf", "png")
	}
	return p
}

func layerIDs() []string {
	var out []string
	for _, l := range index.Layers() {
		out = append(out, l.ID)
	}
	return out
}

func queryParam(name, desc string, schema *Schema) *Parameter {
	return &Parameter{Name: name, In: "query", Required: false, Description: desc, Schema: schema}
}

// queryParams returns the query parameters of components.parameters, by
// component name.
func queryParams() map[string]*Parameter {
	explode := false
	return map[string]*Parameter{
		"country":           queryParam("country", "partner countries, ISO 3166-1 alpha-2, comma-separated", str()),
		"theme":             queryParam("theme", "project themes, comma-separated: "+strings.Join(atlas.ThemeSlugs(), ", "), str()),
		"type":              queryParam("type", "types of French authority: region, departement, groupement, commune", str()),
		"kind":              queryParam("kind", "kinds of partnership: jumelage, cooperation, amitie", str()),
		"provenance":        queryParam("provenance", "real, synthetic", str()),
		"authority":         queryParam("authority", "French authority ids", str()),
		"partner":           queryParam("partner", "partner ids", str()),
		"since":             queryParam("since", "first start year", between(atlas.MinYear, atlas.MaxYear)),
		"until":             queryParam("until", "last start year", between(atlas.MinYear, atlas.MaxYear)),
		"bbox":              queryParam("bbox", "minLon,minLat,maxLon,maxLat (WGS84)", str()),
		"ogcBbox":           {Name: "bbox", In: "query", Required: false, Description: "minLon,minLat,maxLon,maxLat or 6 numbers (CRS84); minLon > maxLon crosses the antimeridian", Style: "form", Explode: &explode, Schema: &Schema{Type: "array", Items: &Schema{Type: "number"}, MinItems: 4, MaxItems: 6}},
		"bbox-crs":          queryParam("bbox-crs", "CRS of bbox: only "+CRS84, enum(CRS84)),
		"datetime":          queryParam("datetime", "partnership start years: an instant (2005, 2005-06-01, 2005-06-01T00:00:00Z) or an interval (2000/2010, ../2010, 2000/..); unknown years are excluded. On other collections it selects through their partnerships, like the facets", str()),
		"limit":             queryParam("limit", "page size", integer(1)),
		"ogcLimit":          queryParam("limit", "page size; values above the maximum are served as the maximum", integer(1)),
		"searchLimit":       queryParam("limit", "answers per layer (1 to 100)", between(1, 100)),
		"offset":            queryParam("offset", "index of the first feature", integer(0)),
		"sortby":            queryParam("sortby", "partnerships only: the order of the list, one of authority, type, departement, partner, country, kind, start_year, themes, with a leading - for descending (those without a value last either way)", str()),
		"filter":            queryParam("filter", "CQL2 filter on the queryables", str()),
		"filter-lang":       queryParam("filter-lang", "cql2-text (default) or cql2-json", enum("cql2-text", "cql2-json")),
		"filter-crs":        queryParam("filter-crs", "CRS of filter geometries: only "+CRS84, enum(CRS84)),
		"f":                 queryParam("f", "output format", enum("json", "html")),
		"by":                queryParam("by", "grouping: "+strings.Join(index.StatsBy(), ", "), enum(index.StatsBy()...)),
		"unit":              queryParam("unit", "unit counted: "+strings.Join(index.StatsUnits(), ", "), enum(index.StatsUnits()...)),
		"format":            queryParam("format", "json or csv", enum("json", "csv")),
		"q":                 {Name: "q", In: "query", Required: true, Description: "2 to 200 characters", Schema: str()},
		"lang":              queryParam("lang", "language of labels", enum("fr", "en")),
		"width":             queryParam("width", "image width", integer(1)),
		"height":            queryParam("height", "image height", integer(1)),
		"dpi":               queryParam("dpi", "resolution", integer(1)),
		"title":             queryParam("title", "map title", str()),
		"bourseFormat":      queryParam("format", "json or geojson", enum("json", "geojson")),
		"matchLimit":        queryParam("limit", "collectivités ranked (1 to 200, default 20)", between(1, 200)),
		"radius":            queryParam("radius", "radius of a territory around its centre partner, km (1 to 200, default 25)", numberBetween(1, 200)),
		"coordinationLimit": queryParam("limit", "territories returned (1 to 1000, default 100)", between(1, 1000)),
		"apdYear":           queryParam("year", "a year of declarations", integer(2000)),
		"collections":       queryParam("collections", "comma-separated collection ids (default: all)", str()),
		"bom":               queryParam("bom", "true: a UTF-8 byte order mark on the English CSV (the French one, lang=fr, always has one and is separated by semicolons)", enum("true", "false")),
		"apdCountry":        queryParam("country", "beneficiary countries, ISO 3166-1 alpha-2, comma-separated; multi for the APD allocated to no one country", str()),
		"apdProvenance":     queryParam("provenance", "declared (through the write API) or synthetic (the generated complement)", str()),
		"apdSince":          queryParam("since", "first year of declaration", between(atlas.MinYear, atlas.MaxYear)),
		"apdUntil":          queryParam("until", "last year of declaration", between(atlas.MinYear, atlas.MaxYear)),
		"year":              queryParam("year", "years, comma-separated", str()),
		"sector":            queryParam("sector", "DAC purpose codes (5 digits) or categories (3 digits), comma-separated (see /api/apd/sectors)", str()),
		"channel":           queryParam("channel", "channels, comma-separated: "+strings.Join(conv(atlas.Channels()), ", "), str()),
		"refugees":          queryParam("refugees", "true: aid to refugees in France only; false: the rest", enum("true", "false")),
		"apdBy":             queryParam("by", "grouping (default year)", enum("year", "country", "sector", "sector_code", "region", "departement", "type", "authority", "channel")),
		"callKind":          queryParam("kind", "kinds of call, comma-separated: "+strings.Join(conv(atlas.CallKinds()), ", "), str()),
		"callCountry":       queryParam("country", "countries, ISO 3166-1 alpha-2, comma-separated: a call naming none accepts any", str()),
		"callStatus":        queryParam("status", "the call's status today", enum("open", "closed", "upcoming")),
	}
}

// OpenAPI returns the OpenAPI 3.0 document of the server at serverBase.
func OpenAPI(serverBase string) OpenAPIDoc {
	paths := map[string]PathItem{}
	for _, op := range Operations() {
		item := paths[op.Path]
		if item == nil {
			item = PathItem{}
			paths[op.Path] = item
		}
		var params []any
		for _, seg := range strings.Split(op.Path, "{")[1:] {
			name, _, _ := strings.Cut(seg, "}")
			params = append(params, pathParam(name))
		}
		for _, name := range op.Params {
			params = append(params, Ref{"#/components/parameters/" + name})
		}
		resps := map[string]Response{}
		for code, media := range op.Responses {
			r := Response{Description: statusText(code)}
			if len(media) > 0 {
				r.Content = map[string]MediaType{}
				for mt, schema := range media {
					var c MediaType
					if schema != "" {
						c.Schema = ref(schema)
					}
					r.Content[mt] = c
				}
			}
			resps[code] = r
		}
		o := &OperationDoc{
			Summary: op.Summary, Tags: []string{op.Tag},
			OperationID: strings.ToLower(op.Method) + opID(op.Path),
			Responses:   resps,
			Parameters:  params,
		}
		if op.Body != "" {
			o.RequestBody = &RequestBody{Required: true, Content: map[string]MediaType{TypeJSON: {Schema: ref(op.Body)}}}
		}
		if op.Auth {
			o.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	return OpenAPIDoc{
		OpenAPI: "3.0.3",
		Info: Info{
			Title:       "Atlas de la coopération décentralisée",
			Version:     "1.0.0",
			Description: "Partnerships of French local authorities with foreign partner authorities: vector tiles, GeoJSON, statistics, exports, OGC API Features (Part 1, Part 3 CQL2) and Tiles.",
			License:     License{Name: "Data: see /static/ attribution"},
		},
		Servers: []Server{{URL: serverBase}},
		Paths:   paths,
		Components: Components{
			Parameters: queryParams(),
			Schemas:    schemas(),
			SecuritySchemes: map[string]SecurityScheme{"bearer": {Type: "http", Scheme: "bearer"},
				"session": {Type: "apiKey", In: "cookie", Name: "atlas_session",
					Description: "the extranet's session (POST /api/session); a write with it also needs the session's csrf_token in the X-CSRF-Token header"}},
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

func obj(required []string, props map[string]*Schema) *Schema {
	return &Schema{Type: "object", Properties: props, Required: required}
}

func arr(items *Schema) *Schema { return &Schema{Type: "array", Items: items} }
func ref(name string) *Schema   { return &Schema{Ref: "#/components/schemas/" + name} }

// schemas returns components.schemas.
func schemas() map[string]*Schema {
	tString := &Schema{Type: "string"}
	tInt := &Schema{Type: "integer"}
	tNum := &Schema{Type: "number"}
	tBool := &Schema{Type: "boolean"}
	tObj := &Schema{Type: "object"}
	link := obj([]string{"href", "rel"}, map[string]*Schema{"href": tString, "rel": tString, "type": tString, "title": tString, "templated": tBool})
	links := arr(ref("Link"))
	share := obj([]string{"total", "real", "synthetic", "real_share"}, map[string]*Schema{"total": tInt, "real": tInt, "synthetic": tInt, "real_share": tNum})
	facetValue := obj([]string{"slug", "label_fr", "partnerships"}, map[string]*Schema{"slug": tString, "label_fr": tString, "label_en": tString, "partnerships": tInt})
	authority := obj([]string{"id", "name", "type", "code", "partnerships", "point"}, map[string]*Schema{
		"id": tString, "name": tString, "type": tString, "type_label": tString, "code": tString, "departement": tString,
		"region": tString, "population": tInt, "partnerships": tInt, "point": arr(tNum)})
	partner := obj([]string{"id", "name", "country", "partnerships", "point"}, map[string]*Schema{
		"id": tString, "name": tString, "country": tString, "country_name": tString, "subdivision": tString,
		"geonameid": tInt, "population": tInt, "partnerships": tInt, "point": arr(tNum)})
	ref0 := obj([]string{"id", "name", "point"}, map[string]*Schema{"id": tString, "name": tString, "point": arr(tNum)})
	count := obj([]string{"key", "label", "count"}, map[string]*Schema{"key": tString, "label": tString, "count": tInt})
	line := obj([]string{"id", "kind", "active", "provenance", "themes", "projects", "other"}, map[string]*Schema{
		"id": tString, "kind": tString, "kind_label": tString, "start_year": tInt, "active": tBool, "provenance": tString,
		"sources": arr(tString), "themes": arr(tString), "projects": tInt, "other": ref0, "other_type": tString,
		"country": tString, "country_name": tString})
	ficheProject := obj([]string{"id", "title", "themes", "provenance", "partnership_id", "other"}, map[string]*Schema{
		"id": tString, "title": tString, "themes": arr(tString), "start_year": tInt, "provenance": tString, "partnership_id": tString, "other": tString})
	neighbour := obj([]string{"id", "name", "point", "type", "places", "nearest_km", "shared", "countries"}, map[string]*Schema{
		"id": tString, "name": tString, "point": arr(tNum), "type": tString, "type_label": tString, "places": tInt,
		"nearest_km": tNum, "shared": tInt, "countries": arr(tString)})
	contact := &Schema{Type: "object", Nullable: true, Required: []string{"service", "role", "email", "updated_at", "version"}, Properties: map[string]*Schema{
		"service": tString, "role": tString, "email": tString, "phone": tString, "website": tString, "updated_at": tString, "version": tInt}}
	bourseRequest := obj([]string{"id", "name", "country", "point", "themes", "description", "languages", "valid_until", "status", "published"}, map[string]*Schema{
		"id": tString, "partner_id": tString, "name": tString, "country": tString, "country_name": tString, "point": arr(tNum), "themes": arr(tString),
		"description": tString, "sought_types": {Type: "array", Nullable: true, Items: tString}, "min_population": tInt, "max_population": tInt,
		"languages": arr(tString), "valid_until": tString, "status": tString, "published": tString})
	countryRow := obj([]string{"iso2", "name", "priority", "partnerships", "cooperation", "projects", "authorities", "per_million"}, map[string]*Schema{
		"iso2": tString, "name": tString, "priority": tBool, "partnerships": tInt, "cooperation": tInt, "projects": tInt,
		"authorities": tInt, "population": tInt, "per_million": {Type: "number", Nullable: true}})
	apdAmounts := map[string]*Schema{"amount_eur": tInt, "refugees_eur": tInt, "lines": tInt, "authorities": tInt, "synthetic_eur": tInt}
	apdGroup := map[string]*Schema{"key": tString, "label": tString}
	for k, v := range apdAmounts {
		apdGroup[k] = v
	}
	amountKeys := []string{"amount_eur", "refugees_eur", "lines", "authorities", "synthetic_eur"}
	call := obj([]string{"id", "title", "kind", "kind_label", "themes", "countries", "opens", "closes", "budget_eur", "provenance", "status", "counts"}, map[string]*Schema{
		"id": tString, "title": tString, "kind": tString, "kind_label": tString, "themes": arr(tString), "countries": arr(tString), "opens": tString,
		"closes": tString, "budget_eur": tInt, "provenance": tString, "status": enum("open", "closed", "upcoming"),
		"counts": obj([]string{"applications", "laureates", "requested_eur", "granted_eur", "participants", "countries"}, map[string]*Schema{
			"applications": tInt, "laureates": tInt, "requested_eur": tInt, "granted_eur": tInt, "participants": tInt, "countries": tInt})})
	application := obj([]string{"id", "call_id", "authority_id", "authority_name", "title", "country", "requested_eur", "granted_eur", "status"}, map[string]*Schema{
		"id": tString, "call_id": tString, "authority_id": tString, "authority_name": tString, "authority_type": tString, "project_id": tString,
		"title": tString, "country": tString, "country_name": tString, "requested_eur": tInt, "granted_eur": tInt, "participants": tInt,
		"status": enum("deposee", "recevable", "laureat", "refusee"), "status_label": tString, "deposited": tString, "provenance": tString})
	project := obj([]string{"id", "title", "themes", "provenance"}, map[string]*Schema{"id": tString, "title": tString, "themes": arr(tString), "start_year": tInt, "provenance": tString})
	return map[string]*Schema{
		"Link":    link,
		"Problem": obj([]string{"type", "title", "status", "detail"}, map[string]*Schema{"type": tString, "title": tString, "status": tInt, "detail": tString, "param": tString}),
		"Feature": obj([]string{"type", "geometry", "properties"}, map[string]*Schema{
			"type": enum("Feature"), "id": {OneOf: []*Schema{tString, tInt}},
			"geometry": {Type: "object", Nullable: true, Required: []string{"type"}}, "properties": {Type: "object", Nullable: true},
			"links": links}),
		"FeatureCollection": obj([]string{"type", "features"}, map[string]*Schema{
			"type": enum("FeatureCollection"), "features": arr(ref("Feature")),
			"links": links, "numberMatched": integer(0), "numberReturned": integer(0),
			"timeStamp": {Type: "string", Format: "date-time"}}),
		"TileJSON": obj([]string{"tilejson", "tiles"}, map[string]*Schema{"tilejson": tString, "name": tString, "description": tString, "version": tString,
			"attribution": tString, "scheme": tString, "tiles": arr(tString), "minzoom": tInt, "maxzoom": tInt, "bounds": arr(tNum), "center": arr(tNum),
			"vector_layers": arr(obj([]string{"id", "fields"}, map[string]*Schema{"id": tString, "description": tString, "minzoom": tInt, "maxzoom": tInt, "fields": tObj}))}),
		"Stats": obj([]string{"by", "unit", "total", "groups"}, map[string]*Schema{"by": tString, "unit": tString, "total": tInt,
			"groups": arr(obj([]string{"key", "label", "count"}, map[string]*Schema{"key": tString, "label": tString, "count": tInt})),
			"bbox":   arr(tNum)}),
		"Layers": obj([]string{"version", "layers"}, map[string]*Schema{"version": tString, "layers": arr(obj([]string{"id", "title", "fields", "features", "links"}, map[string]*Schema{
			"id": tString, "title": tString, "description": tString, "geometry": tString, "features": tInt, "links": tObj,
			"fields": arr(obj([]string{"name", "type"}, map[string]*Schema{"name": tString, "type": tString, "description": tString}))}))}),
		"Sources": obj([]string{"version", "credits", "sources", "partnerships", "projects"}, map[string]*Schema{"version": tString, "credits": tString,
			"sources": arr(obj([]string{"id", "covers", "holder", "credit", "licence", "on_map"}, map[string]*Schema{"id": tString, "covers": tString, "holder": tString,
				"credit": tString, "licence": tString, "licence_url": tString, "url": tString, "on_map": tBool})),
			"partnerships": share, "projects": share}),
		"Facets": obj([]string{"themes", "types", "kinds", "countries", "years"}, map[string]*Schema{
			"themes": arr(facetValue), "types": arr(facetValue), "kinds": arr(facetValue),
			"countries": arr(obj([]string{"iso2", "name_fr", "partnerships"}, map[string]*Schema{"iso2": tString, "name_fr": tString, "name_en": tString, "partnerships": tInt})),
			"years":     obj([]string{"min", "max"}, map[string]*Schema{"min": tInt, "max": tInt})}),
		"Authority": authority,
		"Partner":   partner,
		"Search":    obj([]string{"authorities", "partners"}, map[string]*Schema{"authorities": arr(ref("Authority")), "partners": arr(ref("Partner"))}),
		"Project":   project,
		"AuthorityFiche": obj([]string{"id", "name", "type", "code", "point", "partnerships", "countries", "themes", "years", "provenance", "projects", "neighbours", "neighbours_total", "contact"}, map[string]*Schema{
			"id": tString, "name": tString, "type": tString, "type_label": tString, "code": tString, "departement": tString, "departement_name": tString,
			"region": tString, "region_name": tString, "population": tInt, "point": arr(tNum), "partnerships": arr(line), "countries": arr(count),
			"themes": arr(count), "years": arr(count), "provenance": arr(count), "projects": arr(ficheProject), "neighbours": arr(neighbour),
			"neighbours_total": tInt, "contact": contact, "contact_note": tString,
			"presentation_fr": tString, "presentation_en": tString, "logo_url": tString}),
		"PartnerFiche": obj([]string{"id", "name", "country", "point", "partnerships", "themes", "years", "provenance", "projects", "neighbours", "neighbours_total"}, map[string]*Schema{
			"id": tString, "name": tString, "country": tString, "country_name": tString, "subdivision": tString, "geonameid": tInt, "population": tInt,
			"point": arr(tNum), "partnerships": arr(line), "themes": arr(count), "years": arr(count), "provenance": arr(count),
			"projects": arr(ficheProject), "neighbours": arr(neighbour), "neighbours_total": tInt}),
		"Cooperations": obj([]string{"country", "country_name", "themes", "partnerships", "authorities", "groups"}, map[string]*Schema{
			"country": tString, "country_name": tString, "themes": arr(tString), "partnerships": tInt, "authorities": tInt, "contact_note": tString,
			"groups": arr(obj([]string{"type", "label", "count", "authorities"}, map[string]*Schema{"type": tString, "label": tString, "count": tInt,
				"authorities": arr(obj([]string{"id", "name", "point", "type", "partnerships", "partners", "kinds", "themes", "synthetic", "contact"}, map[string]*Schema{
					"id": tString, "name": tString, "point": arr(tNum), "type": tString, "type_label": tString, "departement": tString, "departement_name": tString,
					"region_name": tString, "partnerships": tInt, "partners": arr(tString), "kinds": arr(tString), "themes": arr(tString),
					"first_year": tInt, "synthetic": tBool, "contact": contact}))}))}),
		"RequestInput": obj([]string{"themes", "description", "languages", "valid_until"}, map[string]*Schema{
			"partner_id": tString, "name": tString, "country": tString, "point": arr(tNum), "themes": arr(enum(atlas.ThemeSlugs()...)),
			"description": tString, "sought_types": arr(enum("region", "departement", "groupement", "commune")), "min_population": tInt,
			"max_population": tInt, "languages": arr(tString), "valid_until": tString, "status": enum("open", "closed")}),
		"InterestInput": obj(nil, map[string]*Schema{"message": tString}),
		"APDInput": obj([]string{"lines"}, map[string]*Schema{"status": enum("draft", "declared"), "lines": arr(obj([]string{"amount_eur", "sector", "channel"}, map[string]*Schema{
			"amount_eur": tInt, "country": tString, "sector": tString, "channel": enum("direct", "association", "multilateral", "collectivite"),
			"refugees": tBool, "partnership_id": tString, "project_id": tString}))}),
		"ApplicationInput": obj([]string{"requested_eur"}, map[string]*Schema{"project_id": tString, "title": tString, "country": tString,
			"requested_eur": tInt, "participants": tInt}),
		"SessionInput": obj([]string{"token"}, map[string]*Schema{"token": tString}),
		"Session": obj([]string{"ministry", "admin", "expires", "csrf_token"}, map[string]*Schema{"authority_id": tString, "authority_name": tString,
			"ministry": tBool, "admin": tBool, "expires": tString, "csrf_token": tString}),
		"StatusChange": obj([]string{"status"}, map[string]*Schema{"status": enum("deposee", "recevable", "laureat", "refusee"), "granted_eur": tInt}),
		"Bourse":       obj([]string{"matching_method", "requests"}, map[string]*Schema{"matching_method": tString, "requests": arr(bourseRequest)}),
		"BourseRequest": &Schema{AllOf: []*Schema{bourseRequest, obj([]string{"open", "matching_method", "matches", "matches_total"}, map[string]*Schema{
			"open": tBool, "matching_method": tString, "matches_total": tInt, "matches": arr(obj([]string{"id", "name", "type", "score"}, map[string]*Schema{
				"id": tString, "name": tString, "point": arr(tNum), "type": tString, "type_label": tString, "population": tInt, "partnerships": tInt,
				"score": tInt, "shared_themes": arr(tString), "in_country": tBool, "near_km": {Type: "number", Nullable: true}, "type_fit": tBool, "size_fit": tBool}))})}},
		"BourseForAuthority": obj([]string{"authority_id", "matching_method", "requests"}, map[string]*Schema{
			"authority_id": tString, "matching_method": tString, "requests": arr(&Schema{AllOf: []*Schema{bourseRequest, obj([]string{"score"}, map[string]*Schema{
				"score": tInt, "shared_themes": arr(tString), "in_country": tBool, "near_km": {Type: "number", Nullable: true}, "type_fit": tBool, "size_fit": tBool})}})}),
		"Fewest": obj([]string{"reference", "population_source", "priority", "countries"}, map[string]*Schema{
			"reference": tString, "population_source": tString, "priority": arr(countryRow), "countries": arr(countryRow)}),
		"Coordinations": obj([]string{"radius_km", "method", "total", "territories"}, map[string]*Schema{
			"radius_km": tNum, "method": tString, "total": tInt,
			"territories": arr(obj([]string{"id", "name", "country", "center", "radius_km", "partnerships", "partners", "authorities", "themes"}, map[string]*Schema{
				"id": tString, "name": tString, "country": tString, "country_name": tString, "center": arr(tNum), "radius_km": tNum, "partnerships": tInt,
				"partners": arr(ref0), "themes": arr(count),
				"authorities": arr(obj([]string{"id", "name", "type", "partnerships", "partners", "themes"}, map[string]*Schema{
					"id": tString, "name": tString, "point": arr(tNum), "type": tString, "type_label": tString, "partnerships": tInt,
					"partners": arr(tString), "themes": arr(tString)}))}))}),
		"APD": obj([]string{"unit", "by", "filter", "total", "groups"}, map[string]*Schema{"unit": enum("eur"), "by": tString, "filter": tObj,
			"total": obj(amountKeys, apdAmounts), "groups": arr(obj(append([]string{"key", "label"}, amountKeys...), apdGroup))}),
		"APDSectors": obj([]string{"refugees_code", "categories", "sectors"}, map[string]*Schema{"refugees_code": tString,
			"categories": arr(obj([]string{"code", "name_fr", "theme", "sectors"}, map[string]*Schema{"code": tString, "name_fr": tString, "name_en": tString, "theme": tString, "sectors": arr(tString)})),
			"sectors": arr(obj([]string{"code", "category", "name_fr", "category_fr", "theme"}, map[string]*Schema{"code": tString, "category": tString,
				"name_fr": tString, "name_en": tString, "category_fr": tString, "category_en": tString, "theme": tString}))}),
		"Calls":      obj([]string{"filter", "total", "calls"}, map[string]*Schema{"filter": tObj, "total": tInt, "calls": arr(call)}),
		"CallDetail": &Schema{AllOf: []*Schema{call, obj([]string{"laureates"}, map[string]*Schema{"laureates": arr(application)})}},
		"CallApplications": obj([]string{"call_id", "call_title", "total", "by_status", "applications"}, map[string]*Schema{"call_id": tString, "call_title": tString,
			"total": tInt, "by_status": arr(count), "applications": arr(application)}),
		"Partnership": obj([]string{"id", "kind", "active", "provenance", "authority", "partner", "projects"}, map[string]*Schema{
			"id": tString, "kind": tString, "kind_label": tString, "start_year": tInt, "active": tBool, "provenance": tString,
			"authority": ref("Authority"), "partner": ref("Partner"), "projects": arr(ref("Project"))}),
		"PartnershipInput": obj([]string{"authority_id", "partner_id", "kind"}, map[string]*Schema{
			"authority_id": tString, "partner_id": tString, "kind": enum("jumelage", "cooperation", "amitie"),
			"start_year": tInt, "active": tBool}),
		"Record": obj([]string{"id"}, map[string]*Schema{"id": tString}),
		"FicheInput": obj([]string{"service", "role", "email"}, map[string]*Schema{
			"service": tString, "role": tString, "email": tString, "phone": tString, "website": tString,
			"presentation_fr": tString, "presentation_en": tString, "logo_url": tString}),
		"ProjectInput": obj([]string{"title", "themes"}, map[string]*Schema{"partnership_id": tString, "title": tString, "themes": arr(enum(atlas.ThemeSlugs()...)), "start_year": tInt}),
		"Health":       obj([]string{"status"}, map[string]*Schema{"status": tString}),
		"Ready":        obj([]string{"status"}, map[string]*Schema{"status": enum("ready", "degraded", "loading"), "version": tString, "detail": tString}),
		"LandingPage":  obj([]string{"links"}, map[string]*Schema{"title": tString, "description": tString, "links": links}),
		"Conformance":  obj([]string{"conformsTo"}, map[string]*Schema{"conformsTo": arr(tString)}),
		"Collection": obj([]string{"id", "links"}, map[string]*Schema{"id": tString, "title": tString, "description": tString, "itemType": tString,
			"crs": arr(tString), "storageCrs": tString, "links": links,
			"extent": obj(nil, map[string]*Schema{
				"spatial":  obj([]string{"bbox"}, map[string]*Schema{"bbox": arr(&Schema{Type: "array", Items: tNum, MinItems: 4, MaxItems: 6}), "crs": tString}),
				"temporal": obj([]string{"interval"}, map[string]*Schema{"interval": arr(&Schema{Type: "array", Items: &Schema{Type: "string", Nullable: true}, MinItems: 2, MaxItems: 2}), "trs": tString})})}),
		"Collections":    obj([]string{"links", "collections"}, map[string]*Schema{"links": links, "collections": arr(ref("Collection"))}),
		"Queryables":     obj([]string{"type", "properties"}, map[string]*Schema{"$schema": tString, "$id": tString, "type": tString, "title": tString, "properties": tObj}),
		"TilesetsList":   obj([]string{"tilesets"}, map[string]*Schema{"links": links, "tilesets": arr(obj([]string{"dataType", "links"}, map[string]*Schema{"title": tString, "dataType": tString, "crs": tString, "tileMatrixSetURI": tString, "links": links}))}),
		"Tileset":        obj([]string{"dataType", "links"}, map[string]*Schema{"title": tString, "dataType": tString, "crs": tString, "tileMatrixSetURI": tString, "links": links, "layers": arr(tObj), "boundingBox": tObj, "tileMatrixSetLimits": arr(tObj)}),
		"TileMatrixSets": obj([]string{"tileMatrixSets"}, map[string]*Schema{"tileMatrixSets": arr(obj([]string{"id", "links"}, map[string]*Schema{"id": tString, "title": tString, "uri": tString, "links": links}))}),
		"TileMatrixSet": obj([]string{"id", "crs", "tileMatrices"}, map[string]*Schema{"id": tString, "title": tString, "uri": tString, "crs": tString,
			"orderedAxes": arr(tString), "wellKnownScaleSet": tString, "boundingBox": tObj,
			"tileMatrices": arr(obj([]string{"id", "scaleDenominator", "cellSize", "pointOfOrigin", "tileWidth", "tileHeight", "matrixWidth", "matrixHeight"}, map[string]*Schema{
				"id": tString, "scaleDenominator": tNum, "cellSize": tNum, "cornerOfOrigin": tString, "pointOfOrigin": arr(tNum),
				"tileWidth": tInt, "tileHeight": tInt, "matrixWidth": tInt, "matrixHeight": tInt}))}),
	}
}

func conv[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
