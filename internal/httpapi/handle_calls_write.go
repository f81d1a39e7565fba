package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/gorilla/mux"
)

// CallApplications is the write path of the calls for projects (the
// PostgreSQL store): a collectivité deposits an application to an open
// call with its own token; the ministry decides on it.
type CallApplications interface {
	// Deposit stores the application of p's collectivité to call callID
	// (status deposee, today's date).
	Deposit(ctx context.Context, p atlas.Principal, callID string, in atlas.ApplicationInput) (atlas.Application, error)
	// SetApplicationStatus records the ministry's decision on application
	// app of call callID.
	SetApplicationStatus(ctx context.Context, p atlas.Principal, callID, app string, in atlas.StatusChange) (atlas.Application, error)
}

// callWriteRoutes binds the applications' writes (s.write: bearer token,
// rate limits, refusals audited; a POST's Idempotency-Key).
func (s *Server) callWriteRoutes(b bindings) {
	with := func(h func(w http.ResponseWriter, r *http.Request, st CallApplications, p atlas.Principal) error) binding {
		return binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
			st, ok := d.(CallApplications)
			if !ok {
				return fmt.Errorf("%w: this store has no calls for projects", atlas.ErrUnavailable)
			}
			return h(w, r, st, p)
		})}
	}
	b.bind(http.MethodPost, "/api/calls/{id}/applications", with(func(w http.ResponseWriter, r *http.Request, st CallApplications, p atlas.Principal) error {
		var in atlas.ApplicationInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		app, err := st.Deposit(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return s.writeCreated(w, r, "/api/calls/"+url.PathEscape(app.CallID)+"/applications/"+url.PathEscape(app.ID), app)
	}))
	b.bind(http.MethodPatch, "/api/calls/{id}/applications/{app}", with(func(w http.ResponseWriter, r *http.Request, st CallApplications, p atlas.Principal) error {
		var in atlas.StatusChange
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		v := mux.Vars(r)
		app, err := st.SetApplicationStatus(r.Context(), p, v["id"], v["app"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, app)
	}))
}
