# sourced by batches.sh and perreq.sh: starts a fresh three-node cluster of $JAR under $D on 127.0.0.1
# (bench/three-nodes.sh's server flags, plus $OPTS), waits for a leader, and defines b() (the load
# generator against all three URLs: appends go to the leader) and the array pids.
source /work/main/bin/find-java.sh
J=$JAVA_HOME/bin/java
rm -rf $D; mkdir -p $D
$J -jar $JAR keys generate --name b.example --out $D/cluster.key >/dev/null
pids=()
for i in 1 2 3; do
  $J -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20 ${OPTS:-} \
    -jar $JAR server --node-id n$i --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
    --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
  pids+=($!)
done
for i in $(seq 90); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 1; done
sleep 2
URLS=http://127.0.0.1:18301,http://127.0.0.1:18302,http://127.0.0.1:18303
b() { $J -jar $JAR bench --url $URLS --size 500 "$@"; }
