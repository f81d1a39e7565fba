package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/money"
	"github.com/atlas-cooperation/atlas/internal/ogcapi"
	"github.com/gorilla/mux"
)

// The OGC API's money collections (ogcapi.MoneyCollections): apd, one
// point feature per country that received APD, and calls, the calls for
// projects without geometry. They are read from the money ledger; they
// take limit, offset (and for apd since, until), no CQL2 filter.

// moneyFeature is a GeoJSON feature of a money collection.
type moneyFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   any            `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// moneyFeatures returns the features of a money collection, in a stable
// order (apd: the largest amount first; calls: load order).
func (s *Server) moneyFeatures(snap *index.Snapshot, id string, since, until int) ([]moneyFeature, error) {
	l := s.money.For(snap)
	out := []moneyFeature{}
	switch id {
	case ogcapi.CollectionAPD:
		t, err := l.APD("country", money.Filter{Since: since, Until: until})
		if err != nil {
			return nil, err
		}
		for _, g := range t.Groups {
			c, ok := snap.Country(g.Key)
			if !ok {
				continue // unallocated
			}
			props := map[string]any{"iso2": c.ISO2, "name": c.NameFR, "name_en": c.NameEN, "apd_eur": g.AmountEUR,
				"lines": g.Lines, "authorities": g.Authorities, "synthetic_eur": g.SyntheticEUR}
			if since != 0 {
				props["since"] = since
			}
			if until != 0 {
				props["until"] = until
			}
			out = append(out, moneyFeature{"Feature", c.ISO2, map[string]any{"type": "Point", "coordinates": c.Label}, props})
		}
	case ogcapi.CollectionCalls:
		for _, c := range l.Calls(money.CallFilter{}, today()) {
			out = append(out, moneyFeature{"Feature", c.ID, nil, map[string]any{"id": c.ID, "title": c.Title, "kind": c.Kind, "kind_label": c.KindLabel,
				"status": c.Status, "opens": c.Opens, "closes": c.Closes, "themes": c.Themes, "countries": c.Countries, "budget_eur": c.BudgetEUR,
				"applications": c.Counts.Applications, "laureates": c.Counts.Laureates, "requested_eur": c.Counts.RequestedEUR,
				"granted_eur": c.Counts.GrantedEUR, "participants": c.Counts.Participants, "application_countries": c.Counts.Countries}})
		}
	default:
		return nil, fmt.Errorf("collection %q: %w", id, atlas.ErrNotFound)
	}
	return out, nil
}

// moneyTag is the ETag of a money collection's answer: calls change
// status with the day.
func (s *Server) moneyTag(r *http.Request, snap *index.Snapshot, id string, html bool) string {
	canonical := fmt.Sprintf("%s|%s?%s|%t", s.baseURL(r), r.URL.Path, r.URL.Query().Encode(), html)
	if id == ogcapi.CollectionCalls {
		return callsTag(r, snap, canonical, s.money.For(snap).Calls(money.CallFilter{}, today()))
	}
	return etag(r, snap.Version(), canonical)
}

func (s *Server) handleOGCMoneyCollection(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, id string) error {
	doc, err := ogcapi.MoneyCollection(snap, s.ogcBase(r), id)
	if err != nil {
		return err
	}
	return s.ogcDoc(w, r, snap, ogcapi.TypeJSON, doc.Title, doc)
}

func (s *Server) handleOGCMoneyQueryables(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, id string) error {
	doc, err := ogcapi.MoneyQueryables(s.ogcBase(r), id)
	if err != nil {
		return err
	}
	return s.ogcDoc(w, r, snap, ogcapi.TypeSchema, "Queryables — "+doc.Title, doc)
}

// handleOGCMoneyItems serves /ogc/collections/{apd,calls}/items?limit=&offset=[&since=&until=].
func (s *Server) handleOGCMoneyItems(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, id string) error {
	q := r.URL.Query()
	allowed := []string{"limit", "offset"}
	if id == ogcapi.CollectionAPD {
		allowed = append(allowed, "since", "until")
	}
	if q.Has("filter") {
		return atlas.InvalidParam("filter", q.Get("filter"), "the "+id+" collection takes no CQL2 filter")
	}
	if err := checkF(r, allowed...); err != nil {
		return err
	}
	f, err := atlas.ParseFilter(q, snap) // since and until
	if err != nil {
		return err
	}
	limit, offset, err := s.parsePage(q)
	if err != nil {
		return err
	}
	html := wantsHTML(r)
	w.Header().Add("Vary", "Accept")
	tag := s.moneyTag(r, snap, id, html)
	if s.notModified(w, r, tag) {
		return nil
	}
	all, err := s.moneyFeatures(snap, id, f.Since, f.Until)
	if err != nil {
		return err
	}
	total := len(all)
	lo := min(offset, total)
	hi := lo + min(limit, total-lo)
	base := s.ogcBase(r) + "/collections/" + id + "/items?"
	if f.Since != 0 {
		base += "since=" + strconv.Itoa(f.Since) + "&"
	}
	if f.Until != 0 {
		base += "until=" + strconv.Itoa(f.Until) + "&"
	}
	page := fmt.Sprintf("limit=%d&offset=%d", limit, offset)
	links := []ogcLink{
		{Href: base + page, Rel: "self", Type: ogcapi.TypeGeoJSON, Title: "this page"},
		{Href: base + page + "&f=html", Rel: "alternate", Type: ogcapi.TypeHTML, Title: "this page (HTML)"},
		{Href: s.ogcBase(r) + "/collections/" + id, Rel: "collection", Type: ogcapi.TypeJSON, Title: id},
	}
	if hi < total {
		links = append(links, ogcLink{Href: fmt.Sprintf("%slimit=%d&offset=%d", base, limit, hi), Rel: "next", Type: ogcapi.TypeGeoJSON, Title: "next page"})
	}
	if lo > 0 {
		links = append(links, ogcLink{Href: fmt.Sprintf("%slimit=%d&offset=%d", base, limit, max(0, lo-limit)), Rel: "prev", Type: ogcapi.TypeGeoJSON, Title: "previous page"})
	}
	fc := struct {
		Type           string         `json:"type"`
		Features       []moneyFeature `json:"features"`
		Links          []ogcLink      `json:"links"`
		NumberMatched  int            `json:"numberMatched"`
		NumberReturned int            `json:"numberReturned"`
	}{"FeatureCollection", all[lo:hi], links, total, hi - lo}
	if html {
		return s.writeHTML(w, r, tag, docPage(id, fc))
	}
	return s.writeJSON(w, r, ogcapi.TypeGeoJSON, "", fc)
}

// handleOGCMoneyItem serves /ogc/collections/{apd,calls}/items/{featureId}.
func (s *Server) handleOGCMoneyItem(w http.ResponseWriter, r *http.Request, snap *index.Snapshot, id string) error {
	if err := checkF(r); err != nil {
		return err
	}
	fid := mux.Vars(r)["featureId"]
	all, err := s.moneyFeatures(snap, id, 0, 0)
	if err != nil {
		return err
	}
	for _, f := range all {
		if f.ID != fid {
			continue
		}
		html := wantsHTML(r)
		w.Header().Add("Vary", "Accept")
		self := s.ogcBase(r) + "/collections/" + id + "/items/" + fid
		out := struct {
			moneyFeature
			Links []ogcLink `json:"links"`
		}{f, []ogcLink{
			{Href: self, Rel: "self", Type: ogcapi.TypeGeoJSON, Title: "this feature"},
			{Href: self + "?f=html", Rel: "alternate", Type: ogcapi.TypeHTML, Title: "this feature (HTML)"},
			{Href: s.ogcBase(r) + "/collections/" + id, Rel: "collection", Type: ogcapi.TypeJSON, Title: id},
		}}
		tag := s.moneyTag(r, snap, id, html)
		if html {
			return s.writeHTML(w, r, tag, docPage(fid, out))
		}
		return s.writeJSON(w, r, ogcapi.TypeGeoJSON, tag, out)
	}
	return fmt.Errorf("%s %q: %w", id, fid, atlas.ErrNotFound)
}
