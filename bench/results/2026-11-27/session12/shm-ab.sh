#!/usr/bin/env bash
# alternate: data on the disk vs on tmpfs (/dev/shm), same jar
cd /work/main
for r in 1 2 3; do
  OUT=/tmp/s12/disk TO_LEADER=1 HALF_EVENTS=500000 WARM_ROUNDS=3 bench/three-nodes.sh /tmp/jars/head11.jar 2>&1 | sed "s/^/disk r$r: /"
  OUT=/dev/shm/s12 TO_LEADER=1 HALF_EVENTS=500000 WARM_ROUNDS=3 bench/three-nodes.sh /tmp/jars/head11.jar 2>&1 | sed "s/^/shm  r$r: /"
  rm -rf /dev/shm/s12
done
