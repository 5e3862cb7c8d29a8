#!/usr/bin/env bash
# Session 16's full-rate comparison again (../../2026-11-27/session16/threads2.sh: a fresh cluster, 3 warm-up runs, then ROUNDS
# full-rate runs through the leader with per-thread CPU ticks), servers without and with the AOT cache, alternated, PAIRS times.
#   (ORDER="aot plain" to start with the cache)
#   JAR=/tmp/jars/r18b.jar AOT=/tmp/jars/r18b-s40.aot PAIRS=1 ROUNDS=6 bench/results/2026-11-28/session18/full-aot.sh > full-aot.txt
S16="$(dirname "$0")/../../2026-11-27/session16"
for p in $(seq ${PAIRS:-1}); do
  for mode in ${ORDER:-plain aot}; do
    echo "=== $mode pair $p $(date +%H:%M:%S)"
    opts=""; [ $mode = aot ] && opts="-XX:AOTCache=$AOT"
    SERVER_JAVA_OPTS="$opts" D=/tmp/s18/full-$mode ROUNDS=${ROUNDS:-6} "$S16/threads2.sh" 2>&1 | grep -E "^round|ticks"
    rm -rf /tmp/s18/full-$mode
  done
done
