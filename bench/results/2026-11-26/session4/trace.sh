#!/bin/bash
JAR=${JAR:-/tmp/perf/exp.jar}
JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D=/tmp/perf/tdata
rm -rf $D; mkdir -p $D
$JAVA -jar $JAR keys generate --name perf.example --out $D/cluster.key >/dev/null
pids=()
for i in 1 2 3; do
  $JAVA -Xmx1g $JOPTS -jar $JAR server --node-id n$i --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
    --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
  pids+=($!)
done
echo "${pids[@]}" > $D/pids
for i in $(seq 1 90); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 1; done
curl -s http://127.0.0.1:18301/v1/cluster | grep -o '"leader":"n[0-9]"'
