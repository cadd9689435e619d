#!/usr/bin/env bash
# build-proposals.sh - build the Dockerfiles `imgslim suggest` proposes for corpus images, the
# way ../shared/corpus/build.sh builds the corpus (buildah bud --layers --isolation chroot, same
# storage, so the builder stages reuse the corpus' cached layers), then check that
#   1. the built image's size (dive's figure, from `imgslim analyze`) is within 10 % of the
#      proposal's estimate, and
#   2. the program still runs: chroot into the image's mounted root filesystem and run the
#      entrypoint.
# Not part of the default test run: it needs root, buildah, skopeo and the built corpus.
#
#   bash tests/scripts/build-proposals.sh                    # gcc-single and node-app
#   ONLY="gcc-single" KINDS="scratch" bash tests/scripts/build-proposals.sh
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=${IMGSLIM_CORPUS:-$HOME/.cache/imgslim-corpus}
BUILD=$HERE/build
IMAGES=$HERE/images
CTX=$BUILD/contexts
DRIVER=${STORAGE_DRIVER:-overlay}
STORE=(--root "$BUILD/storage-$DRIVER" --runroot "$BUILD/runroot-$DRIVER" --storage-driver "$DRIVER")
HOSTCA=${HOSTCA:-/etc/ssl/certs/ca-certificates.crt}
BIN=${IMGSLIM:-$ROOT/target/release/imgslim}
read -r -a SELECTED <<< "${ONLY:-gcc-single node-app}"
read -r -a KINDS <<< "${KINDS:-multi-stage scratch}"
OUT=$(mktemp -d /tmp/imgslim-proposals.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

[[ -x $BIN ]] || (cd "$ROOT" && cargo build --release -p imgslim-cli)
printf '%-12s %-12s %14s %14s %8s  %s\n' image proposal estimate built diff runs
fail=0
for name in "${SELECTED[@]}"; do
  json=$OUT/$name.json
  "$BIN" suggest --no-progress --format json --dockerfile "$CTX/$name/Dockerfile" \
    "$IMAGES/$name.docker.tar" > "$json"
  for kind in "${KINDS[@]}"; do
    est=$(jq -r --arg k "$kind" '[.proposals[] | select(.kind == $k)][0].estimated_size_bytes // empty' "$json")
    if [[ -z $est ]]; then printf '%-12s %-12s %14s\n' "$name" "$kind" "(none)"; continue; fi
    ctx=$OUT/$name-$kind
    cp -r "$CTX/$name" "$ctx"
    rm -f "$ctx/rootfs.tar"
    jq -r --arg k "$kind" '[.proposals[] | select(.kind == $k)][0].dockerfile' "$json" > "$ctx/Dockerfile.proposed"
    ref=localhost/imgslim-proposal/$name-$kind:latest
    buildah "${STORE[@]}" bud --layers --isolation chroot --pull=never \
      --secret "id=hostca,src=$HOSTCA" -f "$ctx/Dockerfile.proposed" -t "$ref" "$ctx" \
      > "$OUT/$name-$kind.build.log" 2>&1 || { tail -20 "$OUT/$name-$kind.build.log"; fail=1; continue; }
    skopeo copy -q "containers-storage:[$DRIVER@$BUILD/storage-$DRIVER+$BUILD/runroot-$DRIVER]$ref" \
      "docker-archive:$OUT/$name-$kind.tar:$ref"
    built=$("$BIN" analyze --no-progress --format json "$OUT/$name-$kind.tar" | jq .summary.size_bytes)
    diff=$(python3 -c "print(f'{($built - $est) / $est * 100:+.2f}%')")
    ok_size=$(python3 -c "print(int(abs($built - $est) <= 0.10 * $est))")
    # Run the entrypoint inside the image's root filesystem.
    ctr=$(buildah "${STORE[@]}" from --pull=never "$ref")
    mnt=$(buildah "${STORE[@]}" mount "$ctr")
    cfg=$(buildah "${STORE[@]}" inspect --type image "$ref" | jq '.OCIv1.config')
    wd=$(jq -r '.WorkingDir // "/"' <<< "$cfg")
    mapfile -t argv < <(jq -r '(.Entrypoint // []) + (.Cmd // []) | .[]' <<< "$cfg")
    # chroot(8) starts in /, so relative program and file arguments are made absolute.
    for i in "${!argv[@]}"; do
      a=${argv[$i]}
      if [[ $a != /* && -e $mnt$wd/$a ]]; then argv[$i]=$(realpath -m "$wd/$a"); fi
    done
    if [[ ${argv[0]} != /* ]]; then
      for d in /usr/local/bin /usr/bin /bin; do [[ -e $mnt$d/${argv[0]} ]] && { argv[0]=$d/${argv[0]}; break; }; done
    fi
    set +e
    runout=$(timeout 5 chroot "$mnt" "${argv[@]}" 2>&1 | head -3)
    rc=${PIPESTATUS[0]}
    set -e
    buildah "${STORE[@]}" umount "$ctr" > /dev/null
    buildah "${STORE[@]}" rm "$ctr" > /dev/null
    # A server that is still up when timeout stops it (124) ran fine.
    if [[ $rc == 0 || ($rc == 124 && -n $runout) ]]; then runs="ok: ${runout//$'\n'/ | }"; else runs="FAILED ($rc): $runout"; fail=1; fi
    [[ $ok_size == 1 ]] || fail=1
    printf '%-12s %-12s %14s %14s %8s  %s\n' "$name" "$kind" "$est" "$built" "$diff" "$runs"
  done
done
exit $fail
