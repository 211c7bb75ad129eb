#!/usr/bin/env bash
# Refresh the vendored TradingView Lightweight Charts (Apache-2.0) from the npm registry.
#
#   scripts/vendor_lightweight_charts.sh [VERSION]      (default: the version in VERSION below)
#
# Takes the standalone production build (one file, global `LightweightCharts`, no eval) and the
# package's LICENSE; writes NOTICE from the upstream NOTICE text (the npm tarball does not ship it)
# and VERSION with the tarball's sha512 integrity, so a refresh is one reviewed diff.
set -euo pipefail

VERSION="${1:-5.3.0}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$HERE/src/tapewire/web/static/vendor/lightweight-charts"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "lightweight-charts@${VERSION}" > pack.txt
TARBALL="$(tail -n 1 pack.txt)"
INTEGRITY="$(npm view "lightweight-charts@${VERSION}" dist.integrity)"
tar -xzf "$TARBALL"
test "$(node -p "require('./package/package.json').license")" = "Apache-2.0"

mkdir -p "$DEST"
cp package/dist/lightweight-charts.standalone.production.js "$DEST/"
cp package/LICENSE "$DEST/LICENSE"
cat > "$DEST/NOTICE" <<NOTICE
TradingView Lightweight Charts™
Copyright (c) $(sed -n 's/^ \* Copyright (c) \([0-9]*\) TradingView.*/\1/p' package/dist/lightweight-charts.standalone.production.js) TradingView, Inc. https://www.tradingview.com/

Vendored unmodified from the npm package lightweight-charts@${VERSION}
(dist/lightweight-charts.standalone.production.js), licensed under the Apache License 2.0 (LICENSE).
The chart keeps the library's TradingView attribution logo (layout.attributionLogo).
NOTICE
printf 'lightweight-charts %s\nnpm integrity %s\n' "$VERSION" "$INTEGRITY" > "$DEST/VERSION"
echo "vendored lightweight-charts ${VERSION} into ${DEST#"$HERE"/}"
