#!/usr/bin/env bash
# alternate builds: a fresh cluster each, 3 warm-up runs, then ROUNDS measured full-rate runs with per-thread CPU
for r in $(seq ${AB_ROUNDS:-2}); do
  for jar in "$@"; do
    echo "=== $(basename $jar .jar) pair $r $(date +%H:%M:%S)"
    JAR=$jar ROUNDS=${ROUNDS:-6} D=/tmp/s16/ab-$(basename $jar .jar) "$(dirname "$0")/threads2.sh" 2>&1 | grep -E "^round|ticks"
  done
done
