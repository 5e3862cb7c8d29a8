#!/usr/bin/env bash
# 3-node cluster, warm-up, then per-thread CPU (from /proc) of the servers and the load generator during one full-rate run
set -euo pipefail
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; JAR=${JAR:-/tmp/jars/head16.jar}; D=${D:-/tmp/s16/thr}
rm -rf $D; mkdir -p $D
cluster="n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203"
$J -jar $JAR keys generate --name bench.example --out $D/cluster.key >/dev/null
PIDS=()
T0=$(date +%s)
for i in 1 2 3; do
  $J -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20 ${SERVER_JAVA_OPTS:-} -jar $JAR server --node-id n$i --cluster $cluster \
    --listen 127.0.0.1:1830$i --data $D/n$i --log-key $D/cluster.key --auth off --rate-limit 0 ${SERVER_ARGS:-} > $D/n$i.log 2>&1 &
  PIDS+=($!)
done
trap 'kill ${PIDS[@]} 2>/dev/null; wait' EXIT
for i in $(seq 120); do curl -sf http://127.0.0.1:18301/v1/cluster | grep -q '"leader":"n' && break; sleep 1; done
URLS=http://127.0.0.1:18301,http://127.0.0.1:18302,http://127.0.0.1:18303
for w in 1 2 3; do $J -jar $JAR bench --url $URLS --size 500 --log warm --events 300000 --batch 1000 --concurrency 8 > /dev/null 2>&1; done
snap() { for p in "$@"; do for t in /proc/$p/task/*; do c=$(cat $t/comm 2>/dev/null | tr ' ' '_') || continue; v=$(sed 's/.*) //' $t/stat 2>/dev/null | awk '{print $12+$13}') || continue; [ -n "$c" ] && [ -n "$v" ] && echo "$p $(basename $t) $c $v"; done; done; true; }
leader=$(curl -s http://127.0.0.1:18301/v1/cluster | python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])')
for r in $(seq ${ROUNDS:-1}); do
snap ${PIDS[@]} > $D/before.txt
$J -jar $JAR bench --url $URLS --size 500 --log full --events 300000 --batch 1000 --concurrency 8 --warmup 50000 > $D/full.txt 2>&1
snap ${PIDS[@]} > $D/after.txt
echo "round $r uptime $(( $(date +%s) - T0 )) s: $(grep -E 'throughput' $D/full.txt | tr -s ' ')"
python3 "$(dirname "$0")/summ.py" $D "${PIDS[@]}" $leader
done
exit 0
python3 - $D "${PIDS[@]}" $leader <<'PY'
import sys,collections,re
d=sys.argv[1]; pids=sys.argv[2:5]; leader=sys.argv[5]
def load(f):
    m={}
    for l in open(f):
        p,t,c,v=l.split(); m[(p,t)]=(c,int(v))
    return m
b=load(d+'/before.txt'); a=load(d+'/after.txt')
for i,p in enumerate(pids):
    g=collections.Counter()
    for (pp,t),(c,v) in a.items():
        if pp!=p: continue
        v0=b.get((pp,t),(c,0))[1]
        name=re.sub(r'[-#]?\d+$','',c); name=re.sub(r'\d+','N',name)
        g[name]+=v-v0
    tot=sum(g.values())
    print(f"n{i+1}{' (leader)' if leader==f'n{i+1}' else ''}: {tot} ticks")
    for k,v in g.most_common(14): print(f"   {v:6d} {100*v/max(tot,1):5.1f}% {k}")
PY
