#!/usr/bin/env bash
# A reading command run at once after a write, while the background preparation (l4a prepare, issue 19) works:
# for each command, a one-triple `l4a import` (the write), then the command at once, timed; the next round waits
# until the background run is done.
#
#   bash bench/right_after_write.sh VENV DATA_DIR [new]
#
# VENV: a virtual environment with l4a installed; DATA_DIR: a copy of a data directory (it is written to), e.g.
# `mkdir /tmp/ra && cp -r bench/out/store-10000/store /tmp/ra/`. `new`: the version has the setting
# prepare_after_write (the write runs with it on, the command with it off); leave it out for older versions.
# CMDS="validate --format json;hubs" picks the commands (separated by ';').
set -euo pipefail
V=$1
D=$2
NEW=${3:-}
export L4A_CONFIG=/nonexistent.toml
IFS=";" read -ra LIST <<< "${CMDS:-brief --council resilient-regenerative-territories;communities;monitor status;validate --format json;hubs}"
triple=$(mktemp --suffix=.nt)
trap 'rm -f "$triple"' EXIT
n=0
for c in "${LIST[@]}"; do
    n=$((n + 1))
    printf '<https://example.org/ra%s-%s> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n' "$n" "$RANDOM" > "$triple"
    env ${NEW:+L4A_PREPARE_AFTER_WRITE=background} "$V/bin/l4a" --data-dir "$D" import "$triple" \
        --graph "https://example.org/ra$n-$RANDOM" > /dev/null 2>&1
    start=$(date +%s.%N)
    # shellcheck disable=SC2086  # the command's words
    env ${NEW:+L4A_PREPARE_AFTER_WRITE=off} "$V/bin/l4a" --data-dir "$D" $c > /dev/null 2>&1 || true
    end=$(date +%s.%N)
    echo "$c: $(echo "$end - $start" | bc) s (load $(cut -d' ' -f1 /proc/loadavg))"
    while pgrep -f "data-dir $D prepare --background" > /dev/null; do sleep 0.5; done
done
