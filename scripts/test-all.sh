#!/usr/bin/env bash
# Every test of the project, exactly as CI runs it (after .ci/run has installed what they need).
# Performance is not tested here: see benches/.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --all-targets --locked

echo "== doc tests"
cargo test --workspace --doc --locked

echo "== gzip decoding without ISA-L (the fallback; own target dir, so nothing else rebuilds)"
IMGSLIM_NO_ISAL=1 IMGSLIM_EXPECT_ISAL= CARGO_TARGET_DIR=target/no-isal \
  cargo test -p imgslim-gzip --locked

echo "== core builds for wasm32 without threads"
cargo build -p imgslim-core --no-default-features --target wasm32-unknown-unknown --locked

echo "== wasm facade under Node (wasm-bindgen-test)"
if command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test -p imgslim-wasm --target wasm32-unknown-unknown --locked
elif [[ ${IMGSLIM_REQUIRE_WEB:-0} == 1 ]]; then
  echo "wasm-bindgen-test-runner missing: cargo install wasm-bindgen-cli (DEVELOPERS.md)" >&2
  exit 1
else
  echo "wasm-bindgen-test-runner missing (DEVELOPERS.md); skipping the wasm tests"
fi

# Scripted end-to-end checks live next to the code they check; each skips itself, saying so,
# when a tool it needs is missing.
for smoke in tui/tests/smoke.sh scripts/web-test.sh; do
  if [[ -f $smoke ]]; then
    echo "== $smoke"
    bash "$smoke"
  fi
done
