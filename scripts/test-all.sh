#!/usr/bin/env bash
# Every test of the project, exactly as CI runs it (after .ci/run has installed what they need).
# Performance is not tested here: see benches/.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --all-targets --locked

echo "== doc tests"
cargo test --workspace --doc --locked

echo "== core builds for wasm32 without threads"
cargo build -p imgslim-core --no-default-features --target wasm32-unknown-unknown --locked

# Scripted end-to-end checks live next to the code they check; each skips itself, saying so,
# when a tool it needs is missing.
for smoke in tui/tests/smoke.sh; do
  if [[ -f $smoke ]]; then
    echo "== $smoke"
    bash "$smoke"
  fi
done
