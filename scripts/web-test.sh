#!/usr/bin/env bash
# The browser playground end to end: build the page with npm (which builds the wasm with cargo
# and wasm-bindgen, see web/scripts/build-wasm.mjs), build the native CLI whose figures are the
# reference, then drive the page in headless Debian chromium (web/tests/e2e.test.mjs).
# Needs wasm-bindgen-cli at Cargo.lock's version, npm and chromium (DEVELOPERS.md). Without them
# it skips, saying so, unless IMGSLIM_REQUIRE_WEB=1 (set by .ci/run), where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v wasm-bindgen >/dev/null 2>&1 || missing+=(wasm-bindgen-cli)
command -v npm >/dev/null 2>&1 || missing+=(npm)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] || missing+=(chromium)
if ((${#missing[@]})); then
  msg="web-test: missing ${missing[*]} (see DEVELOPERS.md)"
  if [[ ${IMGSLIM_REQUIRE_WEB:-0} == 1 ]]; then
    echo "$msg" >&2
    exit 1
  fi
  echo "$msg; skipping the browser tests"
  exit 0
fi

echo "== web: npm ci && npm run build (wasm included)"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)

echo "== native CLI (the reference figures)"
# The debug binary gives the same figures and is already built by the test run: a release
# build here cost CI several minutes.
cargo build -p imgslim-cli --locked

echo "== web: end-to-end in headless chromium"
shots=${IMGSLIM_SCREENSHOTS:-${TMPDIR:-/tmp}}
(cd web && CHROMIUM=$CHROMIUM IMGSLIM_BIN="$PWD/../target/debug/imgslim" IMGSLIM_SCREENSHOTS="$shots" \
  node --test --test-reporter=spec tests/)
echo "screenshots: $shots/imgslim-playground.png, $shots/imgslim-playground-narrow.png"
