#!/usr/bin/env bash
# Records imgslim's figures for every flavour of every real-image corpus image into
# tests/data/corpus-figures.tsv, so CI (which has no corpus tarballs) can check them against
# dive's recorded figures (../shared/corpus/dive-0.13.1-results.tsv) in tests/tests/corpus_figures.rs.
#
#   bash tests/scripts/record-corpus-figures.sh            # from the repository root
#   IMGSLIM_CORPUS=/path/to/corpus bash tests/scripts/record-corpus-figures.sh
#
# The corpus is built by ../shared/corpus/build.sh (about 12 GiB, never committed). Not part of
# `cargo test`: it runs the release binary over every image (about a minute).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="${IMGSLIM_CORPUS:-$HOME/.cache/imgslim-corpus}"
corpus="$base/images"
out="$root/tests/data/corpus-figures.tsv"

command -v jq >/dev/null || { echo "record-corpus-figures: jq is required" >&2; exit 2; }
[ -d "$corpus" ] || { echo "record-corpus-figures: no corpus at $corpus (run ../shared/corpus/build.sh)" >&2; exit 2; }

cargo build --release --quiet -p imgslim-cli --manifest-path "$root/Cargo.toml"
bin="$root/target/release/imgslim"

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
printf 'run\timage\tflavour\tsize_bytes\tinefficient_bytes\tefficiency_score\tlayer_count\treclaimable_bytes\tduplicate_bytes\tlocal_dive_size_bytes\tlocal_dive_inefficient_bytes\tlocal_dive_efficiency_score\n' >"$tmp"
for path in "$corpus"/*.tar "$corpus"/*.oci-dir; do
    [ -e "$path" ] || continue
    name="$(basename "$path")"
    run="${name%.tar}"       # <image>.<flavour>, flavour may contain a dot (zstd.oci)
    image="${run%%.*}"
    flavour="${run#*.}"
    # What dive said about these very bytes when build.sh ran, where it kept the JSON: the
    # shared tsv can predate a rebuild (package versions move), and this tells drift from a bug.
    dive_json="$base/dive/$run.json"
    if [ -s "$dive_json" ] && jq -e .image "$dive_json" >/dev/null 2>&1; then
        local_dive="$(jq -r '.image | [.sizeBytes, .inefficientBytes, .efficiencyScore] | @tsv' "$dive_json")"
    else
        local_dive="$(printf '\t\t')"
    fi
    # Null dive figures (PAX global header) are written as empty fields, as dive's tsv has them.
    "$bin" analyze --no-progress --format json "$path" | jq -r --arg run "$run" --arg image "$image" --arg flavour "$flavour" '
        .summary | [$run, $image, $flavour, .size_bytes,
          (.inefficient_bytes // ""), (if .efficiency_score == null then "" else .efficiency_score end),
          .layer_count, .reclaimable_bytes, .duplicate_bytes] | @tsv' | tr -d '\n' >>"$tmp"
    printf '\t%s\n' "$local_dive" >>"$tmp"
done
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out ($(($(wc -l <"$out") - 1)) runs)"
