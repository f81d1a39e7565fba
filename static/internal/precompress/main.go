// Command precompress writes the brotli (.br) and gzip (.gz) forms of the
// static files worth compressing, next to them, and removes the forms whose
// source is gone. A form that already decompresses to its source is left as
// it is, so that running it again changes nothing. Run from the static
// directory (go generate does):
//
//	go generate ./static      # or: make assets
//
// The forms are committed: the Go build never runs this.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/atlas-cooperation/atlas/internal/assets"
	"github.com/atlas-cooperation/atlas/static"
)

func main() {
	dir := flag.String("dir", ".", "the static directory on disk (the tree static.FS embeds)")
	flag.Parse()
	// Walk the files the binary embeds, read them from disk (the same bytes,
	// unless the tree changed since this command was built).
	var wrote, kept, removed int
	err := fs.WalkDir(static.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		disk := filepath.Join(*dir, filepath.FromSlash(p))
		if assets.IsForm(p) {
			if _, err := os.Stat(disk[:len(disk)-3]); os.IsNotExist(err) {
				removed++
				fmt.Printf("removed %s (no source)\n", p)
				return os.Remove(disk)
			}
			return nil
		}
		data, err := os.ReadFile(disk)
		if err != nil {
			return err
		}
		if !assets.Wanted(p, len(data)) {
			return nil
		}
		for _, e := range assets.Encodings() {
			if old, err := os.ReadFile(disk + e.Suffix); err == nil {
				if got, err := assets.Decompress(e.Suffix, old); err == nil && bytes.Equal(got, data) {
					kept++
					continue
				}
			}
			form := assets.Compress(e.Suffix, data)
			if err := os.WriteFile(disk+e.Suffix, form, 0o644); err != nil {
				return err
			}
			wrote++
			fmt.Printf("wrote %s (%d → %d bytes, %.0f %%)\n", p+e.Suffix, len(data), len(form), 100*float64(len(form))/float64(len(data)))
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("precompress: %d written, %d up to date, %d removed\n", wrote, kept, removed)
}
