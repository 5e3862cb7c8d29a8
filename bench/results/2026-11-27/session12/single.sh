#!/usr/bin/env bash
# one node, the "quiet machine" commands of BENCHMARKS.md (2026-11-26 07:54 UTC)
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; JAR=${JAR:-/tmp/jars/head11.jar}
rm -rf /tmp/s12/q; mkdir -p /tmp/s12/q
$J -jar $JAR server --listen 127.0.0.1:18090 --data /tmp/s12/q/data --auth off --rate-limit 0 > /tmp/s12/q/server.log 2>&1 &
PID=$!
for i in $(seq 60); do curl -sf -o /dev/null http://127.0.0.1:18090/healthz && break; sleep 0.5; done
$J -jar $JAR bench --url http://127.0.0.1:18090 --log batched --events 300000 --batch 1000 --size 500 --concurrency 4 >/dev/null 2>&1
$J -jar $JAR bench --url http://127.0.0.1:18090 --log single --events 20000 --batch 1 --size 500 --concurrency 16 >/dev/null 2>&1
for r in 1 2; do $J -jar $JAR bench --url http://127.0.0.1:18090 --log batched --events 1000000 --batch 1000 --size 500 --concurrency 4 2>&1 | grep -E 'throughput|latency'; done
kill $PID; wait $PID
