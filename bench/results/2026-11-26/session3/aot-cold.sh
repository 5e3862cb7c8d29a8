#!/bin/bash
# cold.sh LABEL [JVM OPTS]: start 3 nodes, time to leader, then 3 x 300k batched events (cold), 20k single
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D=/tmp/aot/cold; rm -rf $D; mkdir -p $D
label=$1; shift
$J -jar /tmp/final.jar keys generate --name aot.example --out $D/cluster.key >/dev/null
t0=$(date +%s%N)
for i in 1 2 3; do
  $J -Xmx1g "$@" -jar /tmp/final.jar server --node-id n$i --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 & echo $! > $D/n$i.pid
done
for k in $(seq 1 600); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 0.1; done
t1=$(date +%s%N)
B="$J -jar /tmp/final.jar bench"
r=""
for w in 1 2 3; do r="$r $($B --url http://127.0.0.1:18301 --log cold --events 300000 --batch 1000 --size 500 --concurrency 8 2>&1 | grep throughput | awk '{print $2}')"; done
s=$($B --url http://127.0.0.1:18301 --log s --events 20000 --batch 1 --size 500 --concurrency 64 2>&1 | grep throughput | awk '{print $2}')
echo "$label: leader after $(( (t1-t0)/1000000 )) ms; batched 3x300k: $r events/s; single: $s events/s"
for i in 1 2 3; do kill -9 $(cat $D/n$i.pid); done; sleep 2; rm -rf $D
