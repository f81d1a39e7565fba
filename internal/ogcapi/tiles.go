package ogcapi

import (
	"strings"

	"github.com/atlas-cooperation/atlas/internal/index"
)

// WebMercatorQuad is the id of the only tile matrix set served.
const WebMercatorQuad = "WebMercatorQuad"

// TileMatrixSetURI is the registered URI of WebMercatorQuad.
const TileMatrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"

// TileMatrixSetsDoc is the /tileMatrixSets list.
type TileMatrixSetsDoc struct {
	TileMatrixSets []TileMatrixSetRef `json:"tileMatrixSets"`
}

// TileMatrixSetRef is an entry of the /tileMatrixSets list.
type TileMatrixSetRef struct {
	ID    string `json:"id"`
	Links []Link `json:"links"`
	Title string `json:"title"`
	URI   string `json:"uri"`
}

// TileMatrixSets returns the /tileMatrixSets list.
func TileMatrixSets(base string) TileMatrixSetsDoc {
	return TileMatrixSetsDoc{TileMatrixSets: []TileMatrixSetRef{{
		ID: WebMercatorQuad, Title: "Google Maps Compatible for the World", URI: TileMatrixSetURI,
		Links: []Link{{base + "/tileMatrixSets/" + WebMercatorQuad, "self", TypeJSON, "WebMercatorQuad", false}},
	}}}
}

// TileMatrixSetDoc is an OGC TMS 2.0 tile matrix set definition.
type TileMatrixSetDoc struct {
	BoundingBox       BoundingBox  `json:"boundingBox"`
	CRS               string       `json:"crs"`
	ID                string       `json:"id"`
	OrderedAxes       []string     `json:"orderedAxes"`
	TileMatrices      []TileMatrix `json:"tileMatrices"`
	Title             string       `json:"title"`
	URI               string       `json:"uri"`
	WellKnownScaleSet string       `json:"wellKnownScaleSet"`
}

// BoundingBox is a two-dimensional bounding box in a CRS.
type BoundingBox struct {
	CRS        string    `json:"crs"`
	LowerLeft  []float64 `json:"lowerLeft"`
	UpperRight []float64 `json:"upperRight"`
}

// TileMatrix is one zoom level of a tile matrix set.
type TileMatrix struct {
	CellSize         float64   `json:"cellSize"`
	CornerOfOrigin   string    `json:"cornerOfOrigin"`
	ID               string    `json:"id"`
	MatrixHeight     int       `json:"matrixHeight"`
	MatrixWidth      int       `json:"matrixWidth"`
	PointOfOrigin    []float64 `json:"pointOfOrigin"`
	ScaleDenominator float64   `json:"scaleDenominator"`
	TileHeight       int       `json:"tileHeight"`
	TileWidth        int       `json:"tileWidth"`
}

// TileMatrixSet returns the OGC TMS 2.0 definition of WebMercatorQuad with
// zoom levels 0 to maxZoom.
func TileMatrixSet(maxZoom int) TileMatrixSetDoc {
	const origin = 20037508.3427892
	var ms []TileMatrix
	for z := 0; z <= maxZoom; z++ {
		n := 1 << z
		cell := 2 * origin / 256 / float64(n)
		ms = append(ms, TileMatrix{
			ID: itoa(z), ScaleDenominator: cell / 0.00028, CellSize: cell,
			CornerOfOrigin: "topLeft", PointOfOrigin: []float64{-origin, origin},
			TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n,
		})
	}
	return TileMatrixSetDoc{
		ID: WebMercatorQuad, Title: "Google Maps Compatible for the World", URI: TileMatrixSetURI,
		CRS:               "http://www.opengis.net/def/crs/EPSG/0/3857",
		OrderedAxes:       []string{"E", "N"},
		WellKnownScaleSet: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		BoundingBox: BoundingBox{
			LowerLeft: []float64{-origin, -origin}, UpperRight: []float64{origin, origin},
			CRS: "http://www.opengis.net/def/crs/EPSG/0/3857",
		},
		TileMatrices: ms,
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TilesetsListDoc is a list of tilesets.
type TilesetsListDoc struct {
	Links    []Link       `json:"links"`
	Tilesets []TilesetRef `json:"tilesets"`
}

// TilesetRef is an entry of a tilesets list.
type TilesetRef struct {
	CRS              string `json:"crs"`
	DataType         string `json:"dataType"`
	Links            []Link `json:"links"`
	TileMatrixSetURI string `json:"tileMatrixSetURI"`
	Title            string `json:"title"`
}

// TilesetsList returns the tilesets list at root (a collection's
// …/collections/{id}/tiles, or the dataset's /tiles).
func TilesetsList(root, title string) TilesetsListDoc {
	return TilesetsListDoc{
		Links: []Link{{root, "self", TypeJSON, title, false}},
		Tilesets: []TilesetRef{{
			Title: title, DataType: "vector", CRS: "http://www.opengis.net/def/crs/EPSG/0/3857",
			TileMatrixSetURI: TileMatrixSetURI,
			Links: []Link{
				{root + "/" + WebMercatorQuad, "self", TypeJSON, title + " (WebMercatorQuad)", false},
				{TileMatrixSetURI, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", TypeJSON, "WebMercatorQuad", false},
			},
		}},
	}
}

// TilesetDoc is the metadata of a vector tileset.
type TilesetDoc struct {
	BoundingBox         BoundingBox        `json:"boundingBox"`
	CRS                 string             `json:"crs"`
	DataType            string             `json:"dataType"`
	Layers              []TilesetLayer     `json:"layers"`
	Links               []Link             `json:"links"`
	TileMatrixSetLimits []TileMatrixLimits `json:"tileMatrixSetLimits"`
	TileMatrixSetURI    string             `json:"tileMatrixSetURI"`
	Title               string             `json:"title"`
}

// TilesetLayer describes one layer of a tileset and its properties.
type TilesetLayer struct {
	DataType          string           `json:"dataType"`
	Description       string           `json:"description"`
	GeometryDimension int              `json:"geometryDimension"`
	ID                string           `json:"id"`
	Links             []Link           `json:"links"`
	MaxTileMatrix     string           `json:"maxTileMatrix"`
	MinTileMatrix     string           `json:"minTileMatrix"`
	PropertiesSchema  PropertiesSchema `json:"propertiesSchema"`
	Title             string           `json:"title"`
}

// PropertiesSchema is the JSON Schema of a layer's feature properties.
type PropertiesSchema struct {
	Properties map[string]PropertySchema `json:"properties"`
	Type       string                    `json:"type"`
}

// PropertySchema is the JSON Schema of one property.
type PropertySchema struct {
	Description string `json:"description"`
	Type        string `json:"type"`
}

// TileMatrixLimits are the tiles of one zoom level a tileset covers.
type TileMatrixLimits struct {
	MaxTileCol int    `json:"maxTileCol"`
	MaxTileRow int    `json:"maxTileRow"`
	MinTileCol int    `json:"minTileCol"`
	MinTileRow int    `json:"minTileRow"`
	TileMatrix string `json:"tileMatrix"`
}

// Tileset returns the tileset metadata at root + "/WebMercatorQuad" for
// layers, with the templated tile link.
func Tileset(base, root, title string, layers []string, maxZoom int) TilesetDoc {
	var ls []TilesetLayer
	for _, id := range layers {
		l, _ := index.LayerByID(id)
		props := map[string]PropertySchema{}
		for _, f := range l.Fields {
			props[f.Name] = PropertySchema{Type: f.Type, Description: f.Description}
		}
		ls = append(ls, TilesetLayer{
			ID: l.ID, Title: l.Title, Description: l.Description, DataType: "vector",
			GeometryDimension: geometryDimension(l.Geometry),
			MinTileMatrix:     "0", MaxTileMatrix: itoa(maxZoom),
			PropertiesSchema: PropertiesSchema{Type: "object", Properties: props},
			Links:            []Link{{base + "/collections/" + l.ID, "collection", TypeJSON, l.Title, false}},
		})
	}
	tms := root + "/" + WebMercatorQuad
	return TilesetDoc{
		Title: title, DataType: "vector", CRS: "http://www.opengis.net/def/crs/EPSG/0/3857",
		TileMatrixSetURI:    TileMatrixSetURI,
		BoundingBox:         BoundingBox{LowerLeft: []float64{-180, -85.051129}, UpperRight: []float64{180, 85.051129}, CRS: CRS84},
		TileMatrixSetLimits: limits(maxZoom),
		Layers:              ls,
		Links: []Link{
			{tms, "self", TypeJSON, title, false},
			{base + "/tileMatrixSets/" + WebMercatorQuad, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", TypeJSON, "WebMercatorQuad", false},
			{tms + "/{tileMatrix}/{tileRow}/{tileCol}", "item", TypeMVT, "Mapbox vector tiles of " + strings.Join(layers, ", "), true},
		},
	}
}

// geometryDimension is the OGC geometry dimension of a layer's geometry
// type: 0 points, 1 lines, 2 surfaces.
func geometryDimension(geometry string) int {
	switch geometry {
	case "LineString":
		return 1
	case "Polygon":
		return 2
	}
	return 0
}

func limits(maxZoom int) []TileMatrixLimits {
	var out []TileMatrixLimits
	for z := 0; z <= maxZoom; z++ {
		n := 1 << z
		out = append(out, TileMatrixLimits{TileMatrix: itoa(z), MinTileRow: 0, MaxTileRow: n - 1, MinTileCol: 0, MaxTileCol: n - 1})
	}
	return out
}
