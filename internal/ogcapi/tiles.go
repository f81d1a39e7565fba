package ogcapi

import (
	"math"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/index"
)

// WebMercatorQuad is the id of the only tile matrix set served.
const WebMercatorQuad = "WebMercatorQuad"

// TileMatrixSetURI is the registered URI of WebMercatorQuad.
const TileMatrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"

// TileMatrixSets returns the /tileMatrixSets list.
func TileMatrixSets(base string) map[string]any {
	return map[string]any{"tileMatrixSets": []map[string]any{{
		"id": WebMercatorQuad, "title": "Google Maps Compatible for the World", "uri": TileMatrixSetURI,
		"links": []Link{{base + "/tileMatrixSets/" + WebMercatorQuad, "self", TypeJSON, "WebMercatorQuad", false}},
	}}}
}

// TileMatrixSet returns the OGC TMS 2.0 definition of WebMercatorQuad with
// zoom levels 0 to maxZoom.
func TileMatrixSet(maxZoom int) map[string]any {
	const origin = 20037508.3427892
	var ms []map[string]any
	for z := 0; z <= maxZoom; z++ {
		n := 1 << z
		cell := 2 * origin / 256 / float64(n)
		ms = append(ms, map[string]any{
			"id": itoa(z), "scaleDenominator": cell / 0.00028, "cellSize": cell,
			"cornerOfOrigin": "topLeft", "pointOfOrigin": []float64{-origin, origin},
			"tileWidth": 256, "tileHeight": 256, "matrixWidth": n, "matrixHeight": n,
		})
	}
	return map[string]any{
		"id": WebMercatorQuad, "title": "Google Maps Compatible for the World", "uri": TileMatrixSetURI,
		"crs":               "http://www.opengis.net/def/crs/EPSG/0/3857",
		"orderedAxes":       []string{"E", "N"},
		"wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		"boundingBox": map[string]any{
			"lowerLeft": []float64{-origin, -origin}, "upperRight": []float64{origin, origin},
			"crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
		},
		"tileMatrices": ms,
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

// TilesetsList returns the tilesets list at root (a collection's
// …/collections/{id}/tiles, or the dataset's /tiles).
func TilesetsList(root, title string) map[string]any {
	return map[string]any{
		"links": []Link{{root, "self", TypeJSON, title, false}},
		"tilesets": []map[string]any{{
			"title": title, "dataType": "vector", "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
			"tileMatrixSetURI": TileMatrixSetURI,
			"links": []Link{
				{root + "/" + WebMercatorQuad, "self", TypeJSON, title + " (WebMercatorQuad)", false},
				{TileMatrixSetURI, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", TypeJSON, "WebMercatorQuad", false},
			},
		}},
	}
}

// Tileset returns the tileset metadata at root + "/WebMercatorQuad" for
// layers, with the templated tile link.
func Tileset(base, root, title string, layers []string, maxZoom int) map[string]any {
	var ls []map[string]any
	for _, id := range layers {
		l, _ := index.LayerByID(id)
		props := map[string]any{}
		for _, f := range l.Fields {
			t := f.Type
			props[f.Name] = map[string]any{"type": t, "description": f.Description}
		}
		ls = append(ls, map[string]any{
			"id": l.ID, "title": l.Title, "description": l.Description, "dataType": "vector",
			"geometryDimension": map[string]int{"Point": 0, "LineString": 1, "Polygon": 2}[l.Geometry],
			"minTileMatrix":     "0", "maxTileMatrix": itoa(maxZoom),
			"propertiesSchema": map[string]any{"type": "object", "properties": props},
			"links":            []Link{{base + "/collections/" + l.ID, "collection", TypeJSON, l.Title, false}},
		})
	}
	tms := root + "/" + WebMercatorQuad
	return map[string]any{
		"title": title, "dataType": "vector", "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
		"tileMatrixSetURI":    TileMatrixSetURI,
		"boundingBox":         map[string]any{"lowerLeft": []float64{-180, -85.051129}, "upperRight": []float64{180, 85.051129}, "crs": CRS84},
		"tileMatrixSetLimits": limits(maxZoom),
		"layers":              ls,
		"links": []Link{
			{tms, "self", TypeJSON, title, false},
			{base + "/tileMatrixSets/" + WebMercatorQuad, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", TypeJSON, "WebMercatorQuad", false},
			{tms + "/{tileMatrix}/{tileRow}/{tileCol}", "item", TypeMVT, "Mapbox vector tiles of " + strings.Join(layers, ", "), true},
		},
	}
}

func limits(maxZoom int) []map[string]any {
	var out []map[string]any
	for z := 0; z <= maxZoom; z++ {
		n := int(math.Pow(2, float64(z)))
		out = append(out, map[string]any{"tileMatrix": itoa(z), "minTileRow": 0, "maxTileRow": n - 1, "minTileCol": 0, "maxTileCol": n - 1})
	}
	return out
}
