package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseServeConfig(t *testing.T) {
	tests := map[string]struct {
		args    []string
		env     map[string]string
		check   func(Config) bool
		wantErr []string // substrings of the error; nil when valid
	}{
		"defaults": {nil, nil, func(c Config) bool {
			return c.Addr == ":8080" && c.CacheSize == 32<<20 && c.MemoryBudget == 64<<20 && c.DataDir == ""
		}, nil},
		"memory budget":                       {nil, map[string]string{"ATLAS_MEMORY_BUDGET": "1073741824"}, func(c Config) bool { return c.MemoryBudget == 1<<30 }, nil},
		"a tile cache larger than the budget": {[]string{"--cache-size", "300000000", "--memory-budget", "200000000"}, nil, nil, []string{"cache-size", "memory budget"}},
		"a budget too small":                  {[]string{"--memory-budget", "1000"}, nil, nil, []string{"memory-budget"}},
		"env then flags": {
			[]string{"--addr", "127.0.0.1:9000"},
			map[string]string{"ATLAS_ADDR": ":7000", "ATLAS_CACHE_SIZE": "0", "ATLAS_LOG_LEVEL": "debug"},
			func(c Config) bool {
				return c.Addr == "127.0.0.1:9000" && c.CacheSize == 0 && c.LogLevel == slog.LevelDebug
			},
			nil,
		},
		"durations": {[]string{"--write-timeout", "5s"}, nil, func(c Config) bool { return c.WriteTimeout == 5*time.Second }, nil},
		"every problem at once": {
			[]string{"--cache-size", "-1", "--public-url", "ftp://x"},
			map[string]string{"ATLAS_READ_TIMEOUT": "soon"},
			nil,
			[]string{"cache-size", "public-url", "ATLAS_READ_TIMEOUT"},
		},
		"stray argument": {[]string{"extra"}, nil, nil, []string{"unexpected arguments: extra"}},
		"unknown flag":   {[]string{"--colour"}, nil, nil, []string{"colour"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := parseServeConfig(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("want an error, got config %+v", c)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}

func TestRunCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out, &errb); err != nil || !strings.HasPrefix(out.String(), "atlas ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), &out, &errb); !errors.Is(err, errUsage) || exitCode(err) != 2 {
		t.Fatalf("unknown command: %v", err)
	}
	if err := run(context.Background(), nil, env(nil), &out, &errb); !errors.Is(err, errUsage) {
		t.Fatalf("no command: %v", err)
	}
}

// TestServeShutsDown starts the server on a free port and stops it through
// its context, as SIGTERM does.
func TestServeShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs lockedBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--shutdown-grace", "2s"}, env(nil), io.Discard, &logs)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"listening"`) {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start; logs:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
