// Package ogcapi builds the documents of the atlas's OGC API — Features
// (Part 1 Core, Part 3 Filtering) and OGC API — Tiles: landing page,
// conformance, collections, queryables, tilesets and the WebMercatorQuad
// tile matrix set, the OpenAPI 3.0 description of the whole server, and the
// plans that select a collection's items from a CQL2 filter (package cql2)
// on the index facets. It does no HTTP: package httpapi serves it.
//
// Every link is absolute, from the base URL of the OGC API (the server's
// base URL followed by Prefix).
package ogcapi

import (
	"math"

	"github.com/atlas-cooperation/atlas/internal/index"
)

// Prefix is the path of the OGC API landing page on the server.
const Prefix = "/ogc"

// Media types.
const (
	TypeJSON    = "application/json"
	TypeGeoJSON = "application/geo+json"
	TypeHTML    = "text/html"
	TypeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	TypeSchema  = "application/schema+json"
	TypeMVT     = "application/vnd.mapbox-vector-tile"
)

// Link is a web link of an OGC API document.
type Link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// conformance returns the conformance classes declared by /conformance: only
// what is implemented.
func conformance() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
		"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
		"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
		"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
		"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
		"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
		"http://www.opengis.net/spec/cql2/1.0/conf/array-functions",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
		"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
		"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
	}
}

// The documents are typed structs. Their fields are declared in the order
// of their JSON names, so that they encode as the same bytes as the maps
// they replace (encoding/json sorts map keys): answers and their ETags do
// not change with the Go representation.

// Landing is the landing page.
type Landing struct {
	Description string `json:"description"`
	Links       []Link `json:"links"`
	Title       string `json:"title"`
}

// LandingPage returns the landing page at base (the OGC API root URL).
func LandingPage(base string) Landing {
	return Landing{
		Title:       "Atlas de la coopération décentralisée — OGC API",
		Description: "Partenariats internationaux des collectivités françaises : OGC API Features (Part 1, Part 3 CQL2) et Tiles (MVT).",
		Links: []Link{
			{base, "self", TypeJSON, "cette page (JSON)", false},
			{base + "?f=html", "alternate", TypeHTML, "cette page (HTML)", false},
			{base + "/api", "service-desc", TypeOpenAPI, "OpenAPI 3.0 description of the server", false},
			{base + "/api?f=html", "service-doc", TypeHTML, "API documentation", false},
			{base + "/conformance", "conformance", TypeJSON, "conformance classes", false},
			{base + "/collections", "data", TypeJSON, "collections", false},
			{base + "/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", TypeJSON, "dataset vector tilesets", false},
			{base + "/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", TypeJSON, "tile matrix sets", false},
		},
	}
}

// Conformance is the /conformance document.
type Conformance struct {
	ConformsTo []string `json:"conformsTo"`
}

// ConformanceDoc returns the /conformance document.
func ConformanceDoc() Conformance { return Conformance{ConformsTo: conformance()} }

// Extent returns the bounding box of every feature of layer, rounded to the
// micro-degree; the whole world for an empty layer.
func Extent(snap *index.Snapshot, layer string) [4]float64 {
	b, ok := snap.Extent(layer)
	if !ok {
		return [4]float64{-180, -90, 180, 90}
	}
	r := func(x float64) float64 { return math.Round(x*1e6) / 1e6 }
	return [4]float64{r(b.Min[0]), r(b.Min[1]), r(b.Max[0]), r(b.Max[1])}
}

// CollectionDoc describes one collection.
type CollectionDoc struct {
	CRS         []string         `json:"crs"`
	Description string           `json:"description"`
	Extent      CollectionExtent `json:"extent"`
	ID          string           `json:"id"`
	ItemType    string           `json:"itemType"`
	Links       []Link           `json:"links"`
	StorageCRS  string           `json:"storageCrs"`
	Title       string           `json:"title"`
}

// CollectionExtent is a collection's extent: its bounding box and, for the
// partnerships, the interval of their start years.
type CollectionExtent struct {
	Spatial  SpatialExtent   `json:"spatial"`
	Temporal *TemporalExtent `json:"temporal,omitempty"`
}

type SpatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type TemporalExtent struct {
	Interval [][2]string `json:"interval"`
	TRS      string      `json:"trs"`
}

// Collection returns the description of one collection.
func Collection(snap *index.Snapshot, base string, l index.Layer) CollectionDoc {
	cb := base + "/collections/" + l.ID
	ext := CollectionExtent{Spatial: SpatialExtent{BBox: [][4]float64{Extent(snap, l.ID)}, CRS: CRS84}}
	if l.ID == index.LayerPartnerships {
		lo, hi := snap.YearRange()
		if lo != 0 {
			ext.Temporal = &TemporalExtent{
				Interval: [][2]string{{yearStart(lo), yearEnd(hi)}},
				TRS:      "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
			}
		}
	}
	return CollectionDoc{
		ID:          l.ID,
		Title:       l.Title,
		Description: l.Description,
		ItemType:    "feature",
		CRS:         []string{CRS84},
		StorageCRS:  CRS84,
		Extent:      ext,
		Links: []Link{
			{cb, "self", TypeJSON, "this collection", false},
			{cb + "?f=html", "alternate", TypeHTML, "this collection (HTML)", false},
			{cb + "/items", "items", TypeGeoJSON, "features", false},
			{cb + "/items?f=html", "items", TypeHTML, "features (HTML)", false},
			{cb + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", TypeSchema, "queryables", false},
			{cb + "/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", TypeJSON, "vector tilesets", false},
		},
	}
}

func yearStart(y int) string { return pad4(y) + "-01-01T00:00:00Z" }
func yearEnd(y int) string   { return pad4(y) + "-12-31T23:59:59Z" }

func pad4(y int) string {
	s := []byte{'0', '0', '0', '0'}
	for i := 3; i >= 0 && y > 0; i-- {
		s[i] = byte('0' + y%10)
		y /= 10
	}
	return string(s)
}

// CollectionsDoc is the /collections document.
type CollectionsDoc struct {
	Collections []CollectionDoc `json:"collections"`
	Links       []Link          `json:"links"`
}

// Collections returns the /collections document.
func Collections(snap *index.Snapshot, base string) CollectionsDoc {
	var cs []CollectionDoc
	for _, l := range index.Layers() {
		cs = append(cs, Collection(snap, base, l))
	}
	for _, id := range MoneyCollections() {
		c, _ := MoneyCollection(snap, base, id)
		cs = append(cs, c)
	}
	return CollectionsDoc{
		Links: []Link{
			{base + "/collections", "self", TypeJSON, "collections", false},
			{base + "/collections?f=html", "alternate", TypeHTML, "collections (HTML)", false},
		},
		Collections: cs,
	}
}
