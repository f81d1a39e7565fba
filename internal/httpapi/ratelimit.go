package httpapi

import (
	"crypto/sha256"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits of the write routes: failed authentications per client
// address (a guessed token costs a database lookup and must not be tried
// thousands of times a second), and writes per token and per client
// address (each write rebuilds the snapshot on every replica). A refused
// request gets 429 with Retry-After; the limiters are token buckets
// (golang.org/x/time/rate) kept for a bounded number of keys.

// rateLimitedError is returned when a limiter refuses a request;
// retryAfter says when the next one would pass.
type rateLimitedError struct {
	what       string
	retryAfter time.Duration
}

func (e *rateLimitedError) Error() string {
	return "too many " + e.what + ": retry in " + strconv.Itoa(retrySeconds(e.retryAfter)) + " s"
}

func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// keyedLimiter holds one token bucket per key, at most maxKeys of them: when
// full, the buckets idle long enough to be full again are dropped, and if
// none is, the whole set is reset (a flood of new keys then gets fresh
// buckets, which is what an unseen key gets anyway).
type keyedLimiter struct {
	limit   rate.Limit
	burst   int
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newKeyedLimiter(perSecond float64, burst, maxKeys int) *keyedLimiter {
	return &keyedLimiter{limit: rate.Limit(perSecond), burst: burst, maxKeys: maxKeys, buckets: map[string]*bucket{}}
}

func (k *keyedLimiter) get(key string, now time.Time) *rate.Limiter {
	b := k.buckets[key]
	if b == nil {
		if len(k.buckets) >= k.maxKeys {
			k.sweep(now)
		}
		b = &bucket{lim: rate.NewLimiter(k.limit, k.burst)}
		k.buckets[key] = b
	}
	b.last = now
	return b.lim
}

// sweep drops the buckets that have refilled since their last use.
func (k *keyedLimiter) sweep(now time.Time) {
	full := time.Duration(float64(k.burst) / float64(k.limit) * float64(time.Second))
	for key, b := range k.buckets {
		if now.Sub(b.last) > full {
			delete(k.buckets, key)
		}
	}
	if len(k.buckets) >= k.maxKeys {
		clear(k.buckets)
	}
}

// allow takes a token from key's bucket, or says how long until one.
func (k *keyedLimiter) allow(key string) (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	lim := k.get(key, now)
	if lim.AllowN(now, 1) {
		return true, 0
	}
	r := lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return false, d
}

// blocked reports, without taking a token, whether key's bucket is empty,
// and how long until it holds one.
func (k *keyedLimiter) blocked(key string) (bool, time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	b := k.buckets[key]
	if b == nil || b.lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := b.lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return true, d
}

// writeLimits are the limiters of one Server's write routes.
type writeLimits struct {
	authFailures *keyedLimiter // per client address
	perToken     *keyedLimiter // writes per token
	perAddr      *keyedLimiter // writes per client address
	valid        *tokenSet     // tokens that authenticated lately
}

func newWriteLimits(o Options) *writeLimits {
	const maxKeys = 10000
	return &writeLimits{
		authFailures: newKeyedLimiter(o.AuthFailuresPerMinute/60, int(math.Max(1, o.AuthFailuresPerMinute)), maxKeys),
		perToken:     newKeyedLimiter(o.WritesPerSecond, o.WriteBurst, maxKeys),
		perAddr:      newKeyedLimiter(2*o.WritesPerSecond, 2*o.WriteBurst, maxKeys),
		valid:        &tokenSet{ttl: 10 * time.Minute, max: maxKeys, seen: map[[32]byte]time.Time{}},
	}
}

// clientAddr is the address the request came from (the connection's peer:
// behind a proxy, every client shares the proxy's budget).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isRateLimited reports err's delay when it is a rate limit.
func isRateLimited(err error) (time.Duration, bool) {
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		return rl.retryAfter, true
	}
	return 0, false
}

func isRateLimitedErr(err error) bool {
	_, ok := isRateLimited(err)
	return ok
}

// tokenSet remembers, by their SHA-256, the tokens that authenticated in
// the last ttl, at most max of them (when full, the expired ones are
// dropped, and if none is, all). It only lets a known token past an
// address's failed-authentication block: the store still authenticates it
// (a revoked token stays refused).
type tokenSet struct {
	ttl  time.Duration
	max  int
	mu   sync.Mutex
	seen map[[32]byte]time.Time
}

func (t *tokenSet) add(token string) {
	h := sha256.Sum256([]byte(token))
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.seen[h]; !ok && len(t.seen) >= t.max {
		for k, at := range t.seen {
			if now.Sub(at) > t.ttl {
				delete(t.seen, k)
			}
		}
		if len(t.seen) >= t.max {
			clear(t.seen)
		}
	}
	t.seen[h] = now
}

func (t *tokenSet) has(token string) bool {
	h := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.seen[h]
	return ok && time.Since(at) <= t.ttl
}
