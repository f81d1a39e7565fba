package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/dataset/generate"
)

// defaultGeodataOut is where `atlas geodata build` writes by default: the
// embedded dataset directory of the source tree.
const defaultGeodataOut = "geodata/dataset"

// runGeodata implements `atlas geodata build [--out DIR] [--scale N] [--seed N]`:
// it generates the dataset from the embedded sources and writes its CSV
// files and the generalised boundaries to DIR, a complete dataset directory.
func runGeodata(args []string, stdout, stderr io.Writer) error {
	usage := "usage: atlas geodata build [--out DIR] [--scale N] [--seed N]\n       atlas geodata join [--sources DIR]"
	if len(args) > 0 && args[0] == "join" {
		return runGeodataJoin(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "build" {
		fmt.Fprintln(stderr, usage)
		return errors.New("geodata: want the build or join subcommand")
	}
	fs := flag.NewFlagSet("atlas geodata build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", defaultGeodataOut, "output directory")
	scale := fs.Int("scale", 1, "1: the calibrated default dataset; N > 1: N × 11,600 partnerships for load tests")
	seed := fs.Uint64("seed", generate.DefaultSeed, "random seed")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("geodata build: unexpected argument %q", fs.Arg(0))
	}
	if *scale < 1 {
		return fmt.Errorf("geodata build: --scale must be at least 1, got %d", *scale)
	}
	start := time.Now()
	src := geodata.Sources()
	ds, err := generate.Dataset(src, generate.Options{Seed: *seed, Scale: *scale})
	if err != nil {
		return err
	}
	if err := dataset.Write(*out, ds); err != nil {
		return err
	}
	if err := generate.WriteBoundaries(*out, src); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "geodata: wrote %s: %d authorities, %d partners, %d partnerships, %d projects, %d countries, "+
		"%d DAC sectors, %d APD declarations, %d calls, %d applications in %s\n",
		*out, len(ds.Authorities), len(ds.Partners), len(ds.Partnerships), len(ds.Projects), len(ds.Countries),
		len(ds.Sectors), len(ds.APD), len(ds.Calls), len(ds.Applications), time.Since(start).Round(time.Millisecond))
	return nil
}

// defaultGeodataSources is the sources directory of the source tree.
const defaultGeodataSources = "geodata/sources"

// runGeodataJoin implements `atlas geodata join [--sources DIR]`: it matches
// the raw twinning lists of DIR/raw to codes and points and writes the joined
// lists into DIR (see generate.Join), then prints what it matched and dropped.
func runGeodataJoin(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("atlas geodata join", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("sources", defaultGeodataSources, "sources directory: reads raw/ and the reference tables, writes the joined lists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("geodata join: unexpected argument %q", fs.Arg(0))
	}
	files, reports, err := generate.Join(os.DirFS(*dir))
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(*dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	for _, r := range reports {
		fmt.Fprintf(stdout, "geodata: wrote %s: %d rows, %d matched\n", filepath.Join(*dir, r.List), r.Rows, r.Matched)
		for _, k := range slices.Sorted(maps.Keys(r.ByMatch)) {
			fmt.Fprintf(stdout, "  matched %-40s %5d\n", k, r.ByMatch[k])
		}
		for _, k := range slices.Sorted(maps.Keys(r.Dropped)) {
			fmt.Fprintf(stdout, "  %-48s %5d\n", k, r.Dropped[k])
		}
	}
	return nil
}
