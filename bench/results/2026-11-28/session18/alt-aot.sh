#!/usr/bin/env bash
# the standard benchmark alternating servers with and without the AOT cache, one round each, N times
cd /work/main
for i in $(seq ${N:-2}); do
  echo "== aot $i $(date +%H:%M:%S)"; OUT=/tmp/s18/std-aot AOT=1 TO_LEADER=1 HALF_EVENTS=500000 WARM_ROUNDS=3 bench/three-nodes.sh --rounds 1 /tmp/jars/r18b.jar
  echo "== plain $i $(date +%H:%M:%S)"; OUT=/tmp/s18/std-plain TO_LEADER=1 HALF_EVENTS=500000 WARM_ROUNDS=3 bench/three-nodes.sh --rounds 1 /tmp/jars/r18b.jar
done
