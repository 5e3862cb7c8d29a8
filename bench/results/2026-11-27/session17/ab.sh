#!/usr/bin/env bash
# Session 16's ab.sh, removing each cluster's data afterwards (a cluster writes ≈ 12 GB in its 3 warm-up and
# 6 measured runs; session 17 filled the disk without this). Alternates builds: a fresh cluster each, 3 warm-up
# runs, then ROUNDS measured full-rate runs with per-thread CPU (../session16/threads2.sh; summary: ../session16/abstat.py).
#   AB_ROUNDS=1 ROUNDS=6 bench/results/2026-11-27/session17/ab.sh JAR_A JAR_B > ab.txt
S16="$(dirname "$0")/../session16"
for r in $(seq ${AB_ROUNDS:-2}); do
  for jar in "$@"; do
    d=/tmp/s17/ab-$(basename "$jar" .jar)
    echo "=== $(basename "$jar" .jar) pair $r $(date +%H:%M:%S)"
    JAR=$jar ROUNDS=${ROUNDS:-6} D=$d "$S16/threads2.sh" 2>&1 | grep -E "^round|ticks"
    rm -rf "$d"
  done
done
