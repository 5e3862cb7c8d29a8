# Sourced by prof.sh and threads2.sh: starts a 3-node cluster of $JAR on 127.0.0.1 (HTTP 18301-18303, Raft
# 19201-19203; data in $D; every server with -Xms1g -Xmx1g, the launcher's G1 options and $SERVER_JAVA_OPTS,
# access control and rate limit off), waits for a leader and sends it 3 x 300,000 warm-up events.
# Sets J, PIDS, URLS, T0 (start time, s); stops the servers on exit.
set -euo pipefail
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java; JAR=${JAR:-/tmp/jars/head16.jar}
rm -rf "$D"; mkdir -p "$D"
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
