#!/usr/bin/env bash
# A 3-node cluster (cluster.sh), then JFR (settings=profile) on all three servers during one full-rate run
# through the leader: $D/nN.jfr. For whole stacks: SERVER_JAVA_OPTS="-XX:FlightRecorderOptions:stackdepth=1024".
D=${D:-/tmp/s16/run}
source "$(dirname "$0")/cluster.sh"
for i in 0 1 2; do $JAVA_HOME/bin/jcmd ${PIDS[$i]} JFR.start name=p settings=profile filename=$D/n$((i+1)).jfr > /dev/null; done
$J -jar $JAR bench --url $URLS --size 500 --log full --events 300000 --batch 1000 --concurrency 8 --warmup 50000 2>&1 | grep -E 'throughput|latency'
for i in 0 1 2; do $JAVA_HOME/bin/jcmd ${PIDS[$i]} JFR.stop name=p > /dev/null; done
curl -s http://127.0.0.1:18301/v1/cluster; echo
