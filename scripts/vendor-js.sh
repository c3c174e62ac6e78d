#!/usr/bin/env bash
# Fetch the dashboard's JavaScript from npm at pinned versions and vendor it into the package,
# so that the page works with no internet and CI needs no npm step (the output is committed).
#
#   scripts/vendor-js.sh          # rewrites src/digex/web/static/vendor/ and tests/web/vendor/
#
# Needs npm (Node 20 is enough: vega-lite 6.5 would need Node 22, hence 6.4.3). Each tarball's
# SHA-256 is checked against the list below before anything is written: a moved or altered
# package stops the script. To upgrade, change a version, run the script once with the new
# checksum printed by the failure, check it, and commit both.
#
# vega-interpreter ships only as an ES module importing three names from vega-util. The page
# loads classic scripts (vega's UMD build re-exports all of vega-util as the global `vega`), so
# the module is wrapped here: its import becomes a read of those names from `vega`, its export
# an assignment to `vega.expressionInterpreter` (where vega-embed's documentation expects it).
# axe-core is for the browser tests only: it goes under tests/web/vendor/, never into the page.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
static="$root/src/digex/web/static/vendor"
tests="$root/tests/web/vendor"

# package version sha256-of-the-npm-tarball
pins=(
    "vega 6.4.0 3521fb6ff68a94a40323954f0ba4484ba4014b157bfd37f89a3b063082320c42"
    "vega-lite 6.4.3 24260f85e6f5bfe1069505f7c5c2b9863181ac413ef1030746f0a80c93991ce5"
    "vega-embed 7.3.0 d9a958ced3240f0418df7d5e12e97dba6e63cecda15b8403e47a0db7eb6ea859"
    "vega-interpreter 2.3.2 b83489633c1320e9d6f839781f0c84c661a5ca2666fe38cb83f7c52a531fffec"
    "axe-core 4.14.1 e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for pin in "${pins[@]}"; do
    read -r name version sum <<<"$pin"
    (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
    tarball="$work/$name-$version.tgz"
    got="$(sha256sum "$tarball" | cut -d' ' -f1)"
    if [[ "$got" != "$sum" ]]; then
        echo "vendor-js: $name@$version has SHA-256 $got, expected $sum; nothing written" >&2
        exit 1
    fi
    mkdir -p "$work/$name"
    tar -xzf "$tarball" -C "$work/$name"
done

rm -rf "$static" "$tests"
mkdir -p "$static" "$tests"

cp "$work/vega/package/build/vega.min.js" "$static/vega.min.js"
cp "$work/vega-lite/package/build/vega-lite.min.js" "$static/vega-lite.min.js"
cp "$work/vega-embed/package/build/vega-embed.min.js" "$static/vega-embed.min.js"
{
    echo "/* vega-interpreter 2.3.2 (BSD-3-Clause, https://github.com/vega/vega), wrapped by"
    echo "   scripts/vendor-js.sh as a classic script: reads vega-util from the global vega and"
    echo "   sets vega.expressionInterpreter. */"
    echo "(function (vega) {"
    echo "'use strict';"
    sed -e "s|^import { \(.*\) } from 'vega-util';\$|const { \1 } = vega;|" \
        -e "s|^export { expression as expressionInterpreter };\$|vega.expressionInterpreter = expression;|" \
        "$work/vega-interpreter/package/build/vega-interpreter.js" | grep -v "^//# sourceMappingURL="
    echo "})(globalThis.vega);"
} >"$static/vega-interpreter.js"
if grep -qE "^(import|export) " "$static/vega-interpreter.js"; then
    echo "vendor-js: vega-interpreter's import/export lines changed; adapt the wrapping" >&2
    exit 1
fi
for name in vega vega-lite vega-embed vega-interpreter; do
    cp "$work/$name/package/LICENSE" "$static/LICENSE.$name"
done
cp "$work/axe-core/package/axe.min.js" "$tests/axe.min.js"
cp "$work/axe-core/package/LICENSE" "$tests/LICENSE.axe-core"

cat >"$static/README.md" <<'EOF'
# Vendored JavaScript of the dashboard

Written by `scripts/vendor-js.sh` from the npm registry (https://registry.npmjs.org/); do not
edit by hand. Each package's licence is beside it (all BSD-3-Clause).

- vega 6.4.0: `vega.min.js` (package `vega`, build/vega.min.js), LICENSE.vega
- vega-lite 6.4.3: `vega-lite.min.js` (package `vega-lite`, build/vega-lite.min.js), LICENSE.vega-lite
- vega-embed 7.3.0: `vega-embed.min.js` (package `vega-embed`, build/vega-embed.min.js, which
  bundles vega-themes, vega-tooltip and their small dependencies), LICENSE.vega-embed
- vega-interpreter 2.3.2: `vega-interpreter.js` (package `vega-interpreter`,
  build/vega-interpreter.js, wrapped as a classic script setting `vega.expressionInterpreter`),
  LICENSE.vega-interpreter
EOF
cat >"$tests/README.md" <<'EOF'
# Vendored JavaScript of the browser tests

Written by `scripts/vendor-js.sh`; injected into the page by the browser tests only.

- axe-core 4.14.1: `axe.min.js` (package `axe-core` from https://registry.npmjs.org/),
  licensed MPL-2.0 (LICENSE.axe-core; the file is unmodified).
EOF
echo "vendor-js: wrote $static and $tests"
