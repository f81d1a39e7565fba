package atlas

import (
	"context"
	"errors"
	"strings"
)

// The declarations vocabulary: French authorities declare and update their
// partnerships and projects themselves, with a bearer token. These types are
// what a write carries in and what a store returns, whatever the transport
// (the HTTP write API, a command-line import) and whatever the store.

// Principal is an authenticated writer: an admin, or a French authority
// that may write only its own partnerships and their projects.
type Principal struct {
	TokenID   int64
	Authority string // authority id the token writes for; "" for an admin or the ministry
	Admin     bool
	Ministry  bool // the ministry's staff: publishes the bourse-projets' requests, sees the interests
}

// Error kinds of the write path, tested with errors.Is. The HTTP layer maps
// them to 401, 403, 409 and 503 (with Retry-After).
var (
	ErrUnauthenticated = errors.New("missing, unknown or revoked bearer token")
	ErrForbidden       = errors.New("forbidden")
	ErrConflict        = errors.New("conflict")
	// ErrUnavailable: the store cannot be reached now (a database down or
	// restarting); nothing was written, the same request may be retried.
	ErrUnavailable = errors.New("the database is unavailable: nothing was written, retry in a few seconds")
)

// RequestInfo is where a write came from, for the audit trail.
type RequestInfo struct {
	ID        string // the request id (X-Request-Id)
	Client    string // the client address
	UserAgent string
	Request   string // method and path
}

type requestInfoKey struct{}

// WithRequestInfo returns ctx carrying info for the store's audit trail.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the RequestInfo of ctx (zero when none).
func RequestInfoFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return info
}

type idempotencyKey struct{}

// WithIdempotencyKey returns ctx carrying the Idempotency-Key of a creating
// write: a store that sees it answers a repeated request (same token, key
// and body) with the record the first one created, and refuses the key
// with another body (FieldErrors on "Idempotency-Key").
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, key)
}

// IdempotencyKey returns the key WithIdempotencyKey put in ctx, or "".
func IdempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(idempotencyKey{}).(string)
	return k
}

// FieldError is one rejected field of a write body.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// FieldErrors is a rejected write body: every bad field (HTTP 422).
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Reason
	}
	return strings.Join(parts, "; ")
}

// PartnershipInput is a declared partnership: the columns of
// partnerships.csv but the store-generated id. StartYear 0 means unknown;
// Active nil means true; Provenance "" means "real" (declared data comes from
// the authority itself).
type PartnershipInput struct {
	AuthorityID string `json:"authority_id"`
	PartnerID   string `json:"partner_id"`
	Kind        string `json:"kind"`
	StartYear   int    `json:"start_year"`
	Active      *bool  `json:"active"`
	Provenance  string `json:"provenance"`
}

// PartnershipRecord is a stored partnership as a store returns it.
type PartnershipRecord struct {
	ID          string `json:"id"`
	AuthorityID string `json:"authority_id"`
	PartnerID   string `json:"partner_id"`
	Kind        string `json:"kind"`
	StartYear   int    `json:"start_year,omitempty"`
	Active      bool   `json:"active"`
	Provenance  string `json:"provenance"`
}

// ProjectInput is a declared project: the columns of projects.csv but the
// id; Themes holds 1 to 3 theme slugs.
type ProjectInput struct {
	PartnershipID string   `json:"partnership_id"`
	Title         string   `json:"title"`
	Themes        []string `json:"themes"`
	StartYear     int      `json:"start_year"`
	Provenance    string   `json:"provenance"`
}

// ProjectRecord is a stored project as a store returns it.
type ProjectRecord struct {
	ID            string   `json:"id"`
	PartnershipID string   `json:"partnership_id"`
	Title         string   `json:"title"`
	Themes        []string `json:"themes"`
	StartYear     int      `json:"start_year,omitempty"`
	Provenance    string   `json:"provenance"`
}
