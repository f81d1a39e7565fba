package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// runToken implements `atlas token create --authority ID|--admin|--ministry [--label L]`
// (or --role ministry|admin|authority, the same scopes: --role authority
// with --authority ID) and `atlas token revoke ID`. The token is printed once on stdout; the
// database keeps its SHA-256 only.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const usage = "create (--authority <id|INSEE|SIREN> | --admin | --ministry | --role ministry|admin|authority) [--label TEXT] | revoke TOKEN-ID"
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		fmt.Fprintln(stderr, "usage: atlas token "+usage)
		return errUsage
	}
	var spec postgis.TokenSpec
	var role string
	fs, db, err := parseDBCommand("token "+args[0], usage, args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		if args[0] == "create" {
			fs.StringVar(&spec.Authority, "authority", "", "the French authority the token writes for: atlas id, INSEE code or SIREN")
			fs.BoolVar(&spec.Admin, "admin", false, "an admin token: writes for every authority")
			fs.BoolVar(&spec.Ministry, "ministry", false, "a ministry token: publishes and closes the bourse-projets' requests, sees the interests")
			fs.StringVar(&role, "role", "", "the token's scope: ministry, admin, or authority (with --authority); the same as --ministry, --admin, --authority")
			fs.StringVar(&spec.Label, "label", "", "a note stored with the token (who holds it)")
		}
	})
	if err != nil {
		return err
	}
	pool, err := db.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if args[0] == "revoke" {
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: token revoke wants one token id", errUsage)
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: token id %q is not a number", errUsage, fs.Arg(0))
		}
		ok, err := postgis.RevokeToken(ctx, pool, id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("token %d: not found or already revoked", id)
		}
		fmt.Fprintf(stdout, "token %d revoked\n", id)
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments: %s", errUsage, strings.Join(fs.Args(), " "))
	}
	switch role {
	case "":
	case "ministry":
		if spec.Ministry || spec.Admin || spec.Authority != "" {
			return fmt.Errorf("%w: --role ministry takes no other scope flag", errUsage)
		}
		spec.Ministry = true
	case "admin":
		if spec.Ministry || spec.Admin || spec.Authority != "" {
			return fmt.Errorf("%w: --role admin takes no other scope flag", errUsage)
		}
		spec.Admin = true
	case "authority":
		if spec.Authority == "" || spec.Ministry || spec.Admin {
			return fmt.Errorf("%w: --role authority wants --authority <id|INSEE|SIREN> and no other scope flag", errUsage)
		}
	default:
		return fmt.Errorf("%w: --role %q: want ministry, admin or authority", errUsage, role)
	}
	if n := btoi(spec.Admin) + btoi(spec.Ministry) + btoi(spec.Authority != ""); n != 1 {
		return fmt.Errorf("%w: give one of --authority, --admin, --ministry", errUsage)
	}
	t, err := postgis.CreateToken(ctx, pool, spec)
	if err != nil {
		return err
	}
	switch {
	case t.Admin:
		fmt.Fprintf(stderr, "token %d: admin (shown once, keep it secret)\n", t.ID)
	case t.Ministry:
		fmt.Fprintf(stderr, "token %d: ministry (shown once, keep it secret)\n", t.ID)
	default:
		fmt.Fprintf(stderr, "token %d: writes for %s (%s) (shown once, keep it secret)\n", t.ID, t.AuthorityID, t.Name)
	}
	fmt.Fprintln(stdout, t.Secret)
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
