#!/usr/bin/env bash
# Filtered named queries with values nobody asked for before (run by hand, docs/benchmarks.md):
#   bash bench/fresh_filters.sh VENV DATA_DIR   (the store prepared first: l4a --data-dir DATA_DIR prepare)
# Five rounds of six commands, each round with other dates and SDGs: after `l4a prepare`, a first run asks for values
# nobody asked for before; a second run repeats them (what a kept answer gives). Prints one line per call, wall time.
V=$1; S=$2
for i in 1 2 3 4 5; do
  d1=$(printf "2020-%02d-0%d" $((i+1)) $i); d2=$(printf "2025-%02d-1%d" $((i+3)) $i)
  /usr/bin/time -f "evidence-for all filters $d1: %e s" $V/bin/l4a --data-dir $S query run evidence-for -p sdg=11 -p manifesto=ecology -p council=safer-resilient-sustainable-cities -p section=flacma -p from=$d1 -p to=$d2 --format csv >/dev/null
  /usr/bin/time -f "evidence-for from $d1: %e s" $V/bin/l4a --data-dir $S query run evidence-for -p from=$d1 --format csv >/dev/null
  /usr/bin/time -f "evidence --sdg 1$i: %e s" $V/bin/l4a --data-dir $S evidence --sdg 1$i --format csv >/dev/null
  /usr/bin/time -f "deliverables-due $d1..$d2: %e s" $V/bin/l4a --data-dir $S query run deliverables-due -p from=$d1 -p to=$d2 --format csv >/dev/null
  /usr/bin/time -f "deliverables-due from $d2: %e s" $V/bin/l4a --data-dir $S query run deliverables-due -p from=$d2 --format csv >/dev/null
  /usr/bin/time -f "deliverables-due to $d1: %e s" $V/bin/l4a --data-dir $S query run deliverables-due -p to=$d1 --format csv >/dev/null
done 2>&1
