#!/usr/bin/env bash
# The first request of a brief in French and Spanish after `l4a serve` starts (issue 19): on a data directory that
# `l4a prepare` prepared ("noprime"), or one whose server was first asked for the English briefs only and then
# restarted ("prime", what an older version without the preparation keeps on disk).
#
#   bash bench/first_brief_languages.sh VENV DATA_DIR PORT prime|noprime
#
# The server binds 127.0.0.1 only; it is given 5 s after its port opens to read what every page needs.
set -euo pipefail
V=$1
D=$2
P=$3
MODE=${4:-noprime}
export L4A_CONFIG=/nonexistent.toml
L4A_SECRET_KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
export L4A_SECRET_KEY
PID=
start() {
    "$V/bin/l4a" --data-dir "$D" serve --host 127.0.0.1 --port "$P" > "/tmp/first-brief-$P.log" 2>&1 &
    PID=$!
    until curl -s -o /dev/null "http://127.0.0.1:$P/"; do sleep 0.1; done
}
stop() { kill "$PID"; wait "$PID" 2> /dev/null || true; }
if [ "$MODE" = prime ]; then
    start
    for u in /councils/resilient-regenerative-territories/brief /vcs/2021/brief; do
        until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P$u")" = 200 ]; do sleep 1; done
    done
    stop
fi
start
sleep 5
for u in "/councils/resilient-regenerative-territories/brief?lang=fr" "/councils/resilient-regenerative-territories/brief?lang=es" \
    "/vcs/2021/brief?lang=fr" "/vcs/2021/brief?lang=es"; do
    curl -s -o /dev/null -w "$u %{http_code} %{time_total} s\n" "http://127.0.0.1:$P$u"
done
stop
