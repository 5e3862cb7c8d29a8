#!/bin/bash
# single node, batched 500 B events with ids (bench --ids): r33.jar (LinkedHashMap window) vs ids9.jar (primitive-array window), alternated;
# 600,000 warm-up then 600,000 measured events, 1,000 per request, 8 concurrent; young GC count and heap after GC from -Xlog:gc
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for r in 1 2 3 4; do for jar in r33 ids9; do
  d=/tmp/perf9/single/$jar-$r; rm -rf $d; mkdir -p $d
  $J -Xms1g -Xmx1g -XX:MaxGCPauseMillis=20 -Xlog:gc:file=$d/gc.log:uptime -jar /tmp/jars/$jar.jar server --listen 127.0.0.1:18501 --data $d/data --auth off --rate-limit 0 > $d/server.log 2>&1 &
  pid=$!
  for i in $(seq 1 60); do curl -sf -o /dev/null http://127.0.0.1:18501/v1/logs && break; sleep 0.5; done
  $J -jar /tmp/jars/r33.jar bench --ids --url http://127.0.0.1:18501 --log warm --size 500 --events 600000 --batch 1000 --concurrency 8 >/dev/null 2>&1
  n0=$(grep -c "Pause Young" $d/gc.log)
  t=$($J -jar /tmp/jars/r33.jar bench --ids --url http://127.0.0.1:18501 --log m --size 500 --events 600000 --batch 1000 --concurrency 8 2>&1 | grep -i 'throughput' | head -1)
  n1=$(grep -c "Pause Young" $d/gc.log)
  echo "round $r $jar: $t | young pauses in the measured run $((n1 - n0)); last: $(grep 'Pause Young' $d/gc.log | tail -1 | sed 's/.*Pause//')"
  kill $pid; wait $pid 2>/dev/null; rm -rf $d/data
done; done
