// Package geodata embeds the atlas's default dataset and the real sources it
// is built from. See PROVENANCE.md and ATTRIBUTION in this directory for where
// every file comes from and under which licence.
package geodata

import (
	"embed"
	"io/fs"
)

//go:embed dataset
var datasetFS embed.FS

//go:embed sources
var sourcesFS embed.FS

// Dataset returns the built default dataset: the flat directory that
// dataset.Load reads (CSV tables and boundary GeoJSON).
func Dataset() fs.FS { return sub(datasetFS, "dataset") }

// Sources returns the real input files the generator reads.
func Sources() fs.FS { return sub(sourcesFS, "sources") }

func sub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // unreachable: dir is embedded above
	}
	return s
}
