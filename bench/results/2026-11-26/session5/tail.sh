#!/bin/bash
# usage: tail.sh [LABEL]  -- one fresh 3-node cluster ($JAR, -Xmx1g, 4 MB G1 regions, $OPTS), WARM × 300,000
# warm-up events, then a half-rate run (HALF events, 25,000 events/s, 1,000 per request) with the load
# generator's --latency-log, the servers' GC + safepoint logs (wall-clock time) and their own logs, all kept in
# $D/LABEL for lining up slow requests with what the servers did at that moment. TOLEADER=1 (session 6): the
# load generator sends to the leader's HTTP port instead of node 1's.
set -u
JAR=${JAR:-/tmp/perf/main5.jar}
JB=/usr/lib/jvm/temurin-25-jdk-amd64/bin
LABEL=${1:-run}
D=${D:-/tmp/perf/tail}/$LABEL
bench() { $JB/java ${LOADGEN_OPTS:-} -jar ${LOADGEN:-/tmp/perf/main5.jar} bench --url http://127.0.0.1:${PORT:-18301} --size ${SIZE:-500} "$@"; }
rm -rf $D; mkdir -p $D
$JB/java -jar $JAR keys generate --name perf.example --out $D/cluster.key >/dev/null
pids=()
for i in 1 2 3; do
  $JB/java -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m ${OPTS:-} \
    -Xlog:gc,safepoint:file=$D/n$i.gc:time,uptime -jar $JAR server --node-id n$i \
    --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
    --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
  pids+=($!)
done
echo "${pids[@]}" > $D/pids
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 1; done
leader=$(curl -s http://127.0.0.1:18301/v1/cluster | grep -o '"leader":"n[0-9]"' | grep -o 'n[0-9]')
[[ -n "${TOLEADER:-}" ]] && PORT=1830${leader#n}
for w in $(seq 1 ${WARM:-3}); do bench --log warm --events 300000 --batch 1000 --concurrency 8 >/dev/null 2>&1; done
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
t0=$(ticks "${pids[@]}")
date +%s%3N > $D/half.start
bench --log half --events ${HALF:-500000} --batch ${BATCH:-1000} --concurrency ${CONC:-8} --rate 25000 --warmup ${LG_WARMUP:-0} --latency-log $D/half.csv > $D/half.txt 2>&1
date +%s%3N > $D/half.end
t1=$(ticks "${pids[@]}")
echo "$LABEL leader=$leader half: $(grep -E latency $D/half.txt | tr -s ' ' | cut -d' ' -f3-12) | servers' CPU $(( (t1 - t0) * 10 )) ms"
if [[ -n "${HISTO:-}" ]]; then   # live-object histogram of each server (a full GC each) after the run
  for i in 1 2 3; do $JB/jcmd ${pids[$((i-1))]} GC.class_histogram > $D/n$i.histo 2>&1; done
fi
for p in "${pids[@]}"; do kill $p; done; for p in "${pids[@]}"; do wait $p 2>/dev/null; done
rm -rf $D/d1 $D/d2 $D/d3
