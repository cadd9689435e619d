#!/usr/bin/env bash
# Smoke test of `imgslim explore` in a real terminal: runs it on the example image inside a
# private tmux server, sends keys, and checks the captured screen. Exits 0 when every check
# passes (or when tmux is absent: then it says so and skips), 1 otherwise.
#
#   tui/tests/smoke.sh [PATH/TO/imgslim]     (default: builds target/debug/imgslim)
set -u

if ! command -v tmux >/dev/null 2>&1; then
    echo "smoke: tmux is not installed; skipped"
    exit 0
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
sock="imgslim-smoke-$$"
t() { tmux -L "$sock" "$@"; }
cleanup() {
    t kill-server >/dev/null 2>&1
    # A server run with -D leaves its socket behind.
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
    rm -rf "$work"
}
trap cleanup EXIT

if [ $# -ge 1 ]; then
    bin=$1
else
    (cd "$root" && cargo build -q -p imgslim-cli) || exit 1
    bin="$root/target/debug/imgslim"
fi
(cd "$root" && cargo run -q -p imgslim-tests --bin make-example -- "$work/example.tar") >/dev/null || exit 1

failures=0
screen() { t capture-pane -p -t smoke; }
# wait_for TEXT [SECONDS]: poll the screen until TEXT shows up.
wait_for() {
    local deadline=$((SECONDS + ${2:-10}))
    while [ $SECONDS -lt $deadline ]; do
        if screen | grep -qF -- "$1"; then
            echo "ok: $1"
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: '$1' not on screen; it shows:"
    screen
    failures=$((failures + 1))
    return 1
}
# wait_gone TEXT: poll until TEXT is no longer on screen.
wait_gone() {
    local deadline=$((SECONDS + 10))
    while [ $SECONDS -lt $deadline ]; do
        if ! screen | grep -qF -- "$1"; then
            echo "ok: gone: $1"
            return 0
        fi
        sleep 0.1
    done
    echo "FAIL: '$1' still on screen"
    screen
    failures=$((failures + 1))
    return 1
}

# Run the server in the foreground (-D) as a background job rather than letting it daemonise:
# daemon(3) refuses to start where /dev/null is not a character device, as in some sandboxes.
tmux -L "$sock" -D >/dev/null 2>&1 &
# Wait for its socket.
for _ in $(seq 50); do
    [ -S "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock" ] && break
    sleep 0.1
done
# The commands below use bash syntax whatever the user's shell is.
t set-option -g default-shell "$(command -v bash)"
if ! t new-session -d -s smoke -x 120 -y 40 \
    "'$bin' explore '$work/example.tar'; echo \"explore exited \$?\"; sleep 60"; then
    echo "smoke: FAIL: tmux could not start a session"
    exit 1
fi

wait_for "Files as of layer 5"
wait_for "RUN chmod 755 /usr/local/bin/hello"
t send-keys -t smoke C-f
t send-keys -t smoke -l "hello.c"
wait_for 'filter "hello.c"'
wait_for "hello.c"
t send-keys -t smoke Enter
t send-keys -t smoke C-l
wait_for "Layer 5 changes"
t send-keys -t smoke C-l Escape
wait_gone 'filter "hello.c"'
t send-keys -t smoke "?"
wait_for "show or hide this help"
t send-keys -t smoke Escape
wait_gone "show or hide this help"
# The findings view, and Enter on the first finding shows its path in the tree.
t send-keys -t smoke f
wait_for "What it does"
t send-keys -t smoke Enter
wait_for "Files as of layer 1"
wait_gone "What it does"
t send-keys -t smoke Tab Tab Home
wait_for "Files as of layer 0"
# A resize lays the screen out again at the new size.
t resize-window -t smoke -x 80 -y 24
wait_for "╰────────────────────────────────╯╰────────────────────────────────────────────╯"
t send-keys -t smoke q
wait_for "explore exited 0"
# The alternate screen is gone, so the tree is no longer drawn.
wait_gone "Files as of layer"

# The loading screen shows at once and q cancels a load that has not finished (stdin that
# never ends).
t new-window -t smoke "'$bin' explore - < <(sleep 60); echo \"explore exited \$?\"; sleep 60"
wait_for "Loading -"
t send-keys -t smoke q
wait_for "explore exited 0"
t kill-window -t smoke

# A file that is not an image: the error is printed after the terminal is restored.
printf 'not an image' >"$work/junk.tar"
t new-window -t smoke "'$bin' explore '$work/junk.tar'; echo \"explore exited \$?\"; sleep 60"
wait_for "explore exited 2"
wait_for "imgslim: error: $work/junk.tar"

if [ "$failures" -ne 0 ]; then
    echo "smoke: $failures check(s) failed"
    exit 1
fi
echo "smoke: all checks passed"
