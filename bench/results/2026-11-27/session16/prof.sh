#!/usr/bin/env bash
# 3-node cluster, warm-up, then JFR (profile) on all three servers during one full-rate run
set -euo pipefail
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; JAR=${JAR:-/tmp/jars/head16.jar}; D=${D:-/tmp/s16/run}
rm -rf $D; mkdir -p $D
cluster="n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203"
$J -jar $JAR keys generate --name bench.example --out $D/cluster.key >/dev/null
PIDS=()
for i in 1 2 3; do
  $J -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20 ${SERVER_JAVA_OPTS:-} -jar $JAR server --node-id n$i --cluster $cluster \
    --listen 127.0.0.1:1830$i --data $D/n$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
  PIDS+=($!)
done
trap 'kill ${PIDS[@]} 2>/dev/null; wait' EXIT
for i in $(seq 120); do curl -sf http://127.0.0.1:18301/v1/cluster | grep -q '"leader":"n' && break; sleep 1; done
URLS=http://127.0.0.1:18301,http://127.0.0.1:18302,http://127.0.0.1:18303
for w in 1 2 3; do $J -jar $JAR bench --url $URLS --size 500 --log warm --events 300000 --batch 1000 --concurrency 8 > /dev/null 2>&1; done
for i in 0 1 2; do $JAVA_HOME/bin/jcmd ${PIDS[$i]} JFR.start name=p settings=profile filename=$D/n$((i+1)).jfr > /dev/null; done
for t in $(ls /proc/${PIDS[0]}/task); do :; done
$J -jar $JAR bench --url $URLS --size 500 --log full --events 300000 --batch 1000 --concurrency 8 --warmup 50000 2>&1 | grep -E 'throughput|latency'
for i in 0 1 2; do $JAVA_HOME/bin/jcmd ${PIDS[$i]} JFR.stop name=p > /dev/null; done
curl -s http://127.0.0.1:18301/v1/cluster | head -c 600; echo
