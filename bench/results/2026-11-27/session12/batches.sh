#!/usr/bin/env bash
# one cluster (head11.jar, the three-nodes.sh server flags), 3 x 300,000 warm-up; then half-rate runs
# (25,000 events/s, 500 B) with requests of 1,000 / 250 / 100 events, alternated, two rounds; appends to the leader
JAR=${JAR:-/tmp/jars/head11.jar}; D=/tmp/s12/batches
# (as run, the servers also wrote GC logs: -Xlog:gc,safepoint:file=$D/nN.gc:time,uptime)
source "$(dirname "$0")"/cluster.sh
for w in 1 2 3; do b --log warm --events 300000 --batch 1000 --concurrency 8 >/dev/null 2>&1; done
for r in 1 2; do
  for batch in 1000 250 100; do
    conc=$(( batch >= 1000 ? 8 : batch >= 250 ? 16 : 32 ))
    out=$(b --log h$batch --events 500000 --batch $batch --concurrency $conc --rate 25000 --warmup 50000 2>&1 | grep latency | tr -s ' ')
    echo "round $r batch $batch: $out"
  done
done
for p in "${pids[@]}"; do kill $p; done; wait
rm -rf $D/d1 $D/d2 $D/d3
