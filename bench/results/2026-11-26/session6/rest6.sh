#!/bin/bash
# usage: rest6.sh ROUNDS JAR...   latency at rest (requests never overlap), sent to the leader
set -u
JB=/usr/lib/jvm/temurin-25-jdk-amd64/bin
ROUNDS=$1; shift
for r in $(seq 1 $ROUNDS); do for JAR in "$@"; do
  D=/tmp/perf/rest6; rm -rf $D; mkdir -p $D
  $JB/java -jar $JAR keys generate --name perf.example --out $D/cluster.key >/dev/null
  pids=()
  for i in 1 2 3; do
    $JB/java -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m ${OPTS:-} -jar $JAR server --node-id n$i \
      --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
      --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 90); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 1; done
  leader=$(curl -s http://127.0.0.1:18301/v1/cluster | grep -o '"leader":"n[0-9]"' | grep -o 'n[0-9]'); p=${leader#n}
  B() { $JB/java -jar ${LOADGEN:-/tmp/perf/timing.jar} bench --url http://127.0.0.1:1830$p --size 500 --log rest "$@" 2>&1 | grep -E "latency" | tr -s ' ' | cut -d' ' -f3-9; }
  for w in 1 2 3; do B --events 300000 --batch 1000 --concurrency 8 >/dev/null; done
  name=$(basename $JAR .jar)
  echo "r$r $name 1000: $(B --events 40000 --batch 1000 --concurrency 8 --rate 2000 --warmup 4000)"
  echo "r$r $name  100: $(B --events 4000 --batch 100 --concurrency 8 --rate 2000 --warmup 400)"
  echo "r$r $name    1: $(B --events 400 --batch 1 --concurrency 8 --rate 20 --warmup 40)"
  for p in "${pids[@]}"; do kill $p; done; for p in "${pids[@]}"; do wait $p 2>/dev/null; done
done; done
