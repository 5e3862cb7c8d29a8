#!/usr/bin/env bash
# servers' CPU per request: one cluster, 3 x 300,000 warm-up, then runs at 10,000 events/s with requests of
# 1,000 / 100 / 10 events (appends to the leader); per-thread CPU ticks of the three servers around each run
JAR=${JAR:-/tmp/jars/head11.jar}; D=${D:-/tmp/s12/perreq}
source "$(dirname "$0")"/cluster.sh
snap() { for i in 1 2 3; do p=${pids[$((i-1))]}; for t in /proc/$p/task/*; do
  echo "n$i $(cat $t/comm | tr ' ' '_') $(sed 's/.*) //' $t/stat | awk '{print $12+$13}')"; done; done; }
for w in 1 2 3; do b --log warm --events 300000 --batch 1000 --concurrency 8 >/dev/null 2>&1; done
b --log warm --events 100000 --batch 100 --concurrency 16 >/dev/null 2>&1
b --log warm --events 20000 --batch 10 --concurrency 16 >/dev/null 2>&1
for r in ${ROUNDS:-1 2}; do
  for batch in ${BATCHES:-1000 100 10}; do
    ev=$(( batch == 10 ? 50000 : 200000 ))
    mkdir -p $D/r$r-b$batch
    [[ -n "${JFR:-}" ]] && for p in "${pids[@]}"; do $JAVA_HOME/bin/jcmd $p JFR.start name=m settings=profile >/dev/null; done
    snap > $D/r$r-b$batch/ticks0
    out=$(b --log p$batch --events $ev --batch $batch --concurrency 16 --rate 10000 --warmup 0 2>&1 | grep latency | tr -s ' ')
    snap > $D/r$r-b$batch/ticks1
    [[ -n "${JFR:-}" ]] && for i in 1 2 3; do $JAVA_HOME/bin/jcmd ${pids[$((i-1))]} JFR.stop name=m filename=$D/r$r-b$batch/n$i.jfr >/dev/null; done
    tot=$(python3 "$(dirname "$0")"/../../2026-11-26/session8/threads.py $D/r$r-b$batch 2>/dev/null | head -1)
    echo "round $r batch $batch ($ev events): $out | $tot"
  done
done
for p in "${pids[@]}"; do kill $p; done; wait
rm -rf $D/d1 $D/d2 $D/d3
