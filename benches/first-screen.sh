#!/usr/bin/env bash
# Time to first screen of the terminal explorer, imgslim against dive, each run in its own tmux
# session (dive has no headless mode). The clock stops when the file tree's header ("Filetree",
# which both tools draw) is on screen. Not part of the test run: it needs the corpus and dive.
#
#   bash benches/first-screen.sh [IMAGE.tar ...]   # default: node-app and gcc-single (docker flavour)
set -u
cd "$(dirname "$0")/.."
CORPUS=${IMGSLIM_CORPUS:-$HOME/.cache/imgslim-corpus}/images
DIVE=${DIVE:-$HOME/.cache/imgslim-peers/bin/dive}
RUNS=${RUNS:-3}
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 2; }
cargo build -q --release -p imgslim-cli || exit 2
IMGSLIM=$PWD/target/release/imgslim
(($# == 0)) && set -- "$CORPUS/node-app.docker.tar" "$CORPUS/gcc-single.docker.tar"

sock="imgslim-first-$$"
t() { tmux -L "$sock" "$@"; }
# A foreground server: tmux's daemon(3) refuses where /dev/null is not a character device.
tmux -L "$sock" -D >/dev/null 2>&1 &
server=$!
trap 't kill-server >/dev/null 2>&1; kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do t list-sessions >/dev/null 2>&1 && break; t start-server 2>/dev/null; sleep 0.1; done
t set-option -g default-shell "$(command -v bash)" 2>/dev/null

# seconds until "Filetree" shows, for one command line
first_screen() {
  local start now
  start=$(date +%s.%N)
  t new-session -d -s fs -x 160 -y 50 "$1; sleep 30"
  while :; do
    if t capture-pane -p -t fs 2>/dev/null | grep -q Filetree; then break; fi
    now=$(date +%s.%N)
    if awk -v s="$start" -v n="$now" 'BEGIN { exit !(n - s > 300) }'; then echo "timeout"; break; fi
    sleep 0.05
  done
  now=$(date +%s.%N)
  t kill-session -t fs 2>/dev/null
  awk -v s="$start" -v n="$now" 'BEGIN { printf "%.2f\n", n - s }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '%-28s %12s %12s %8s\n' image imgslim_s dive_s ratio
for tar in "$@"; do
  mine=$(for ((i = 0; i < RUNS; i++)); do first_screen "'$IMGSLIM' explore '$tar'"; done | median)
  if [[ -x $DIVE ]]; then
    theirs=$(for ((i = 0; i < RUNS; i++)); do first_screen "CI= '$DIVE' --source docker-archive '$tar'"; done | median)
  else
    theirs=nan
  fi
  awk -v n="$(basename "$tar")" -v m="$mine" -v d="$theirs" \
    'BEGIN { printf "%-28s %12s %12s %8s\n", n, m, d, (d == "nan" || m == 0) ? "n/a" : sprintf("%.1fx", d / m) }'
done
