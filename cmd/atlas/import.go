package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/postgis"
)

// datasetFiles are the file names of a dataset directory.
var datasetFiles = []string{dataset.CountriesFile, dataset.AuthoritiesFile, dataset.PartnersFile, dataset.PartnershipsFile,
	dataset.ProjectsFile, dataset.CountryShapes, dataset.RegionShapes, dataset.DepartementShape}

// runImport implements `atlas import [--upsert|--replace] [DIR | FILE...]`:
// it validates every row of the input first (nothing is written when any
// row is bad: each error names file, line, field and reason), then writes
// it in one transaction with a progress bar on stderr.
//
// With no argument the embedded dataset is imported; with one directory,
// that dataset; with files, each replaces the embedded file of the same
// name (e.g. partnerships.csv and projects.csv).
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var upsert, replace bool
	fset, db, err := parseDBCommand("import", "[--database-url URL] [--upsert | --replace] [DIR | FILE...]", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&upsert, "upsert", false, "insert new records and update existing ones by id; keep the others")
		fs.BoolVar(&replace, "replace", false, "replace every data row (tokens and audit are kept)")
	})
	if err != nil {
		return err
	}
	if upsert && replace {
		return fmt.Errorf("%w: --upsert and --replace are exclusive", errUsage)
	}
	mode := postgis.ImportInsert
	switch {
	case upsert:
		mode = postgis.ImportUpsert
	case replace:
		mode = postgis.ImportReplace
	}
	src, what, err := importSource(fset.Args())
	if err != nil {
		return err
	}
	start := time.Now()
	ds, err := dataset.Load(src)
	if err != nil {
		var re *dataset.RowError
		if errors.As(err, &re) {
			fmt.Fprintf(stderr, "import: %s is invalid, nothing written:\n", what)
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range j.Unwrap() {
					fmt.Fprintln(stderr, "  "+e.Error())
				}
			} else {
				fmt.Fprintln(stderr, "  "+err.Error())
			}
			return fmt.Errorf("import: %s: invalid rows; nothing written", what)
		}
		return err
	}
	fmt.Fprintf(stderr, "import: %s valid: %d authorities, %d partners, %d partnerships, %d projects (%s)\n", what,
		len(ds.Authorities), len(ds.Partners), len(ds.Partnerships), len(ds.Projects), time.Since(start).Round(time.Millisecond))
	pool, err := db.pool(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := postgis.Migrate(ctx, pool); err != nil {
		return err
	}
	bar := newProgress(stderr, "import")
	st, err := postgis.Import(ctx, pool, ds, postgis.ImportOptions{Mode: mode, Progress: bar.update})
	bar.done()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("import interrupted: nothing written (%w)", ctx.Err())
		}
		return err
	}
	fmt.Fprintf(stdout, "import (%s): %d rows read, %d inserted, %d updated, %d declared records changed (audited), revision %d, in %s\n",
		mode, st.Rows, st.Inserted, st.Updated, st.Audited, st.Revision, time.Since(start).Round(time.Millisecond))
	return nil
}

// importSource returns the dataset to import and how to name it.
func importSource(args []string) (fs.FS, string, error) {
	if len(args) == 0 {
		return geodata.Dataset(), "embedded dataset", nil
	}
	if len(args) == 1 {
		if st, err := os.Stat(args[0]); err == nil && st.IsDir() {
			return os.DirFS(args[0]), args[0], nil
		}
	}
	files := map[string]string{}
	for _, a := range args {
		base := filepath.Base(a)
		if !slices.Contains(datasetFiles, base) {
			return nil, "", fmt.Errorf("%w: %s: not a dataset file (want one of %v, or one directory)", errUsage, a, datasetFiles)
		}
		if _, dup := files[base]; dup {
			return nil, "", fmt.Errorf("%w: %s given twice", errUsage, base)
		}
		if _, err := os.Stat(a); err != nil {
			return nil, "", err
		}
		files[base] = a
	}
	return overlayFS{base: geodata.Dataset(), files: files}, fmt.Sprintf("%d file(s) over the embedded dataset", len(files)), nil
}

// overlayFS serves the named files from disk and the rest from base.
type overlayFS struct {
	base  fs.FS
	files map[string]string
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if p, ok := o.files[name]; ok {
		return os.Open(p)
	}
	return o.base.Open(name)
}

// progress draws a progress bar on w: redrawn in place on a terminal, a
// line every 10% otherwise.
type progress struct {
	w        io.Writer
	label    string
	tty      bool
	lastPct  int
	start    time.Time
	lastDraw time.Time
	drawn    bool
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label, lastPct: -1, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(done, total int64) {
	if total <= 0 {
		return
	}
	pct := int(done * 100 / total)
	if p.tty {
		if pct == p.lastPct && time.Since(p.lastDraw) < 100*time.Millisecond {
			return
		}
		const width = 30
		n := pct * width / 100
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < n {
				bar[i] = '='
			}
		}
		fmt.Fprintf(p.w, "\r%s [%s] %3d%% %d/%d rows", p.label, bar, pct, done, total)
		p.lastDraw, p.drawn = time.Now(), true
	} else if pct/10 != p.lastPct/10 || p.lastPct < 0 {
		fmt.Fprintf(p.w, "%s: %3d%% (%d/%d rows, %s)\n", p.label, pct, done, total, time.Since(p.start).Round(time.Millisecond))
	}
	p.lastPct = pct
}

func (p *progress) done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}
