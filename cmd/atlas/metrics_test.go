package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
)

// logAddr returns the addr of the first log record whose msg is msg.
func logAddr(t *testing.T, logs *lockedBuffer, msg string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for line := range strings.SplitSeq(logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == msg {
				return rec.Addr
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped (%v) before %q; logs:\n%s", err, msg, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q log; logs:\n%s", msg, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fetchBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeMetricsFromDatabase: atlas serve on PostgreSQL reports the
// database, its pool and the snapshot on /metrics, and serves the profiles
// and the metrics on --admin-addr.
func TestServeMetricsFromDatabase(t *testing.T) {
	url := pgtest.NewDatabase(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs lockedBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--shutdown-grace", "2s"}, env, io.Discard, &logs)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	admin := "http://" + logAddr(t, &logs, "admin listening (pprof, metrics)", done)
	base := "http://" + logAddr(t, &logs, "listening", done)
	for deadline := time.Now().Add(60 * time.Second); ; {
		if code, _ := fetchBody(t, base+"/readyz"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready; logs:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	fetchBody(t, base+"/api/stats")
	code, body := fetchBody(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		"atlas_database_up 1", "atlas_snapshot_revision ", "atlas_snapshot_rebuilds_total 1",
		"atlas_snapshot_rebuild_seconds ", "atlas_snapshot_age_seconds ", `atlas_db_pool_connections{state="idle"}`,
		"atlas_db_pool_max_connections 8", `atlas_http_requests_total{code="200",method="GET",route="/api/stats"} 1`,
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, body := fetchBody(t, admin+"/metrics"); code != http.StatusOK || !strings.Contains(body, "atlas_database_up 1") {
		t.Errorf("admin /metrics = %d, lacks the database", code)
	}
	if code, body := fetchBody(t, admin+"/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("admin /debug/pprof/ = %d", code)
	}
	if code, _ := fetchBody(t, base+"/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("the public address serves the profiles: %d", code)
	}
}
