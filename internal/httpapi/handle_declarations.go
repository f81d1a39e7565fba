package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/gorilla/mux"
)

// Declarations is the write path: French authorities declare and update
// their partnerships and projects with a bearer token. It is implemented by
// the PostgreSQL store (internal/postgis); without it the write routes
// answer 501.
//
// Errors: ErrUnauthenticated (401), ErrForbidden (403), atlas.ErrNotFound
// (404), *FieldErrors (422, naming the fields), ErrConflict (409).
type Declarations interface {
	// Authenticate returns the principal of a bearer token.
	Authenticate(ctx context.Context, token string) (Principal, error)
	CreatePartnership(ctx context.Context, p Principal, in PartnershipInput) (PartnershipRecord, error)
	UpdatePartnership(ctx context.Context, p Principal, id string, in PartnershipInput) (PartnershipRecord, error)
	DeletePartnership(ctx context.Context, p Principal, id string) error
	CreateProject(ctx context.Context, p Principal, in ProjectInput) (ProjectRecord, error)
	UpdateProject(ctx context.Context, p Principal, id string, in ProjectInput) (ProjectRecord, error)
	DeleteProject(ctx context.Context, p Principal, id string) error
}

// Principal is an authenticated writer: an admin, or a French authority
// that may write only its own partnerships and their projects.
type Principal struct {
	TokenID   int64
	Authority string // authority id the token writes for; "" for an admin
	Admin     bool
}

// Errors of the write path.
var (
	ErrUnauthenticated = errors.New("missing, unknown or revoked bearer token")
	ErrForbidden       = errors.New("forbidden")
	ErrConflict        = errors.New("conflict")
)

// FieldError is one rejected field of a write body.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// FieldErrors is a rejected write body (422): every bad field.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Reason
	}
	return strings.Join(parts, "; ")
}

// PartnershipInput is the body of POST and PUT /api/partnerships: the
// columns of partnerships.csv but the server-generated id. start_year 0 or
// absent means unknown; active defaults to true; provenance defaults to
// "real" (declared data comes from the authority itself).
type PartnershipInput struct {
	AuthorityID string `json:"authority_id"`
	PartnerID   string `json:"partner_id"`
	Kind        string `json:"kind"`
	StartYear   int    `json:"start_year"`
	Active      *bool  `json:"active"`
	Provenance  string `json:"provenance"`
}

// PartnershipRecord is a stored partnership as the write routes return it.
type PartnershipRecord struct {
	ID          string `json:"id"`
	AuthorityID string `json:"authority_id"`
	PartnerID   string `json:"partner_id"`
	Kind        string `json:"kind"`
	StartYear   int    `json:"start_year,omitempty"`
	Active      bool   `json:"active"`
	Provenance  string `json:"provenance"`
}

// ProjectInput is the body of POST and PUT /api/projects: the columns of
// projects.csv but the id; themes are 1 to 3 theme slugs.
type ProjectInput struct {
	PartnershipID string   `json:"partnership_id"`
	Title         string   `json:"title"`
	Themes        []string `json:"themes"`
	StartYear     int      `json:"start_year"`
	Provenance    string   `json:"provenance"`
}

// ProjectRecord is a stored project as the write routes return it.
type ProjectRecord struct {
	ID            string   `json:"id"`
	PartnershipID string   `json:"partnership_id"`
	Title         string   `json:"title"`
	Themes        []string `json:"themes"`
	StartYear     int      `json:"start_year,omitempty"`
	Provenance    string   `json:"provenance"`
}

// maxDeclarationBody bounds a write body.
const maxDeclarationBody = 64 << 10

// declarationRoutes registers the write routes on r.
func (s *Server) declarationRoutes(r *mux.Router) {
	r.Handle("/api/partnerships", s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error {
		var in PartnershipInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.CreatePartnership(r.Context(), p, in)
		if err != nil {
			return err
		}
		return s.writeCreated(w, r, "/api/partnerships/"+rec.ID, rec)
	})).Methods(http.MethodPost)
	r.Handle("/api/partnerships/{id}", s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error {
		var in PartnershipInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.UpdatePartnership(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	})).Methods(http.MethodPut)
	r.Handle("/api/partnerships/{id}", s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error {
		if err := d.DeletePartnership(r.Context(), p, mux.Vars(r)["id"]); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})).Methods(http.MethodDelete)
	r.Handle("/api/projects", s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error {
		var in ProjectInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.CreateProject(r.Context(), p, in)
		if err != nil {
			return err
		}
		return s.writeCreated(w, r, "/api/projects/"+rec.ID, rec)
	})).Methods(http.MethodPost)
	r.Handle("/api/projects/{id}", s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error {
		var in ProjectInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.UpdateProject(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	})).Methods(http.MethodPut)
	r.Handle("/api/projects/{id}", s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error {
		if err := d.DeleteProject(r.Context(), p, mux.Vars(r)["id"]); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})).Methods(http.MethodDelete)
}

type writeFunc func(w http.ResponseWriter, r *http.Request, d Declarations, p Principal) error

// write wraps a write handler: no store → 501; then bearer authentication
// (401) before anything else is read; errors mapped to problems.
func (s *Server) write(h writeFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := s.opts.Declarations
		if d == nil {
			s.writeProblem(w, http.StatusNotImplemented, "writes need a database: run atlas serve with --database-url", "")
			return
		}
		token, ok := bearer(r)
		if !ok {
			s.writeDeclarationError(w, r, ErrUnauthenticated)
			return
		}
		p, err := d.Authenticate(r.Context(), token)
		if err != nil {
			s.writeDeclarationError(w, r, err)
			return
		}
		if err := h(w, r, d, p); err != nil {
			s.writeDeclarationError(w, r, err)
		}
	})
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// declProblem is a problem document with the list of rejected fields.
type declProblem struct {
	problem
	Errors FieldErrors `json:"errors,omitempty"`
}

func (s *Server) writeDeclarationError(w http.ResponseWriter, r *http.Request, err error) {
	var fe FieldErrors
	var pe *atlas.ParamError
	switch {
	case errors.Is(err, ErrUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="atlas"`)
		s.writeProblem(w, http.StatusUnauthorized, err.Error(), "")
	case errors.Is(err, ErrForbidden):
		s.writeProblem(w, http.StatusForbidden, err.Error(), "")
	case errors.Is(err, ErrConflict):
		s.writeProblem(w, http.StatusConflict, err.Error(), "")
	case errors.As(err, &fe) && len(fe) > 0:
		h := w.Header()
		h.Set("Content-Type", "application/problem+json")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(declProblem{
			problem: problem{Type: "about:blank", Title: http.StatusText(http.StatusUnprocessableEntity),
				Status: http.StatusUnprocessableEntity, Detail: fe.Error(), Param: fe[0].Field},
			Errors: fe,
		})
	case errors.As(err, &pe):
		s.writeProblem(w, http.StatusBadRequest, pe.Error(), pe.Param)
	case errors.Is(err, errUnsupportedMedia):
		s.writeProblem(w, http.StatusUnsupportedMediaType, err.Error(), "")
	default:
		s.writeError(w, r, err)
	}
}

var errUnsupportedMedia = errors.New("the body must be application/json")

// decodeBody reads one JSON object into v: unknown fields, trailing data,
// wrong types and oversized bodies are 400s naming the field.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return errUnsupportedMedia
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxDeclarationBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &te):
		return atlas.InvalidParam(te.Field, "", fmt.Sprintf("want a JSON %s, got %s", jsonKind(te.Type.Kind()), te.Value))
	case errors.As(err, &mbe):
		return atlas.InvalidParam("body", "", fmt.Sprintf("larger than %d bytes", maxDeclarationBody))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return atlas.InvalidParam(f, "", "unknown field")
	case errors.Is(err, io.EOF):
		return atlas.InvalidParam("body", "", "empty body: want a JSON object")
	}
	return atlas.InvalidParam("body", "", "malformed JSON: "+err.Error())
}

func (s *Server) writeCreated(w http.ResponseWriter, r *http.Request, path string, v any) error {
	w.Header().Set("Location", s.baseURL(r)+path)
	return writeRecord(w, http.StatusCreated, v)
}

func writeRecord(w http.ResponseWriter, status int, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(append(data, '\n'))
	return err
}

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Pointer, reflect.Interface:
		return "value"
	}
	return "number"
}
