#!/usr/bin/env bash
# the same jar with and without its AOT cache, alternated: a fresh cluster each, 3 warm-up runs, then ROUNDS measured full-rate runs
jar=$1
for r in $(seq ${AB_ROUNDS:-2}); do
  for mode in aot none; do
    echo "=== $mode pair $r $(date +%H:%M:%S)"
    opts=""; [ $mode = aot ] && opts="-XX:AOTCache=${jar%.jar}.aot"
    SERVER_JAVA_OPTS="$opts" JAR=$jar ROUNDS=${ROUNDS:-6} D=/tmp/s16/ab-$mode "$(dirname "$0")/threads2.sh" 2>&1 | grep -E "^round|ticks"
  done
done
