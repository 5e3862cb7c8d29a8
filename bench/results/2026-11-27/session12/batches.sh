#!/usr/bin/env bash
# one cluster (head11.jar, the three-nodes.sh server flags), 3 x 300,000 warm-up; then half-rate runs
# (25,000 events/s, 500 B) with requests of 1,000 / 250 / 100 events, alternated, two rounds; appends to the leader
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; JAR=${JAR:-/tmp/jars/head11.jar}; D=/tmp/s12/batches
rm -rf $D; mkdir -p $D
$J -jar $JAR keys generate --name b.example --out $D/cluster.key >/dev/null
pids=()
for i in 1 2 3; do
  $J -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20 -Xlog:gc,safepoint:file=$D/n$i.gc:time,uptime \
    -jar $JAR server --node-id n$i --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
    --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
  pids+=($!)
done
for i in $(seq 90); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 1; done
sleep 2
URLS=http://127.0.0.1:18301,http://127.0.0.1:18302,http://127.0.0.1:18303
b() { $J -jar $JAR bench --url $URLS --size 500 "$@"; }
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
