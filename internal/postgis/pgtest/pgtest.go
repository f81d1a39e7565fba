// Package pgtest gives tests PostgreSQL/PostGIS databases: a fresh database
// per test on the server of ATLAS_TEST_DATABASE_URL, or a private cluster a
// test can stop and restart. Without ATLAS_TEST_DATABASE_URL the tests skip
// with a message saying so, but fail when ATLAS_REQUIRE_SERVICES=1
// (scripts/with-services.sh sets both).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's URL.
const EnvURL = "ATLAS_TEST_DATABASE_URL"

// Require skips tb (or fails it under ATLAS_REQUIRE_SERVICES=1) with why.
func Require(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("ATLAS_REQUIRE_SERVICES") == "1" {
		tb.Fatalf("%s (ATLAS_REQUIRE_SERVICES=1: required)", why)
	}
	tb.Skipf("%s; run through scripts/with-services.sh (make test) to include it", why)
}

// ServerURL returns the URL of the test server, or skips.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		Require(tb, EnvURL+" is not set: no PostgreSQL/PostGIS server for this test")
	}
	return u
}

// NewDatabase creates an empty database with PostGIS on the test server,
// dropped when the test ends, and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return newDatabase(tb, ServerURL(tb))
}

func newDatabase(tb testing.TB, serverURL string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	rand.Read(b[:])
	name := "atlas_t_" + hex.EncodeToString(b[:])
	ident := pgx.Identifier{name}.Sanitize()
	// Clone the PostGIS template when there is one (fast), else create the
	// extension.
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+ident+` TEMPLATE atlas_template`); err != nil {
		if _, err := admin.Exec(ctx, `CREATE DATABASE `+ident); err != nil {
			tb.Fatalf("pgtest: create database: %v", err)
		}
		u := WithDatabase(tb, serverURL, name)
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			tb.Fatal(err)
		}
		_, err = c.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`)
		c.Close(ctx)
		if err != nil {
			tb.Fatalf("pgtest: create extension postgis: %v", err)
		}
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, `DROP DATABASE IF EXISTS `+ident+` WITH (FORCE)`)
	})
	return WithDatabase(tb, serverURL, name)
}

// WithDatabase returns serverURL naming database name instead.
func WithDatabase(tb testing.TB, serverURL, name string) string {
	tb.Helper()
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("pgtest: %s must be a postgres:// URL", EnvURL)
	}
	u.Path = "/" + name
	return u.String()
}

// Cluster is a private PostgreSQL cluster that a test may stop and restart
// (on the same port), to simulate a lost database.
type Cluster struct {
	tb      testing.TB
	bin     string
	dir     string
	port    int
	runAs   string
	URL     string // of the database "atlas", with PostGIS
	running bool
}

// StartCluster initialises and starts a private cluster on 127.0.0.1 with
// the binaries of ATLAS_PG_BINDIR, `pg_config --bindir` or Debian's path;
// it skips (or fails under ATLAS_REQUIRE_SERVICES=1) when there are none.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	ServerURL(tb) // same requirement as the other database tests
	bin := os.Getenv("ATLAS_PG_BINDIR")
	if bin == "" {
		if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			bin = strings.TrimSpace(string(out))
		}
	}
	if _, err := os.Stat(filepath.Join(bin, "initdb")); err != nil {
		bin = "/usr/lib/postgresql/15/bin"
	}
	if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
		Require(tb, "no PostgreSQL server binaries (initdb, pg_ctl) found")
	}
	c := &Cluster{tb: tb, bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			Require(tb, "running as root without a postgres user to run a cluster")
		}
		c.runAs = "postgres"
	}
	dir, err := os.MkdirTemp("", "atlas-pgtest-")
	if err != nil {
		tb.Fatal(err)
	}
	c.dir = dir
	if c.runAs != "" {
		exec.Command("chown", c.runAs, dir).Run()
	}
	tb.Cleanup(func() {
		if c.running {
			c.pgctl("-m", "immediate", "stop")
		}
		os.RemoveAll(dir)
	})
	c.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c.Start()
	server := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE atlas`); err != nil {
		tb.Fatal(err)
	}
	c.URL = WithDatabase(tb, server, "atlas")
	db, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, `CREATE EXTENSION postgis`); err != nil {
		tb.Fatal(err)
	}
	return c
}

func (c *Cluster) run(name string, args ...string) {
	c.tb.Helper()
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.tb.Fatalf("pgtest: %s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, out, log)
	}
}

func (c *Cluster) pgctl(args ...string) {
	c.tb.Helper()
	c.run("pg_ctl", append([]string{"-D", filepath.Join(c.dir, "data"), "-l", filepath.Join(c.dir, "log")}, args...)...)
}

// Start starts the (stopped) cluster and waits until it accepts connections.
func (c *Cluster) Start() {
	c.tb.Helper()
	c.pgctl("-w", "-o", "-c listen_addresses=127.0.0.1 -p "+strconv.Itoa(c.port)+" -k "+c.dir+" -c fsync=off", "start")
	c.running = true
}

// Stop stops the cluster at once (fast shutdown: clients are disconnected).
func (c *Cluster) Stop() {
	c.tb.Helper()
	c.pgctl("-w", "-m", "fast", "stop")
	c.running = false
}
