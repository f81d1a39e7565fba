#!/bin/sh
# Copies the pinned browser libraries from node_modules into vendor/.
# Run after `npm ci`; the result is committed so the Go build never needs npm.
set -eu
cd "$(dirname "$0")"
mkdir -p vendor
strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' "$1" > "$2"; }
strip_map node_modules/maplibre-gl/dist/maplibre-gl.js vendor/maplibre-gl.js
cp node_modules/maplibre-gl/dist/maplibre-gl.css vendor/maplibre-gl.css
cp node_modules/maplibre-gl/LICENSE.txt vendor/maplibre-gl.LICENSE.txt
strip_map node_modules/chart.js/dist/chart.umd.min.js vendor/chart.umd.min.js
cp node_modules/chart.js/LICENSE.md vendor/chart.js.LICENSE.md
# axe-core runs in the browser tests only (not embedded in the binary).
mkdir -p testdata
cp node_modules/axe-core/axe.min.js testdata/axe.min.js
cp node_modules/axe-core/LICENSE testdata/axe-core.LICENSE.txt
node -e 'for (const p of ["maplibre-gl","chart.js","axe-core"]) { const j=require("./node_modules/"+p+"/package.json"); console.log(p+"\t"+j.version+"\t"+j.license) }' > vendor/VERSIONS.tsv
cat vendor/VERSIONS.tsv
