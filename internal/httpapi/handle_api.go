package httpapi

import (
	"net/http"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/gorilla/mux"
)

type layerInfo struct {
	index.Layer
	Features int               `json:"features"`
	Links    map[string]string `json:"links"`
}

// handleLayers serves GET /api/layers.
func (s *Server) handleLayers(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	base := s.baseURL(r)
	var out struct {
		Version string      `json:"version"`
		Layers  []layerInfo `json:"layers"`
	}
	out.Version = snap.Version()
	for _, l := range index.Layers() {
		out.Layers = append(out.Layers, layerInfo{Layer: l, Features: snap.Len(l.ID), Links: map[string]string{
			"tiles":    base + "/tiles/" + l.ID + "/{z}/{x}/{y}.mvt",
			"tilejson": base + "/tiles/" + l.ID + ".json",
			"geojson":  base + "/geojson/" + l.ID,
		}})
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), base+"/api/layers"), out)
}

// handleFacets serves GET /api/facets: the values each filter accepts.
func (s *Server) handleFacets(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/facets"), snap.Facets())
}

type authorityJSON struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Type         string     `json:"type"`
	TypeLabel    string     `json:"type_label"`
	Code         string     `json:"code"`
	Departement  string     `json:"departement,omitempty"`
	Region       string     `json:"region,omitempty"`
	Population   int        `json:"population,omitempty"`
	Partnerships int        `json:"partnerships"`
	Point        [2]float64 `json:"point"`
}

type partnerJSON struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Country      string     `json:"country"`
	CountryName  string     `json:"country_name"`
	Subdivision  string     `json:"subdivision,omitempty"`
	GeonameID    int64      `json:"geonameid,omitempty"`
	Population   int        `json:"population,omitempty"`
	Partnerships int        `json:"partnerships"`
	Point        [2]float64 `json:"point"`
}

func authorityOut(snap *index.Snapshot, sel *index.Selection, i int32) authorityJSON {
	a := snap.Dataset().Authorities[i]
	return authorityJSON{a.ID, a.Name, string(a.Type), a.Type.Label(), a.Code, a.Departement, a.Region, a.Population, sel.AuthorityCount(i), a.Point}
}

func partnerOut(snap *index.Snapshot, sel *index.Selection, i int32) partnerJSON {
	p := snap.Dataset().Partners[i]
	c, _ := snap.Country(p.Country)
	return partnerJSON{p.ID, p.Name, p.Country, c.NameFR, p.Subdivision, p.GeonameID, p.Population, sel.PartnerCount(i), p.Point}
}

// handlePartnership serves GET /api/partnerships/{id}: one partnership with
// both authorities and its projects.
func (s *Server) handlePartnership(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	if err := atlas.CheckParams(r.URL.Query()); err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	i, err := snap.Lookup(index.LayerPartnerships, id)
	if err != nil {
		return err
	}
	p := snap.Dataset().Partnerships[i]
	a, pt := snap.PartnershipEnds(i)
	all := snap.Select(atlas.Filter{})
	out := struct {
		ID         string              `json:"id"`
		Kind       string              `json:"kind"`
		KindLabel  string              `json:"kind_label"`
		StartYear  int                 `json:"start_year,omitempty"`
		Active     bool                `json:"active"`
		Provenance string              `json:"provenance"`
		Sources    []string            `json:"sources,omitempty"`
		Themes     []string            `json:"themes"`
		Authority  authorityJSON       `json:"authority"`
		Partner    partnerJSON         `json:"partner"`
		Projects   []index.ProjectJSON `json:"projects"`
	}{p.ID, string(p.Kind), p.Kind.Label(), p.StartYear, p.Active, string(p.Provenance), p.Sources,
		snap.Properties(index.LayerPartnerships, i, all)["themes"].([]string), authorityOut(snap, all, a), partnerOut(snap, all, pt), snap.PartnershipProjects(i)}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/partnerships/"+id), out)
}

// searchLimit bounds /api/search answers per layer.
const searchLimit = 20

// handleSearch serves GET /api/search?q=&limit=: authorities and partners
// whose name contains q (accent-insensitive).
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, snap *index.Snapshot) error {
	q := r.URL.Query()
	if err := atlas.CheckParams(q, "q", "limit"); err != nil {
		return err
	}
	text := q.Get("q")
	if len([]rune(text)) < 2 || len(text) > 200 {
		return atlas.InvalidParam("q", text, "expected 2 to 200 characters")
	}
	limit := searchLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > 100 {
			return atlas.InvalidParam("limit", q.Get("limit"), "expected an integer between 1 and 100")
		}
		limit = n
	}
	as, ps := snap.SearchNames(text, limit)
	all := snap.Select(atlas.Filter{})
	out := struct {
		Authorities []authorityJSON `json:"authorities"`
		Partners    []partnerJSON   `json:"partners"`
	}{[]authorityJSON{}, []partnerJSON{}}
	for _, i := range as {
		out.Authorities = append(out.Authorities, authorityOut(snap, all, i))
	}
	for _, i := range ps {
		out.Partners = append(out.Partners, partnerOut(snap, all, i))
	}
	return s.writeJSON(w, r, "application/json", etag(r, snap.Version(), "/api/search?"+q.Encode()), out)
}
