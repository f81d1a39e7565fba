package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
	"github.com/atlas-cooperation/atlas/internal/query"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/gorilla/mux"
)

// ogcRoutes registers the OGC API (Features Part 1 and 3, Tiles) under
// ogcapi.Prefix, and the server's OpenAPI document at /api.
func (s *Server) ogcRoutes(b bindings) {
	p := ogcapi.Prefix
	b.bind(http.MethodGet, "/api", binding{h: http.HandlerFunc(s.handleOpenAPI)})
	b.bind(http.MethodGet, p+"/api", binding{h: http.HandlerFunc(s.handleOpenAPI)})
	b.bind(http.MethodGet, p, binding{h: s.data(s.handleOGCLanding), aliases: []string{p + "/"}})
	s.get(b, p+"/conformance", s.handleOGCConformance)
	s.get(b, p+"/collections", s.handleOGCCollections)
	s.get(b, p+"/collections/{collectionId}", s.handleOGCCollection)
	s.get(b, p+"/collections/{collectionId}/queryables", s.handleOGCQueryables)
	s.get(b, p+"/collections/{collectionId}/items", s.handleOGCItems)
	s.get(b, p+"/collections/{collectionId}/items/{featureId}", s.handleOGCItem)
	s.get(b, p+"/collections/{collectionId}/tiles", s.handleOGCTilesets)
	s.get(b, p+"/collections/{collectionId}/tiles/{tileMatrixSetId}", s.handleOGCTileset)
	s.get(b, p+"/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", s.handleOGCTile)
	s.get(b, p+"/tiles", s.handleOGCTilesets)
	s.get(b, p+"/tiles/{tileMatrixSetId}", s.handleOGCTileset)
	s.get(b, p+"/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", s.handleOGCTile)
	s.get(b, p+"/tileMatrixSets", s.handleOGCTileMatrixSets)
	s.get(b, p+"/tileMatrixSets/{tileMatrixSetId}", s.handleOGCTileMatrixSet)
}

func (s *Server) ogcBase(r *http.Request) string { return s.baseURL(r) + ogcapi.Prefix }

// wantsHTML reports whether the client asked for HTML: f=html, or a
// browser's Accept header when f is absent.
func wantsHTML(r *http.Request) bool {
	switch r.URL.Query().Get("f") {
	case "html":
		return true
	case "":
		accept := r.Header.Get("Accept")
		return strings.Contains(accept, "text/html")
	}
	return false
}

func checkF(r *http.Request, extra ...string) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, append([]string{"f"}, extra...)...); err != nil {
		return err
	}
	if f := q.Get("f"); q.Has("f") && f != "json" && f != "html" {
		return atlas.InvalidParam("f", f, "allowed: json, html")
	}
	return nil
}

// ogcDoc writes an OGC API document as JSON or, when asked, HTML.
func (s *Server) ogcDoc(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, ctype, title string, doc any) error {
	if err := checkF(r); err != nil {
		return err
	}
	html := wantsHTML(r)
	w.Header().Add("Vary", "Accept")
	tag := etag(r, snap.Version(), fmt.Sprintf("%s|%s|%t", s.baseURL(r), r.URL.Path, html))
	if html {
		return s.writeHTML(w, r, tag, docPage(title, doc))
	}
	return s.writeJSON(w, r, ctype, tag, doc)
}

func (s *Server) handleOGCLanding(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, "Atlas de la coopération décentralisée — OGC API", ogcapi.LandingPage(s.ogcBase(r)))
}

func (s *Server) handleOGCConformance(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, "Classes de conformité", ogcapi.ConformanceDoc())
}

func (s *Server) handleOGCCollections(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, "Collections", ogcapi.Collections(snap, s.ogcBase(r)))
}

func collectionLayer(r *http.Request) (index.Layer, error) {
	return index.LayerByID(mux.Vars(r)["collectionId"])
}

func (s *Server) handleOGCCollection(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if id := mux.Vars(r)["collectionId"]; ogcapi.IsMoneyCollection(id) {
		return s.handleOGCMoneyCollection(w, r, snap, id)
	}
	l, err := collectionLayer(r)
	if err != nil {
		return err
	}
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, l.Title, ogcapi.Collection(snap, s.ogcBase(r), l))
}

func (s *Server) handleOGCQueryables(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if id := mux.Vars(r)["collectionId"]; ogcapi.IsMoneyCollection(id) {
		return s.handleOGCMoneyQueryables(w, r, snap, id)
	}
	l, err := collectionLayer(r)
	if err != nil {
		return err
	}
	doc, err := ogcapi.QueryablesSchema(s.ogcBase(r), l.ID)
	if err != nil {
		return err
	}
	return s.ogcDoc(w, r, snap, ogcapi.TypeSchema, "Queryables — "+l.Title, doc)
}

// handleOpenAPI serves the OpenAPI 3.0 document of the whole server.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	if err := checkF(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	tag := etag(r, "openapi", base+"|"+strconv.FormatBool(wantsHTML(r)))
	w.Header().Add("Vary", "Accept")
	var err error
	if wantsHTML(r) {
		err = s.writeHTML(w, r, tag, apiPage(base))
	} else {
		err = s.writeJSON(w, r, ogcapi.TypeOpenAPI, tag, json.RawMessage(ogcapi.OpenAPIJSON(base)))
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}

type ogcLink = ogcapi.Link

// handleOGCItems serves /collections/{id}/items: a GeoJSON FeatureCollection
// with exact numberMatched, streamed feature by feature.
func (s *Server) handleOGCItems(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if id := mux.Vars(r)["collectionId"]; ogcapi.IsMoneyCollection(id) {
		return s.handleOGCMoneyItems(w, r, snap, id)
	}
	l, err := collectionLayer(r)
	if err != nil {
		return err
	}
	iq, err := ogcapi.ParseItems(snap, l.ID, r.URL.Query(), s.opts.DefaultLimit, s.opts.MaxLimit)
	if err != nil {
		return err
	}
	html := wantsHTML(r)
	w.Header().Add("Vary", "Accept")
	page := fmt.Sprintf("limit=%d&offset=%d", iq.Limit, iq.Offset)
	if s.notModified(w, r, etag(r, snap.Version(), fmt.Sprintf("%s|%s?%s&%s|%t", s.baseURL(r), r.URL.Path, iq.Query, page, html))) {
		return nil
	}
	if iq.Plan.Residual() {
		if err := s.filterSlots.acquire(r.Context()); err != nil {
			return err
		}
	}
	ids, sel, err := iq.Plan.Items(r.Context(), snap)
	if iq.Plan.Residual() {
		s.filterSlots.release()
	}
	if errors.Is(err, query.ErrTooCostly) {
		return atlas.InvalidParam("filter", r.URL.Query().Get("filter"), err.Error())
	}
	if err != nil {
		return err
	}
	total := len(ids)
	lo := min(iq.Offset, total)
	hi := lo + min(iq.Limit, total-lo) // not Offset+Limit, which overflows
	base := s.ogcBase(r) + "/collections/" + l.ID + "/items?"
	if iq.Query != "" {
		base += iq.Query + "&"
	}
	links := []ogcLink{
		{Href: base + page, Rel: "self", Type: ogcapi.TypeGeoJSON, Title: "this page"},
		{Href: base + page + "&f=html", Rel: "alternate", Type: ogcapi.TypeHTML, Title: "this page (HTML)"},
		{Href: s.ogcBase(r) + "/collections/" + l.ID, Rel: "collection", Type: ogcapi.TypeJSON, Title: l.Title},
	}
	if hi < total {
		links = append(links, ogcLink{Href: fmt.Sprintf("%slimit=%d&offset=%d", base, iq.Limit, hi), Rel: "next", Type: ogcapi.TypeGeoJSON, Title: "next page"})
	}
	if lo > 0 {
		links = append(links, ogcLink{Href: fmt.Sprintf("%slimit=%d&offset=%d", base, iq.Limit, max(0, lo-iq.Limit)), Rel: "prev", Type: ogcapi.TypeGeoJSON, Title: "previous page"})
	}
	if html {
		return s.writeHTML(w, r, "", itemsPage(snap, sel, l, ids[lo:hi], total, links))
	}
	w.Header().Set("Content-Type", ogcapi.TypeGeoJSON)
	if r.Method == http.MethodHead {
		return nil
	}
	out, flush, done := body(w, r)
	head, err := json.Marshal(struct {
		Type           string    `json:"type"`
		NumberMatched  int       `json:"numberMatched"`
		NumberReturned int       `json:"numberReturned"`
		Links          []ogcLink `json:"links"`
	}{"FeatureCollection", total, hi - lo, links})
	if err != nil {
		return err
	}
	return writeFeatures(r.Context(), out, flush, done, head, snap, l.ID, ids[lo:hi], sel, nil)
}

func (s *Server) handleOGCItem(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if id := mux.Vars(r)["collectionId"]; ogcapi.IsMoneyCollection(id) {
		return s.handleOGCMoneyItem(w, r, snap, id)
	}
	l, err := collectionLayer(r)
	if err != nil {
		return err
	}
	if err := checkF(r); err != nil {
		return err
	}
	id := mux.Vars(r)["featureId"]
	i, err := snap.Lookup(l.ID, id)
	if err != nil {
		return err
	}
	html := wantsHTML(r)
	w.Header().Add("Vary", "Accept")
	tag := etag(r, snap.Version(), fmt.Sprintf("%s|%s|%t", s.baseURL(r), r.URL.Path, html))
	sel := snap.Select(atlas.Filter{})
	f := snap.Feature(l.ID, i, sel)
	self := s.ogcBase(r) + "/collections/" + l.ID + "/items/" + id
	links := []ogcLink{
		{Href: self, Rel: "self", Type: ogcapi.TypeGeoJSON, Title: "this feature"},
		{Href: self + "?f=html", Rel: "alternate", Type: ogcapi.TypeHTML, Title: "this feature (HTML)"},
		{Href: s.ogcBase(r) + "/collections/" + l.ID, Rel: "collection", Type: ogcapi.TypeJSON, Title: l.Title},
	}
	if html {
		return s.writeHTML(w, r, tag, itemsPage(snap, sel, l, []int32{i}, 1, links))
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	out["links"] = links
	return s.writeJSON(w, r, ogcapi.TypeGeoJSON, tag, out)
}

// Tiles ---------------------------------------------------------------------

// tileLayers returns the layers of a tiles request: the collection's, or
// for dataset tiles the collections parameter (default: every layer).
func tileLayers(r *http.Request) ([]string, error) {
	if id, ok := mux.Vars(r)["collectionId"]; ok {
		if _, err := index.LayerByID(id); err != nil {
			return nil, err
		}
		return []string{id}, nil
	}
	if c := r.URL.Query().Get("collections"); c != "" {
		return tiles.ParseLayers(c)
	}
	var out []string
	for _, l := range index.Layers() {
		out = append(out, l.ID)
	}
	return out, nil
}

func (s *Server) tilesRoot(r *http.Request) (root, title string) {
	if id, ok := mux.Vars(r)["collectionId"]; ok {
		return s.ogcBase(r) + "/collections/" + id + "/tiles", id
	}
	return s.ogcBase(r) + "/tiles", "atlas"
}

func checkTMS(r *http.Request) error {
	if id := mux.Vars(r)["tileMatrixSetId"]; id != ogcapi.WebMercatorQuad {
		return fmt.Errorf("tile matrix set %q (only %s): %w", id, ogcapi.WebMercatorQuad, atlas.ErrNotFound)
	}
	return nil
}

func (s *Server) handleOGCTilesets(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if _, err := tileLayers(r); err != nil {
		return err
	}
	root, title := s.tilesRoot(r)
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, "Tilesets — "+title, ogcapi.TilesetsList(root, title))
}

func (s *Server) handleOGCTileset(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := checkTMS(r); err != nil {
		return err
	}
	layers, err := tileLayers(r)
	if err != nil {
		return err
	}
	if err := atlas.CheckParams(r.URL.Query(), "f", "collections"); err != nil {
		return err
	}
	root, title := s.tilesRoot(r)
	doc := ogcapi.Tileset(s.ogcBase(r), root, title, layers, TileJSONMaxZoom)
	tag := etag(r, snap.Version(), s.baseURL(r)+"|"+r.URL.RequestURI())
	return s.writeJSON(w, r, ogcapi.TypeJSON, tag, doc)
}

// handleOGCTile serves the same tiles (and ETags) as /tiles/{layers}/{z}/{x}/{y}.mvt.
func (s *Server) handleOGCTile(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := checkTMS(r); err != nil {
		return err
	}
	layers, err := tileLayers(r)
	if err != nil {
		return err
	}
	v := mux.Vars(r)
	t, err := tiles.ParseZXY(v["tileMatrix"], v["tileCol"], v["tileRow"])
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Del("collections")
	f, err := parseFilter(q, snap)
	if err != nil {
		return err
	}
	return s.serveTile(w, r, snap, layers, t, f)
}

func (s *Server) handleOGCTileMatrixSets(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, "Tile matrix sets", ogcapi.TileMatrixSets(s.ogcBase(r)))
}

func (s *Server) handleOGCTileMatrixSet(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := checkTMS(r); err != nil {
		return err
	}
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, ogcapi.WebMercatorQuad, ogcapi.TileMatrixSet(tiles.MaxZoom))
}
