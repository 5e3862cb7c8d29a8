#!/usr/bin/env bash
# Planned stop (SIGTERM: the leader hands its leadership over) against kill -9 of the leader, on an
# otherwise idle 3-node cluster: the longest pause between appends acknowledged through a survivor
# (one probe appending single events back to back), from the signal until 2 s after the node exited.
# usage: handoff.sh JAR ROUNDS   (each round: one TERM and one KILL, alternated)
# AOT_TRAIN=DIR: each node records a JDK AOT cache (DIR/nN.aot, written when it stops on SIGTERM);
# AOT_USE=FILE: every node starts with that AOT cache.
# NODE_JVM: the nodes' JVM options (default -Xmx256m -XX:+UseSerialGC); HD: working directory (/tmp/handoff).
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; JAR=$1; ROUNDS=${2:-4}; HERE=$(cd "$(dirname "$0")" && pwd)
D=${HD:-/tmp/handoff}; rm -rf $D; mkdir -p $D
$J -jar $JAR keys generate --name handoff.example --out $D/cluster.key >/dev/null
C=n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203
aot() { if [ -n "${AOT_TRAIN:-}" ]; then echo "-XX:AOTCacheOutput=$AOT_TRAIN/n$1.aot"; elif [ -n "${AOT_USE:-}" ]; then echo "-XX:AOTCache=$AOT_USE"; fi; }
start() { $J ${NODE_JVM:--Xmx256m -XX:+UseSerialGC} $(aot $1) -jar $JAR server --node-id n$1 --cluster $C --listen 127.0.0.1:1828$1 \
    --data $D/n$1 --log-key $D/cluster.key --auth off --election-timeout 200 >> $D/n$1.log 2>&1 & echo $! > $D/n$1.pid; }
leader() { for i in 1 2 3; do r=$(curl -s -m 1 http://127.0.0.1:1828$i/v1/cluster 2>/dev/null | python3 -c 'import sys,json; print(json.load(sys.stdin).get("leader") or "")' 2>/dev/null); [ -n "$r" ] && echo ${r#n} && return; done; }
healthy() { for t in $(seq 120); do curl -sf -m 1 -o /dev/null http://127.0.0.1:1828$1/readyz && return; sleep 0.5; done; echo "n$1 not ready" >&2; }
for i in 1 2 3; do start $i; done
for i in 1 2 3; do healthy $i; done
for k in $(seq 200); do curl -s -o /dev/null -XPOST -H 'content-type: application/json' -d '{"warm":'$k'}' http://127.0.0.1:18281/v1/logs/audit/entries; done
for r in $(seq $ROUNDS); do
  for sig in TERM KILL; do
    sleep 2; L=$(leader); S=$(( L % 3 + 1 ))
    rm -f $D/stop; python3 $HERE/probe.py http://127.0.0.1:1828$S $D/stop > $D/acks.txt & P=$!
    sleep 1
    t0=$(date +%s%3N); kill -$sig $(cat $D/n$L.pid)
    while kill -0 $(cat $D/n$L.pid) 2>/dev/null; do sleep 0.02; done
    t1=$(date +%s%3N); sleep 2; touch $D/stop; wait $P
    python3 - $t0 $t1 $D/acks.txt $sig $L $S <<'PY'
import sys
t0, t1, f, sig, l, s = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
acks = [int(x) for x in open(f) if x.strip()]
before = [a for a in acks if a <= t0]; after = [a for a in acks if a > t0]
points = ([before[-1]] if before else [t0]) + after
gap = max(b - a for a, b in zip(points, points[1:])) if len(points) > 1 else None
print(f"SIG{sig:4} of leader n{l}: longest pause between acks via n{s} {gap} ms; exited {t1 - t0} ms after the signal; {len(after)} acks after")
PY
    start $L; healthy $L
  done
done
for i in 1 2 3; do kill $(cat $D/n$i.pid) 2>/dev/null; done; wait 2>/dev/null
grep -h "handed its leadership\|could not hand" $D/n*.log
