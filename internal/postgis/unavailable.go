package postgis

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/jackc/pgx/v5/pgconn"
)

// unavailableError is a failure to reach the database: it is
// atlas.ErrUnavailable for the HTTP layer (503 with Retry-After) and keeps
// the driver's error for the logs.
type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return atlas.ErrUnavailable.Error() + ": " + e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{atlas.ErrUnavailable, e.err} }

// unavailable returns err as atlas.ErrUnavailable when it says the
// database cannot be reached (refused, reset or closed connection, a
// server shutting down or starting, too many connections), else err. A
// cancelled or timed-out context stays what it is: the client left, or the
// statement timeout struck.
func unavailable(err error) error {
	if err == nil || errors.Is(err, atlas.ErrUnavailable) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || !isConnectionError(err) {
		return err
	}
	return unavailableError{err}
}

func isConnectionError(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01–57P03: the server is
		// shutting down, crashed, or not accepting connections yet;
		// 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "conn closed")
}
