package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/directory"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
	"github.com/atlas-cooperation/atlas/internal/tiles"
	"github.com/gorilla/mux"
	orbmvt "github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
)

// Bourse is the bourse-projets' write path (the PostgreSQL store): the
// ministry publishes, updates and closes requests and sees the interests;
// a collectivité expresses its interest with its own token.
type Bourse interface {
	CreateRequest(ctx context.Context, p atlas.Principal, in atlas.RequestInput) (atlas.Request, error)
	UpdateRequest(ctx context.Context, p atlas.Principal, id string, in atlas.RequestInput) (atlas.Request, error)
	ExpressInterest(ctx context.Context, p atlas.Principal, id, message string) (atlas.Interest, error)
	Interests(ctx context.Context, p atlas.Principal, id string) ([]atlas.Interest, error)
}

// today is the date the open requests are judged on (UTC).
func today() string { return time.Now().UTC().Format(time.DateOnly) }

// Bourse answer bounds.
const (
	matchLimit    = 20
	maxMatchLimit = 200
)

// bourseRoutes binds the bourse-projets: public reads from the snapshot,
// writes through the store.
func (s *Server) bourseRoutes(b bindings) {
	s.get(b, "/api/bourse", s.handleBourse)
	s.get(b, "/api/bourse/{id}", s.handleBourseRequest)
	s.get(b, "/api/authorities/{id}/bourse", s.handleBourseForAuthority)
	s.get(b, "/api/bourse/tiles/{z}/{x}/{y}.mvt", s.handleBourseTile)
	// write is s.write with the store's bourse: a store without one
	// answers 503.
	write := func(h func(w http.ResponseWriter, r *http.Request, bs Bourse, p atlas.Principal) error) binding {
		return binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
			bs, ok := d.(Bourse)
			if !ok {
				return fmt.Errorf("%w: this store has no bourse-projets", atlas.ErrUnavailable)
			}
			return h(w, r, bs, p)
		})}
	}
	b.bind(http.MethodPost, "/api/bourse", write(func(w http.ResponseWriter, r *http.Request, bs Bourse, p atlas.Principal) error {
		var in atlas.RequestInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := bs.CreateRequest(r.Context(), p, in)
		if err != nil {
			return err
		}
		return s.writeCreated(w, r, "/api/bourse/"+rec.ID, rec)
	}))
	b.bind(http.MethodPut, "/api/bourse/{id}", write(func(w http.ResponseWriter, r *http.Request, bs Bourse, p atlas.Principal) error {
		var in atlas.RequestInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := bs.UpdateRequest(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	}))
	b.bind(http.MethodPost, "/api/bourse/{id}/interest", write(func(w http.ResponseWriter, r *http.Request, bs Bourse, p atlas.Principal) error {
		var in struct {
			Message string `json:"message"`
		}
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := bs.ExpressInterest(r.Context(), p, mux.Vars(r)["id"], in.Message)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	}))
	b.bind(http.MethodGet, "/api/bourse/{id}/interests", write(func(w http.ResponseWriter, r *http.Request, bs Bourse, p atlas.Principal) error {
		list, err := bs.Interests(r.Context(), p, mux.Vars(r)["id"])
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "private, no-store")
		return writeRecord(w, http.StatusOK, map[string]any{"request_id": mux.Vars(r)["id"], "interests": list})
	}))
}

// requestJSON is a request with its country's name.
type requestJSON struct {
	atlas.Request
	CountryName string `json:"country_name"`
}

// openTag is the ETag of an answer about the open requests: it changes
// with the data and with the set of requests open today, not with the
// date alone.
func openTag(r *http.Request, snap *index.Snapshot, canonical string, open []atlas.Request) string {
	ids := make([]string, len(open))
	for i, q := range open {
		ids[i] = q.ID
	}
	return etag(r, snap.Version(), canonical+"#open="+strings.Join(ids, ","))
}

// handleBourse serves GET /api/bourse?country=&theme=[&format=geojson]:
// the open requests, as JSON or as a GeoJSON layer of points.
func (s *Server) handleBourse(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, "country", "theme", "format"); err != nil {
		return err
	}
	f, err := atlas.ParseFilter(q, snap)
	if err != nil {
		return err
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "geojson" {
		return atlas.InvalidParam("format", format, "allowed: json, geojson")
	}
	open := directory.OpenRequests(snap, f.Countries, f.Themes, today())
	tag := openTag(r, snap, "/api/bourse?format="+format+"&"+f.Encode(), open)
	if format != "geojson" {
		out := struct {
			Method   string        `json:"matching_method"`
			Requests []requestJSON `json:"requests"`
		}{directory.MatchMethod, []requestJSON{}}
		for _, q := range open {
			c, _ := snap.Country(q.Country)
			out.Requests = append(out.Requests, requestJSON{q, c.NameFR})
		}
		return s.writeJSON(w, r, "application/json", tag, out)
	}
	type feature struct {
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{"FeatureCollection", []feature{}}
	for _, q := range open {
		c, _ := snap.Country(q.Country)
		props := map[string]any{"id": q.ID, "name": q.Name, "country": q.Country, "country_name": c.NameFR, "themes": strings.Join(q.Themes, "|"),
			"description": q.Description, "sought_types": atlas.JoinTypes(q.SoughtTypes), "languages": strings.Join(q.Languages, "|"),
			"valid_until": q.ValidUntil, "published": q.Published}
		if q.PartnerID != "" {
			props["partner_id"] = q.PartnerID
		}
		fc.Features = append(fc.Features, feature{"Feature", q.ID, map[string]any{"type": "Point", "coordinates": q.Point}, props})
	}
	return s.writeJSON(w, r, "application/geo+json", tag, fc)
}

// handleBourseRequest serves GET /api/bourse/{id}?limit=: one request
// (open or not) with the French collectivités ranked for it.
func (s *Server) handleBourseRequest(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, "limit"); err != nil {
		return err
	}
	limit := matchLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > maxMatchLimit {
			return atlas.InvalidParam("limit", q.Get("limit"), fmt.Sprintf("expected an integer between 1 and %d", maxMatchLimit))
		}
		limit = n
	}
	id := mux.Vars(r)["id"]
	for _, req := range snap.Dataset().Requests {
		if req.ID != id {
			continue
		}
		matches, total := directory.MatchAuthorities(snap, req, limit)
		c, _ := snap.Country(req.Country)
		out := struct {
			requestJSON
			Open         bool                       `json:"open"`
			Method       string                     `json:"matching_method"`
			Matches      []directory.AuthorityMatch `json:"matches"`
			MatchesTotal int                        `json:"matches_total"`
		}{requestJSON{req, c.NameFR}, req.IsOpen(today()), directory.MatchMethod, matches, total}
		return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), fmt.Sprintf("/api/bourse/%s?limit=%d&open=%v", id, limit, out.Open)), out)
	}
	return fmt.Errorf("request %q: %w", id, atlas.ErrNotFound)
}

// handleBourseForAuthority serves GET /api/authorities/{id}/bourse: the
// open requests ranked for one collectivité.
func (s *Server) handleBourseForAuthority(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	a, err := snap.Lookup(index.LayerAuthorities, id)
	if err != nil {
		return err
	}
	matches := directory.MatchRequests(snap, a, today())
	open := make([]atlas.Request, len(matches))
	for i, m := range matches {
		open[i] = m.Request
	}
	out := struct {
		AuthorityID string                   `json:"authority_id"`
		Method      string                   `json:"matching_method"`
		Requests    []directory.RequestMatch `json:"requests"`
	}{id, directory.MatchMethod, matches}
	return s.writeJSON(w, r, "application/json", openTag(r, snap, "/api/authorities/"+id+"/bourse", open), out)
}

// handleBourseTile serves GET /api/bourse/tiles/{z}/{x}/{y}.mvt?country=&theme=:
// the open requests as a vector tile layer "bourse" of points (orb's MVT
// encoder: the layer is small), 204 when the tile has none.
func (s *Server) handleBourseTile(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, "country", "theme"); err != nil {
		return err
	}
	f, err := atlas.ParseFilter(q, snap)
	if err != nil {
		return err
	}
	v := mux.Vars(r)
	tile, err := tiles.ParseZXY(v["z"], v["x"], v["y"])
	if err != nil {
		return err
	}
	open := directory.OpenRequests(snap, f.Countries, f.Themes, today())
	tag := openTag(r, snap, fmt.Sprintf("/api/bourse/tiles/%d/%d/%d.mvt?%s", tile.Z, tile.X, tile.Y, f.Encode()), open)
	if s.notModified(w, r, tag) {
		return nil
	}
	b := tile.Bound()
	pad := (b.Max[0] - b.Min[0]) / 16 // symbols near the edge drawn on both tiles
	b.Min[0], b.Min[1], b.Max[0], b.Max[1] = b.Min[0]-pad, b.Min[1]-pad, b.Max[0]+pad, b.Max[1]+pad
	fc := geojson.NewFeatureCollection()
	for _, q := range open {
		if !b.Contains(q.Point) {
			continue
		}
		ft := geojson.NewFeature(q.Point)
		ft.Properties = geojson.Properties{"id": q.ID, "name": q.Name, "country": q.Country, "themes": strings.Join(q.Themes, "|"),
			"sought_types": atlas.JoinTypes(q.SoughtTypes), "valid_until": q.ValidUntil}
		fc.Append(ft)
	}
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", s.opts.CacheControl)
	if len(fc.Features) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	layers := orbmvt.NewLayers(map[string]*geojson.FeatureCollection{"bourse": fc})
	layers.ProjectToTile(tile)
	data, err := orbmvt.Marshal(layers)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ogcapi.TypeMVT)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method != http.MethodHead {
		_, err = w.Write(data)
	}
	return err
}
