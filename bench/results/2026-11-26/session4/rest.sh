#!/bin/bash
# usage: rest.sh ROUNDS "label:JOPTS"...  rest latency of 1-, 100- and 1000-event requests sent to the leader
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
JAR=${JAR:-/tmp/perf/exp.jar}
ROUNDS=$1; shift
for r in $(seq 1 $ROUNDS); do for cfg in "$@"; do
  label=${cfg%%:*}; JOPTS=${cfg#*:}
  leader=$(JOPTS="$JOPTS" JAR=$JAR /tmp/perf/trace.sh | grep -o 'n[0-9]'); p=${leader#n}
  B() { $J -jar $JAR bench --url http://127.0.0.1:1830$p --size 500 --log rest "$@" 2>&1 | grep -E "latency" | tr -s ' ' | cut -d' ' -f3-9; }
  for w in 1 2; do B --events 300000 --batch 1000 --concurrency 8 >/dev/null; done
  echo "r$r $label 1000: $(B --events 30000 --batch 1000 --concurrency 8 --rate 2000)"
  echo "r$r $label  100: $(B --events 3000 --batch 100 --concurrency 8 --rate 2000)"
  echo "r$r $label    1: $(B --events 400 --batch 1 --concurrency 8 --rate 20)"
  kill $(cat /tmp/perf/tdata/pids); sleep 3
done; done
