#!/usr/bin/env bash
# Appends through a follower (the forward path: RaftNode.forward), alternating builds:
# 3 nodes, warm-up, then 20,000 single-event requests (64 concurrent) and 200,000 events in
# 1,000-event requests, both sent to one follower only.   usage: forward-ab.sh ROUNDS JAR...
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; ROUNDS=$1; shift
C=n1=127.0.0.1:19301,n2=127.0.0.1:19302,n3=127.0.0.1:19303
for r in $(seq $ROUNDS); do for JAR in "$@"; do
  D=/tmp/fwd; rm -rf $D; mkdir -p $D
  $J -jar $JAR keys generate --name fwd.example --out $D/cluster.key >/dev/null
  for i in 1 2 3; do $J -Xms1g -Xmx1g -jar $JAR server --node-id n$i --cluster $C --listen 127.0.0.1:1838$i --data $D/n$i \
      --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 & echo $! > $D/n$i.pid; done
  for i in 1 2 3; do for t in $(seq 120); do curl -sf -m 1 -o /dev/null http://127.0.0.1:1838$i/readyz && break; sleep 0.5; done; done
  L=$(curl -s http://127.0.0.1:18381/v1/cluster | python3 -c 'import sys,json; print(json.load(sys.stdin)["leader"][1:])')
  F=$(( L % 3 + 1 )); U=http://127.0.0.1:1838$F
  $J -jar $JAR bench --url $U --log w --events 300000 --batch 1000 --size 500 --concurrency 4 >/dev/null 2>&1
  $J -jar $JAR bench --url $U --log w --events 10000 --batch 1 --size 500 --concurrency 64 >/dev/null 2>&1
  echo "round $r $(basename $JAR) via follower n$F (leader n$L):"
  $J -jar $JAR bench --url $U --log s --events 20000 --batch 1 --size 500 --concurrency 64 2>&1 | grep -E 'throughput|latency' | sed 's/^/  single  /'
  $J -jar $JAR bench --url $U --log b --events 200000 --batch 1000 --size 500 --concurrency 8 2>&1 | grep -E 'throughput|latency' | sed 's/^/  batched /'
  for i in 1 2 3; do kill $(cat $D/n$i.pid); done; wait 2>/dev/null
done; done
