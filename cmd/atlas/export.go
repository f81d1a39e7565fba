package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/atlas"
	"github.com/atlas-cooperation/atlas/internal/export"
	"github.com/atlas-cooperation/atlas/internal/tiles"
)

// runExport implements `atlas export pmtiles --out FILE [--minzoom N]
// [--maxzoom N] [--layers a,b] [--data DIR] [filter flags]`.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: atlas export pmtiles --out FILE [--minzoom N] [--maxzoom N] [--layers LIST] [--data DIR] [--country JP,DE] [--theme …] [--type …] [--kind …] [--provenance …] [--authority …] [--partner …] [--since Y] [--until Y] [--bbox W,S,E,N] [--quiet]"
	if len(args) == 0 || args[0] != "pmtiles" {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	fset := flag.NewFlagSet("export pmtiles", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprintln(stderr, usage+"\n\nWrites the vector tile pyramid (what /tiles/{layers}/{z}/{x}/{y}.mvt serves) as a PMTiles v3 archive.")
		fset.PrintDefaults()
	}
	out := fset.String("out", "", "output `file` (.pmtiles)")
	minZoom := fset.Int("minzoom", 0, "first zoom level")
	maxZoom := fset.Int("maxzoom", 10, "last zoom level (clients overzoom past it)")
	layers := fset.String("layers", "", "comma-separated layers of every tile (default: all)")
	dataDir := fset.String("data", "", "export the dataset in `dir` instead of the embedded one")
	quiet := fset.Bool("quiet", false, "no progress bar")
	filters := map[string]*string{}
	for _, p := range atlas.FilterParams() {
		filters[p] = fset.String(p, "", "filter: as the "+p+" query parameter")
	}
	if err := fset.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if *out == "" || fset.NArg() > 0 {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	var src fs.FS = geodata.Dataset()
	if *dataDir != "" {
		src = os.DirFS(*dataDir)
	}
	start := time.Now()
	snap, err := loadSnapshot(src)
	if err != nil {
		return err
	}
	q := url.Values{}
	fset.Visit(func(f *flag.Flag) {
		if _, ok := filters[f.Name]; ok {
			q.Set(f.Name, f.Value.String())
		}
	})
	filter, err := atlas.ParseFilter(q, snap)
	if err != nil {
		return err
	}
	var ls []string
	if *layers != "" {
		if ls, err = tiles.ParseLayers(*layers); err != nil {
			return err
		}
	}
	o := export.PMTilesOptions{MinZoom: *minZoom, MaxZoom: *maxZoom, Layers: ls, Filter: filter, Attribution: atlas.Credits()}
	if !*quiet {
		o.Progress = stderr
	}
	tmp := *out + ".tmp"
	st, err := export.WritePMTiles(ctx, tmp, snap, tiles.NewRenderer(tiles.Options{}), o)
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "export: wrote %s: z%d–z%d, %d tiles (%d distinct, %d rendered), %.1f MB in %s\n",
		*out, *minZoom, *maxZoom, st.Addressed, st.Contents, st.Rendered, float64(st.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}
