package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/postgis/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestImportCommand: a bad file is rejected with its line and field and
// nothing is written; then migrate, import, a token and a re-import.
func TestImportCommand(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}
	runCmd := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := run(ctx, args, env, &out, &errb)
		return out.String(), errb.String(), err
	}
	if _, _, err := runCmd("migrate"); err != nil {
		t.Fatal(err)
	}
	// A partnerships.csv with two bad rows.
	data, err := fsRead("partnerships.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	lines[4] = strings.Replace(lines[4], "jumelage", "twinning", 1)
	lines[8] = strings.Replace(lines[8], ",true,", ",yes,", 1)
	bad := filepath.Join(t.TempDir(), "partnerships.csv")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
	_, stderr, err := runCmd("import", bad)
	if err == nil {
		t.Fatal("bad file imported")
	}
	for _, want := range []string{"partnerships.csv:5: kind: unknown kind \"twinning\"", "partnerships.csv:9: active: want true or false"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("report lacks %q:\n%s", want, stderr)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	conn.QueryRow(ctx, `SELECT count(*) FROM atlas_partnerships`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d partnerships written by a rejected import", n)
	}
	out, stderr, err := runCmd("import")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(out, "inserted") || !strings.Contains(stderr, "100%") {
		t.Errorf("output %q, progress %q", out, stderr)
	}
	if _, _, err := runCmd("import"); err == nil {
		t.Error("insert import into a full database succeeded")
	}
	if out, _, err := runCmd("import", "--upsert"); err != nil || !strings.Contains(out, "0 inserted, 0 updated") {
		t.Errorf("idempotent upsert: %q %v", out, err)
	}
	tok, _, err := runCmd("token", "create", "--authority", "31555")
	if err != nil || !strings.HasPrefix(tok, "atlas_") {
		t.Fatalf("token: %q %v", tok, err)
	}
	if _, _, err := runCmd("token", "create", "--authority", "99999999"); err == nil {
		t.Error("token for an unknown authority")
	}
	// --role names the same scopes.
	for _, args := range [][]string{{"--role", "ministry"}, {"--role", "admin"}, {"--role", "authority", "--authority", "31555"}} {
		if tok, stderr, err := runCmd(append([]string{"token", "create"}, args...)...); err != nil || !strings.HasPrefix(tok, "atlas_") {
			t.Errorf("token create %v: %q %v %s", args, tok, err, stderr)
		}
	}
	for _, args := range [][]string{{"--role", "mayor"}, {"--role", "authority"}, {"--role", "admin", "--ministry"}} {
		if _, _, err := runCmd(append([]string{"token", "create"}, args...)...); err == nil {
			t.Errorf("token create %v succeeded", args)
		}
	}
}

func fsRead(name string) ([]byte, error) {
	f, err := geodata.Dataset().Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(f)
	return b.Bytes(), err
}
