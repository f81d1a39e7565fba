package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/gorilla/mux"
)

// Declarations is the write path: French authorities declare and update
// their partnerships and projects with a bearer token. It is implemented by
// the PostgreSQL store (internal/postgis); without it the write routes
// answer 501.
//
// Errors: atlas.ErrUnauthenticated (401), atlas.ErrForbidden (403),
// atlas.ErrNotFound (404), atlas.FieldErrors (422, naming the fields),
// atlas.ErrConflict (409); writeError maps them.
type Declarations interface {
	// Authenticate returns the principal of a bearer token.
	Authenticate(ctx context.Context, token string) (atlas.Principal, error)
	CreatePartnership(ctx context.Context, p atlas.Principal, in atlas.PartnershipInput) (atlas.PartnershipRecord, error)
	UpdatePartnership(ctx context.Context, p atlas.Principal, id string, in atlas.PartnershipInput) (atlas.PartnershipRecord, error)
	DeletePartnership(ctx context.Context, p atlas.Principal, id string) error
	CreateProject(ctx context.Context, p atlas.Principal, in atlas.ProjectInput) (atlas.ProjectRecord, error)
	UpdateProject(ctx context.Context, p atlas.Principal, id string, in atlas.ProjectInput) (atlas.ProjectRecord, error)
	DeleteProject(ctx context.Context, p atlas.Principal, id string) error
	// UpdateFiche writes the fiche (contact, website, presentation, logo)
	// of authority id, which only its own token or an admin's may write.
	UpdateFiche(ctx context.Context, p atlas.Principal, id string, in atlas.FicheInput) (atlas.Fiche, error)
}

// maxDeclarationBody bounds a write body.
const maxDeclarationBody = 64 << 10

// declarationRoutes registers the write routes on r.
func (s *Server) declarationRoutes(b bindings) {
	b.bind(http.MethodPost, "/api/partnerships", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		var in atlas.PartnershipInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.CreatePartnership(r.Context(), p, in)
		if err != nil {
			return err
		}
		return s.writeCreated(w, r, "/api/partnerships/"+rec.ID, rec)
	})})
	b.bind(http.MethodPut, "/api/partnerships/{id}", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		var in atlas.PartnershipInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.UpdatePartnership(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	})})
	b.bind(http.MethodDelete, "/api/partnerships/{id}", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		if err := d.DeletePartnership(r.Context(), p, mux.Vars(r)["id"]); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})})
	b.bind(http.MethodPost, "/api/projects", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		var in atlas.ProjectInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.CreateProject(r.Context(), p, in)
		if err != nil {
			return err
		}
		return s.writeCreated(w, r, "/api/projects/"+rec.ID, rec)
	})})
	b.bind(http.MethodPut, "/api/projects/{id}", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		var in atlas.ProjectInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.UpdateProject(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	})})
	b.bind(http.MethodDelete, "/api/projects/{id}", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		if err := d.DeleteProject(r.Context(), p, mux.Vars(r)["id"]); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})})
	b.bind(http.MethodPut, "/api/authorities/{id}/fiche", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		var in atlas.FicheInput
		if err := decodeBody(r, &in); err != nil {
			return err
		}
		rec, err := d.UpdateFiche(r.Context(), p, mux.Vars(r)["id"], in)
		if err != nil {
			return err
		}
		return writeRecord(w, http.StatusOK, rec)
	})})
}

type writeFunc func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error

// write wraps a write handler: no store → 501; a client address that spent
// its failed authentications → 429; then bearer authentication, or the
// extranet's session cookie with, for a write, its CSRF token (401, 403:
// handle_session.go), before anything else is read; then the write rate limits of the token
// and of the address (429); a POST's Idempotency-Key goes to the store in
// the context (atlas.WithIdempotencyKey); errors mapped to problems.
func (s *Server) write(h writeFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := s.opts.Declarations
		if d == nil {
			s.writeProblem(w, http.StatusNotImplemented, "writes need a database: run atlas serve with --database-url", "")
			return
		}
		addr := clientAddr(r)
		r = s.withRequestInfo(r, addr)
		token, ok := bearer(r)
		session := ""
		if c, err := r.Cookie(sessionCookie); !ok && err == nil && c.Value != "" {
			// The extranet's session stands for its token (handle_session.go).
			token, ok, session = c.Value, true, c.Value
		}
		// An address that spent its failed authentications is refused
		// before any lookup, except for a token that authenticated
		// lately: a guesser sharing the address (a proxy, a NAT) does not
		// lock its legitimate writers out.
		if blocked, wait := s.limits.authFailures.blocked(addr); blocked && !(ok && s.limits.valid.has(token)) {
			s.writeError(w, r, &rateLimitedError{"failed authentications from this address", wait})
			return
		}
		if !ok {
			s.authFailed(r, d, addr, "no bearer token")
			s.writeError(w, r, atlas.ErrUnauthenticated)
			return
		}
		var p atlas.Principal
		var err error
		if session != "" {
			p, err = s.sessionPrincipal(r, d, session)
		} else {
			p, err = d.Authenticate(r.Context(), token)
		}
		if err != nil {
			switch {
			case errors.Is(err, atlas.ErrForbidden):
				s.recordRejected(r, d, p, http.StatusForbidden, err.Error())
			case errors.Is(err, atlas.ErrUnauthenticated) && session != "":
				s.authFailed(r, d, addr, "unknown, expired or closed session")
				err = fmt.Errorf("%w: the session is unknown, expired or closed: sign in again", atlas.ErrUnauthenticated)
			case errors.Is(err, atlas.ErrUnauthenticated):
				s.authFailed(r, d, addr, "unknown or revoked token")
			}
			s.writeError(w, r, err)
			return
		}
		s.limits.valid.add(token)
		if ok, wait := s.limits.perToken.allow(strconv.FormatInt(p.TokenID, 10)); !ok {
			s.writeError(w, r, &rateLimitedError{"writes with this token", wait})
			return
		}
		if ok, wait := s.limits.perAddr.allow(addr); !ok {
			s.writeError(w, r, &rateLimitedError{"writes from this address", wait})
			return
		}
		if key := r.Header.Get("Idempotency-Key"); key != "" && r.Method == http.MethodPost {
			if len(key) > 255 || !printableASCII(key) {
				s.writeError(w, r, atlas.InvalidParam("Idempotency-Key", "", "want 1 to 255 printable ASCII characters (a UUID, say)"))
				return
			}
			r = r.WithContext(atlas.WithIdempotencyKey(r.Context(), key))
		}
		if err := h(w, r, d, p); err != nil {
			if errors.Is(err, atlas.ErrForbidden) {
				s.recordRejected(r, d, p, http.StatusForbidden, err.Error())
			}
			s.writeError(w, r, err)
		}
	})
}

// withRequestInfo puts the request's id, client address and user agent in
// its context, for the audit trail.
func (s *Server) withRequestInfo(r *http.Request, addr string) *http.Request {
	ua := r.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	return r.WithContext(atlas.WithRequestInfo(r.Context(), atlas.RequestInfo{
		ID: RequestID(r.Context()), Client: addr, UserAgent: ua, Request: r.Method + " " + r.URL.Path}))
}

// authFailed logs a refused authentication and charges it to the client
// address, whose further attempts get 429 once AuthFailuresPerMinute are
// spent (so the log grows by at most that much per address).
func (s *Server) authFailed(r *http.Request, d Declarations, addr, why string) {
	s.limits.authFailures.allow(addr)
	s.log.WarnContext(r.Context(), "authentication failed", "reason", why, "client", addr,
		"method", r.Method, "path", r.URL.Path, "user_agent", atlas.RequestInfoFrom(r.Context()).UserAgent)
	s.recordRejected(r, d, atlas.Principal{}, http.StatusUnauthorized, why)
}

// RejectionRecorder is optionally implemented by a Declarations store
// with an audit trail: the writes refused for their token (401, p zero) or
// their scope (403) are recorded there too. The request's
// atlas.RequestInfo is in ctx.
type RejectionRecorder interface {
	RecordRejected(ctx context.Context, p atlas.Principal, status int, reason string) error
}

// recordRejected records a refused write when d keeps an audit trail; a
// failure is logged, the answer stays the refusal.
func (s *Server) recordRejected(r *http.Request, d Declarations, p atlas.Principal, status int, reason string) {
	if rr, ok := d.(RejectionRecorder); ok {
		if err := rr.RecordRejected(r.Context(), p, status, reason); err != nil && r.Context().Err() == nil {
			s.log.WarnContext(r.Context(), "cannot audit a refused write", "err", err)
		}
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

var errUnsupportedMedia = errors.New("the body must be application/json")

// decodeBody reads one JSON object into v: unknown fields, trailing data,
// wrong types, bytes that are not UTF-8 and oversized bodies are 400s
// naming the field.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return errUnsupportedMedia
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxDeclarationBody))
	if err == nil && !utf8.Valid(body) {
		// encoding/json would store U+FFFD in place of each bad byte.
		return atlas.InvalidParam("body", "", fmt.Sprintf("not UTF-8: invalid byte at offset %d", invalidUTF8(body)))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(v)
	}
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

// invalidUTF8 returns the offset of the first byte of b that is not part
// of a valid UTF-8 sequence.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
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
