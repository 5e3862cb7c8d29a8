#!/bin/bash
# start a 3-node cluster with $JAR, warm up, then perf-record all three JVMs (system-wide filtered by pid) during a rest run
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin
JAR=${JAR:-/tmp/perf/after.jar}
JOPTS="${JOPTS:-} -XX:+UnlockDiagnosticVMOptions -XX:+PreserveFramePointer" JAR=$JAR /tmp/perf/trace.sh
pids=($(cat /tmp/perf/tdata/pids))
for w in 1 2 3; do $J/java -jar $JAR bench --url http://127.0.0.1:18301 --size 500 --log warm --events 300000 --batch 1000 --concurrency 8 2>&1 | grep latency; done
sleep 3
for p in ${pids[@]}; do $J/jcmd $p Compiler.perfmap >/dev/null; done
perf record -F 499 -g -o /tmp/perf/rest.data -p $(IFS=,; echo "${pids[*]}") -- sleep 32 > /tmp/perf/perfrecord.log 2>&1 &
rp=$!
sleep 1
$J/java -jar $JAR bench --url http://127.0.0.1:18301 --size 500 --log rest --events ${EVENTS:-60000} --batch ${BATCH:-1000} --concurrency 8 --rate ${RATE:-2000} 2>&1 | grep latency
wait $rp
for p in ${pids[@]}; do $J/jcmd $p Compiler.perfmap >/dev/null; done
curl -s http://127.0.0.1:18301/v1/cluster | grep -o '"leader":"n[0-9]"'
echo "pids ${pids[@]}"
