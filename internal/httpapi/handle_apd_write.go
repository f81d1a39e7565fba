package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/gorilla/mux"
)

// APDDeclarer is the APD's write path (the PostgreSQL store): a
// collectivité declares, corrects (a draft) and amends (a declared year)
// its aide publique au développement, year by year, and reads its own
// declarations, drafts included; the ministry and an admin read them all.
type APDDeclarer interface {
	// PutAPD writes the declaration of authority for year and answers it
	// as stored (status, version).
	PutAPD(ctx context.Context, p atlas.Principal, authority string, year int, in atlas.APDInput) (atlas.APDDeclaration, error)
	// APDDeclarations lists the declarations p may read; year 0 and
	// authority "" do not filter.
	APDDeclarations(ctx context.Context, p atlas.Principal, year int, authority string) ([]atlas.APDDeclaration, error)
	// APDDeclaration returns one declaration and its previous versions,
	// the latest first.
	APDDeclaration(ctx context.Context, p atlas.Principal, authority string, year int) (atlas.APDDeclaration, []atlas.APDDeclaration, error)
}

// apdDeclarationJSON is a declaration as the write API answers it: the
// stored record with its total.
type apdDeclarationJSON struct {
	atlas.APDDeclaration
	TotalEUR int64 `json:"total_eur"`
}

func apdJSON(d atlas.APDDeclaration) apdDeclarationJSON {
	if d.Lines == nil {
		d.Lines = []atlas.APDLine{}
	}
	return apdDeclarationJSON{d, d.Total()}
}

// apdYear parses the year of a path or query.
func apdYear(name, s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1 || y > 9999 {
		return 0, atlas.InvalidParam(name, s, "want a year, e.g. 2024")
	}
	return y, nil
}

// apdWriteRoutes binds the declarations of APD: every route needs a bearer
// token (s.write: 401, rate limits, refusals audited).
func (s *Server) apdWriteRoutes(b bindings) {
	with := func(h func(w http.ResponseWriter, r *http.Request, st APDDeclarer, p atlas.Principal) error) binding {
		return binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
			st, ok := d.(APDDeclarer)
			if !ok {
				return fmt.Errorf("%w: this store has no APD declarations", atlas.ErrUnavailable)
			}
			return h(w, r, st, p)
		})}
	}
	b.bind(http.MethodGet, "/api/apd/declarations", with(func(w http.ResponseWriter, r *http.Request, st APDDeclarer, p atlas.Principal) error {
		q := r.URL.Query()
		if err := atlas.CheckParams(q, "year", "authority"); err != nil {
			return err
		}
		year := 0
		if q.Has("year") {
			y, err := apdYear("year", q.Get("year"))
			if err != nil {
				return err
			}
			year = y
		}
		list, err := st.APDDeclarations(r.Context(), p, year, q.Get("authority"))
		if err != nil {
			return err
		}
		out := make([]apdDeclarationJSON, len(list))
		for i, d := range list {
			out[i] = apdJSON(d)
		}
		w.Header().Set("Cache-Control", "private, no-store")
		return writeRecord(w, http.StatusOK, map[string]any{"declarations": out})
	}))
	b.bind(http.MethodGet, "/api/apd/{authority}/{year}", with(func(w http.ResponseWriter, r *http.Request, st APDDeclarer, p atlas.Principal) error {
		if err := atlas.CheckParams(r.URL.Query()); err != nil {
			return err
		}
		v := mux.Vars(r)
		year, err := apdYear("year", v["year"])
		if err != nil {
			return err
		}
		d, prev, err := st.APDDeclaration(r.Context(), p, v["authority"], year)
		if err != nil {
			return err
		}
		versions := make([]apdDeclarationJSON, len(prev))
		for i, pv := range prev {
			versions[i] = apdJSON(pv)
		}
		w.Header().Set("Cache-Control", "private, no-store")
		return writeRecord(w, http.StatusOK, struct {
			apdDeclarationJSON
			Previous []apdDeclarationJSON `json:"previous_versions"`
		}{apdJSON(d), versions})
	}))
	b.bind(http.MethodPut, "/api/apd/{authority}/{year}", with(func(w http.ResponseWriter, r *http.Request, st APDDeclarer, p atlas.Principal) error {
		v := mux.Vars(r)
		year, err := apdYear("year", v["year"])
		if err != nil {
			return err
		}
		var in atlas.APDInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		d, err := st.PutAPD(r.Context(), p, v["authority"], year, in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, apdJSON(d))
	}))
}
