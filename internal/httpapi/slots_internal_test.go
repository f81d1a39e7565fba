package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/index"
	"github.com/atlas-cooperation/atlas/internal/testkit"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

// When every slot of a costly route stays taken, a request waits SlotWait
// and gets 503 with Retry-After; a request the facets answer takes no slot.
func TestFilterSlotsFull(t *testing.T) {
	s, err := New(index.NewLive(testkit.Snapshot(t)), tiles.NewRenderer(tiles.Options{}),
		Options{FilterSlots: 1, SlotWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	do := func(q string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ogc/collections/partnerships/items?limit=1&"+q, nil))
		return rec
	}
	costly := "filter=" + url.QueryEscape("partner_name LIKE '%a%'")
	if rec := do(costly); rec.Code != 200 {
		t.Fatalf("a free slot: %d %s", rec.Code, rec.Body)
	}
	if err := s.filterSlots.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.filterSlots.release()
	rec := do(costly)
	var p problem
	json.Unmarshal(rec.Body.Bytes(), &p)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || p.Status != 503 {
		t.Fatalf("no free slot: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := do("filter=" + url.QueryEscape("country = 'JP'")); rec.Code != 200 {
		t.Fatalf("a filter the facets answer waited for a slot: %d", rec.Code)
	}
}
