// Package static embeds the atlas web pages and their assets: the pages
// (index.html for "/", embed.html for "/embed", country.html for
// "/atlas/{country}", directory.html for the fiches, "qui coopère avec" and
// the analyses), their own JS and CSS, the vendored browser libraries and
// the map glyphs. Everything a page loads is served by the atlas server itself,
// under /static/<path>; see README.md for the page URL and postMessage API.
//
// The files worth compressing have brotli and gzip forms next to them
// (name.br, name.gz), embedded too and served by Accept-Encoding; they are
// committed, and written again after a change by `make assets`.
package static

//go:generate go run ./internal/precompress

import (
	"embed"
	"io/fs"
)

//go:embed index.html embed.html country.html directory.html pages css js vendor glyphs
var files embed.FS

// FS returns the embedded tree, rooted at this directory: "index.html",
// "js/atlas.js", "vendor/maplibre-gl.js", "glyphs/Go-Regular/0-255.pbf", …
func FS() fs.FS { return files }
