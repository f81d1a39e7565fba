package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb/maptile"
)

// tilePath is the parsed path of a tile request.
type tilePath struct{ layers, z, x, y string }

// handleTile serves GET /tiles/{layers}/{z}/{x}/{y}.mvt?<filters>.
func (s *Server) handleTile(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	v := mux.Vars(r)
	return s.serveTilePath(w, r, snap, tilePath{v["layers"], v["z"], v["x"], v["y"]})
}

// matchTile matches what the router's tile route would match (GET or HEAD
// of a clean /tiles/{layers}/{z}/{x}/{y}.mvt path) without its regular
// expressions: tiles are the hottest route, and ServeHTTP sends them
// straight to serveTile. Anything else goes through the router.
func matchTile(r *http.Request) (tilePath, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return tilePath{}, false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/tiles/")
	if !ok {
		return tilePath{}, false
	}
	rest, ok = strings.CutSuffix(rest, ".mvt")
	if !ok {
		return tilePath{}, false
	}
	var seg [4]string
	for i := range seg {
		if i < 3 {
			seg[i], rest, ok = strings.Cut(rest, "/")
			if !ok {
				return tilePath{}, false
			}
		} else {
			seg[i] = rest
		}
		// Empty, "." and ".." segments make an unclean path: the router
		// redirects those ({y} is followed by ".mvt" in its segment).
		if seg[i] == "" || strings.IndexByte(seg[i], '/') >= 0 || i < 3 && (seg[i] == "." || seg[i] == "..") {
			return tilePath{}, false
		}
	}
	return tilePath{seg[0], seg[1], seg[2], seg[3]}, true
}

// serveTilePath serves the tile of path p.
func (s *Server) serveTilePath(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, p tilePath) error {
	layers, err := tiles.ParseLayers(p.layers)
	if err != nil {
		return err
	}
	t, err := tiles.ParseZXY(p.z, p.x, p.y)
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), snap)
	if err != nil {
		return err
	}
	return s.serveTile(w, r, snap, layers, t, f)
}

// serveTile serves a tile for /tiles and the OGC API tiles routes. Its ETag
// is that of the canonical /tiles request, whichever route asked.
func (s *Server) serveTile(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, layers []string, t maptile.Tile, f atlas.Filter) error {
	canonical := "/tiles/" + strings.Join(layers, ",") + "/" + strconv.Itoa(int(t.Z)) + "/" + strconv.Itoa(int(t.X)) + "/" +
		strconv.Itoa(int(t.Y)) + ".mvt?" + f.Encode()
	w.Header().Add("Vary", "Accept-Encoding")
	if s.notModified(w, r, etag(r, snap.Version(), canonical)) {
		return nil
	}
	tile, err := s.tiles.Render(r.Context(), snap, layers, t, f)
	if err != nil {
		return err
	}
	defer tile.Release() // once written
	if tile.Empty {
		// Every empty tile gets the same answer: 204 with no body.
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	data := tile.Data
	h := w.Header()
	if acceptsGzip(r) {
		data = tile.Gzip()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", tiles.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return nil
	}
	_, err = w.Write(data)
	return err
}

// tileJSON is a TileJSON 3.0.0 document.
type tileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []vectorLayer `json:"vector_layers"`
}

type vectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// TileJSONMaxZoom is the maxzoom TileJSON advertises; clients overzoom past it.
const TileJSONMaxZoom = 14

// handleTileJSON serves GET /tiles/{layers}.json?<filters>.
func (s *Server) handleTileJSON(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	layers, err := tiles.ParseLayers(mux.Vars(r)["layers"])
	if err != nil {
		return err
	}
	f, err := parseFilter(r.URL.Query(), snap)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	joined := strings.Join(layers, ",")
	url := base + "/tiles/" + joined + "/{z}/{x}/{y}.mvt"
	if q := f.Encode(); q != "" {
		url += "?" + q
	}
	doc := tileJSON{
		TileJSON: "3.0.0", Name: "atlas " + joined,
		Description: "Atlas de la coopération décentralisée: " + joined,
		Version:     "1.0.0", Attribution: atlas.Credits(), Scheme: "xyz",
		Tiles: []string{url}, MinZoom: 0, MaxZoom: TileJSONMaxZoom,
		Bounds: [4]float64{-180, -85.0511, 180, 85.0511}, Center: [3]float64{2.35, 46.6, 3},
	}
	for _, id := range layers {
		l, _ := index.LayerByID(id)
		fields := map[string]string{}
		for _, fd := range l.Fields {
			fields[fd.Name] = tileJSONType(fd.Type)
		}
		doc.VectorLayers = append(doc.VectorLayers, vectorLayer{ID: l.ID, Description: l.Description, MaxZoom: TileJSONMaxZoom, Fields: fields})
	}
	tag := etag(r, snap.Version(), base+"|"+url)
	return s.writeJSON(w, r, "application/json", tag, doc)
}

// tileJSONType maps a JSON Schema type to the TileJSON field type names
// (String, Number, Boolean) that MapLibre and GDAL read.
func tileJSONType(t string) string {
	switch t {
	case "integer", "number":
		return "Number"
	case "boolean":
		return "Boolean"
	}
	return "String"
}
