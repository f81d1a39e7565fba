// Command atlas serves the Atlas de la coopération décentralisée: vector
// tiles, GeoJSON layers, statistics and the web atlas over the partnerships
// of French local authorities with foreign partner authorities.
//
// Usage:
//
//	atlas serve [flags]          run the HTTP server
//	atlas geodata build [flags]  rebuild the embedded dataset from its sources
//	atlas export pmtiles [flags] write the tile pyramid as a PMTiles archive
//	atlas version                print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "atlas:", err)
		}
		os.Exit(exitCode(err))
	}
}

var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

const usage = `atlas — Atlas de la coopération décentralisée

Usage:
  atlas serve [flags]           serve tiles, GeoJSON, stats and the web atlas
  atlas geodata build [flags]   rebuild the dataset from geodata/sources
  atlas export pmtiles [flags]  write the tile pyramid as a PMTiles archive
  atlas migrate [flags]         apply the PostgreSQL schema migrations
  atlas import [flags] [files]  validate and load a dataset into PostgreSQL
  atlas token create|revoke     manage the bearer tokens of the write API
  atlas version                 print the version

Run "atlas <command> -h" for the flags of a command.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	case "geodata":
		return runGeodata(args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], getenv, stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], getenv, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "atlas", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "atlas: unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}
