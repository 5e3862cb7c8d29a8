#!/bin/bash
# usage: prof.sh LABEL -- like ../session5/tail.sh (one fresh 3-node cluster of $JAR, WARM × 300,000 warm-up events,
# then one half-rate run of HALF events at 25,000 events/s, 1,000 per request, appends to the leader), plus:
# each server's per-thread CPU ticks (/proc/PID/task/*/stat, user+system) over the half-rate run, grouped by
# thread name (threads.py; C2 compiler share), PREHALF (below), and a JFR recording (settings=profile) of each server over the same run.
set -u
JAR=${JAR:-/tmp/jars/head8.jar}
JB=/usr/lib/jvm/temurin-25-jdk-amd64/bin
LABEL=${1:-run}
D=${D:-/tmp/perf/prof}/$LABEL
bench() { $JB/java -jar ${LOADGEN:-$JAR} bench --url http://127.0.0.1:${PORT:-18301} --size 500 "$@"; }
rm -rf $D; mkdir -p $D
$JB/java -jar $JAR keys generate --name perf.example --out $D/cluster.key >/dev/null
pids=()
for i in 1 2 3; do
  $JB/java -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20 ${OPTS:-} \
    -Xlog:gc,safepoint:file=$D/n$i.gc:time,uptime -jar $JAR server --node-id n$i \
    --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
    --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 ${SERVER_ARGS:-} > $D/n$i.log 2>&1 &
  pids+=($!)
done
leader=
for i in $(seq 1 90); do
  leader=$(curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -o '"leader":"n[0-9]"' | grep -o 'n[0-9]')
  [[ -n "$leader" ]] && break; sleep 1
done
sleep 2   # start-up churn: a first leader may step down; ask again
leader=$(curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -o '"leader":"n[0-9]"' | grep -o 'n[0-9]')
PORT=1830${leader#n}
for w in $(seq 1 ${WARM:-3}); do bench --log warm --events 300000 --batch 1000 --concurrency 8 >/dev/null 2>&1; done
# PREHALF=N: an unmeasured half-rate run of N events first (JIT warm-up of the rate-limited path)
[[ -n "${PREHALF:-}" ]] && bench --log prehalf --events $PREHALF --batch 1000 --concurrency 8 --rate 25000 >/dev/null 2>&1
snap() { for i in 1 2 3; do p=${pids[$((i-1))]}; for t in /proc/$p/task/*; do
  echo "n$i $(cat $t/comm | tr ' ' '_') $(sed 's/.*) //' $t/stat | awk '{print $12+$13}')"; done; done; }
[[ -n "${NOJFR:-}" ]] || for p in "${pids[@]}"; do $JB/jcmd $p JFR.start name=half settings=profile >/dev/null; done
snap > $D/ticks0
bench --log half --events ${HALF:-500000} --batch 1000 --concurrency 8 --rate 25000 --warmup 50000 --latency-log $D/half.csv > $D/half.txt 2>&1
snap > $D/ticks1
[[ -n "${NOJFR:-}" ]] || for i in 1 2 3; do $JB/jcmd ${pids[$((i-1))]} JFR.dump name=half filename=$D/n$i.jfr >/dev/null; done
echo "$LABEL leader=$leader half: $(grep -E latency $D/half.txt | tr -s ' ' | cut -d' ' -f3-12)"
for p in "${pids[@]}"; do kill $p; done; for p in "${pids[@]}"; do wait $p 2>/dev/null; done
rm -rf $D/d1 $D/d2 $D/d3
