package testkit

import (
	"io/fs"
	"os"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/atlas-cooperation/atlas/geodata"
	"github.com/atlas-cooperation/atlas/internal/dataset"
	"github.com/atlas-cooperation/atlas/internal/index"
)

// The snapshots are built once per test binary and shared: they are
// immutable.
var (
	embedded = sync.OnceValues(func() (*index.Snapshot, error) { return load(geodata.Dataset()) })
	big      = sync.OnceValues(func() (*index.Snapshot, error) { return load(os.DirFS(os.Getenv("ATLAS_DATA_100"))) })
)

func load(fsys fs.FS) (*index.Snapshot, error) {
	ds, err := dataset.Load(fsys)
	if err != nil {
		return nil, err
	}
	return index.New(ds)
}

// Snapshot returns the snapshot of the embedded default dataset.
func Snapshot(tb testing.TB) *index.Snapshot {
	tb.Helper()
	snap, err := embedded()
	if err != nil {
		tb.Fatalf("embedded dataset: %v", err)
	}
	return snap
}

// BigSnapshot returns the snapshot of the dataset in the directory named by
// ATLAS_DATA_100 (a 100× dataset, see `make load`), skipping the test or
// benchmark when it is not set.
func BigSnapshot(tb testing.TB) *index.Snapshot {
	tb.Helper()
	dir := os.Getenv("ATLAS_DATA_100")
	if dir == "" {
		tb.Skip("ATLAS_DATA_100 not set")
	}
	snap, err := big()
	if err != nil {
		tb.Fatalf("dataset %s: %v", dir, err)
	}
	return snap
}

// DatasetWith returns the files of the embedded dataset with files added
// or replaced (name → content), for a test of a dataset that differs.
func DatasetWith(tb testing.TB, files map[string]string) fstest.MapFS {
	tb.Helper()
	m := fstest.MapFS{}
	if err := fs.WalkDir(geodata.Dataset(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(geodata.Dataset(), p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

// SnapshotWith returns the snapshot of DatasetWith(files).
func SnapshotWith(tb testing.TB, files map[string]string) *index.Snapshot {
	tb.Helper()
	snap, err := load(DatasetWith(tb, files))
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}
