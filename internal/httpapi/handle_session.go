package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atlas-cooperation/atlas/internal/atlas"
)

// The extranet's pages do not hold the token: the sign-in form gives it
// once to POST /api/session, which answers a session cookie (HttpOnly,
// Secure, SameSite=Strict, on /api/ only) and the session's CSRF token.
// The write routes then take the cookie in place of the bearer token; a
// write with the cookie (any method but GET and HEAD) must also carry the
// CSRF token in X-CSRF-Token, and an Origin, when the browser sends one,
// of this server. The CSRF token is an HMAC of the session id, which a
// page of another site can neither read (HttpOnly) nor guess; it needs no
// storage, so every replica checks it. Sessions live in the store
// (PostgreSQL), so every replica knows them, and end with their token.

// Sessions is implemented by a Declarations store that keeps the
// extranet's sessions.
type Sessions interface {
	// OpenSession opens a session of ttl for p's token.
	OpenSession(ctx context.Context, p atlas.Principal, ttl time.Duration) (id string, expires time.Time, err error)
	// Session returns the principal of an open session
	// (atlas.ErrUnauthenticated for an unknown, expired or closed one).
	Session(ctx context.Context, id string) (atlas.Principal, time.Time, error)
	// CloseSession ends a session.
	CloseSession(ctx context.Context, id string) error
}

const (
	// sessionCookie names the extranet's session cookie.
	sessionCookie = "atlas_session"
	// csrfHeader carries the session's CSRF token on its writes.
	csrfHeader = "X-CSRF-Token"
	// SessionTTL is how long an extranet session lasts.
	SessionTTL = 8 * time.Hour
)

var errCSRF = fmt.Errorf("%w: a write with the session cookie needs the session's %s header, from a page of this site", atlas.ErrForbidden, csrfHeader)

// csrfToken is the CSRF token of session id.
func csrfToken(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte("atlas extranet csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sessionJSON is the answer of the session routes.
type sessionJSON struct {
	AuthorityID   string `json:"authority_id,omitempty"`
	AuthorityName string `json:"authority_name,omitempty"`
	Ministry      bool   `json:"ministry"`
	Admin         bool   `json:"admin"`
	Expires       string `json:"expires"`
	CSRFToken     string `json:"csrf_token"`
}

func (s *Server) sessionAnswer(p atlas.Principal, id string, expires time.Time) sessionJSON {
	out := sessionJSON{AuthorityID: p.Authority, Ministry: p.Ministry, Admin: p.Admin,
		Expires: expires.UTC().Format(time.RFC3339), CSRFToken: csrfToken(id)}
	if a, ok := s.snaps.Current().Authority(p.Authority); ok {
		out.AuthorityName = a.Name
	}
	return out
}

// sessionRoutes binds POST, GET and DELETE /api/session.
func (s *Server) sessionRoutes(b bindings) {
	b.bind(http.MethodPost, "/api/session", binding{h: http.HandlerFunc(s.openSession)})
	b.bind(http.MethodGet, "/api/session", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		c, err := r.Cookie(sessionCookie)
		st, ok := d.(Sessions)
		if err != nil || !ok {
			return fmt.Errorf("%w: no session: sign in with POST /api/session", atlas.ErrUnauthenticated)
		}
		_, expires, err := st.Session(r.Context(), c.Value)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "private, no-store")
		return writeRecord(w, http.StatusOK, s.sessionAnswer(p, c.Value, expires))
	})})
	b.bind(http.MethodDelete, "/api/session", binding{h: s.write(func(w http.ResponseWriter, r *http.Request, d Declarations, p atlas.Principal) error {
		c, err := r.Cookie(sessionCookie)
		st, ok := d.(Sessions)
		if err != nil || !ok {
			return fmt.Errorf("%w: no session to close", atlas.ErrUnauthenticated)
		}
		if err := st.CloseSession(r.Context(), c.Value); err != nil {
			return err
		}
		http.SetCookie(w, s.cookie("", -1))
		w.WriteHeader(http.StatusNoContent)
		return nil
	})})
}

// cookie is the session cookie holding id for maxAge seconds (< 0: delete it).
func (s *Server) cookie(id string, maxAge int) *http.Cookie {
	path := "/api/"
	if u, err := url.Parse(s.opts.PublicURL); err == nil && s.opts.PublicURL != "" {
		path = strings.TrimSuffix(u.Path, "/") + "/api/"
	}
	return &http.Cookie{Name: sessionCookie, Value: id, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
}

// openSession serves POST /api/session {"token": "atlas_…"}: the token is
// authenticated as a bearer token would be (failures charged to the
// address), a session opened and its cookie set; the answer gives the
// CSRF token.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request) {
	d := s.opts.Declarations
	st, ok := d.(Sessions)
	if d == nil || !ok {
		s.writeProblem(w, http.StatusNotImplemented, "the extranet needs a database: run atlas serve with --database-url", "")
		return
	}
	if !sameOrigin(r) {
		s.writeError(w, r, errCSRF)
		return
	}
	addr := clientAddr(r)
	r = s.withRequestInfo(r, addr)
	if blocked, wait := s.limits.authFailures.blocked(addr); blocked {
		s.writeError(w, r, &rateLimitedError{"failed authentications from this address", wait})
		return
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeBody(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Token == "" {
		s.writeError(w, r, atlas.InvalidParam("token", "", "give the token the ministry issued to the collectivité"))
		return
	}
	p, err := d.Authenticate(r.Context(), in.Token)
	if err == nil {
		if ok, wait := s.limits.perAddr.allow(addr); !ok {
			err = &rateLimitedError{"writes from this address", wait}
		}
	}
	var id string
	var expires time.Time
	if err == nil {
		id, expires, err = st.OpenSession(r.Context(), p, SessionTTL)
	}
	if err != nil {
		if errors.Is(err, atlas.ErrUnauthenticated) {
			s.authFailed(r, d, addr, "unknown or revoked token on sign-in")
			err = fmt.Errorf("%w: unknown or revoked token", atlas.ErrUnauthenticated)
		}
		s.writeError(w, r, err)
		return
	}
	s.limits.valid.add(in.Token)
	s.log.InfoContext(r.Context(), "extranet session opened", "token_id", p.TokenID, "authority", p.Authority, "client", addr)
	http.SetCookie(w, s.cookie(id, int(SessionTTL/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	if err := writeRecord(w, http.StatusCreated, s.sessionAnswer(p, id, expires)); err != nil {
		s.writeError(w, r, err)
	}
}

// sameOrigin reports whether r's Origin, when the browser sent one, is
// this server's host (the check a write with a cookie passes on top of its
// CSRF token).
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		host = fh
	}
	return u.Host == host
}

// sessionPrincipal authenticates the request by its session cookie, the
// CSRF token and Origin checked for a write.
func (s *Server) sessionPrincipal(r *http.Request, d Declarations, id string) (atlas.Principal, error) {
	st, ok := d.(Sessions)
	if !ok {
		return atlas.Principal{}, atlas.ErrUnauthenticated
	}
	p, _, err := st.Session(r.Context(), id)
	if err != nil {
		return atlas.Principal{}, err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if !sameOrigin(r) || !hmac.Equal([]byte(r.Header.Get(csrfHeader)), []byte(csrfToken(id))) {
			return p, errCSRF
		}
	}
	return p, nil
}
