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
# The State design system (DSFR): its core (colour tokens, Marianne, type)
# and the components the full pages use, in one file; Marianne as woff2
# only; the icons those components draw, copied one by one.
D=node_modules/@gouvfr/dsfr/dist
rm -rf vendor/dsfr && mkdir -p vendor/dsfr/fonts
cat $D/core/core.min.css $D/component/logo/logo.min.css $D/component/header/header.min.css \
  $D/component/footer/footer.min.css $D/component/notice/notice.min.css \
  $D/component/button/button.min.css $D/component/table/table.min.css \
  $D/component/checkbox/checkbox.min.css $D/component/modal/modal.min.css \
  $D/component/tab/tab.min.css $D/component/range/range.min.css |
  sed -e '/^\/\*# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##g' \
    -e 's#,url(../fonts/[A-Za-z_-]*\.woff) format("woff")##g' -e 's#url(../fonts/#url(fonts/#g' \
    -e 's#url(../../icons/#url(icons/#g' > vendor/dsfr/dsfr.min.css
# Its scripts for the components that need one (tabs, range), on the pages
# that use them: the core then each component, each in a block of its own
# (their top-level names would clash in one module).
for f in $D/core/core.module.min.js $D/component/tab/tab.module.min.js $D/component/range/range.module.min.js; do
  printf '{\n'; sed -e '/^\/\/# sourceMappingURL=/d' "$f"; printf '\n}\n'
done > vendor/dsfr/dsfr.module.min.js
for f in $D/fonts/Marianne-*.woff2; do cp "$f" vendor/dsfr/fonts/; done
grep -o 'url(icons/[^)]*)' vendor/dsfr/dsfr.min.css | sed -e 's#url(##' -e 's#)##' | sort -u | while read -r i; do
  mkdir -p "vendor/dsfr/$(dirname "$i")"; cp "$D/$i" "vendor/dsfr/$i"
done
cp node_modules/@gouvfr/dsfr/LICENSE.md vendor/dsfr/LICENSE.md
# axe-core runs in the browser tests only (not embedded in the binary).
mkdir -p testdata
cp node_modules/axe-core/axe.min.js testdata/axe.min.js
cp node_modules/axe-core/LICENSE testdata/axe-core.LICENSE.txt
node -e 'for (const p of ["maplibre-gl","chart.js","@gouvfr/dsfr","axe-core"]) { const j=require("./node_modules/"+p+"/package.json"); console.log(p+"\t"+j.version+"\t"+j.license) }' > vendor/VERSIONS.tsv
cat vendor/VERSIONS.tsv
