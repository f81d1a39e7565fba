package httpapi

import (
	"context"
	"errors"
	"time"
)

// errBusy is returned when a costly route's slots stay full for longer than
// a request may wait; it is answered 503 with Retry-After.
var errBusy = errors.New("the server is busy with requests of this kind: retry in a few seconds")

// slots bounds the costly requests of one kind run at once (print maps,
// GeoPackage files, filtered items): a request waits at most wait for one,
// then gives up with errBusy, so that a burst queues no more work than the
// slots can do in that time.
type slots struct {
	ch   chan struct{}
	wait time.Duration
}

func newSlots(n int, wait time.Duration) *slots {
	return &slots{ch: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot; release it with release.
func (s *slots) acquire(ctx context.Context) error {
	select {
	case s.ch <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(s.wait)
	defer t.Stop()
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errBusy
	}
}

func (s *slots) release() { <-s.ch }
