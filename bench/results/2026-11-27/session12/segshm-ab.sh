#!/usr/bin/env bash
# alternate: everything on the disk vs the segments (logs/) on tmpfs and the Raft log on the disk
# (run with a copy of bench/three-nodes.sh that did what its LOGS_ON knob, added after, now does)
cd /work/main
for r in 1 2 3; do
  OUT=/tmp/s12/disk TO_LEADER=1 HALF_EVENTS=500000 WARM_ROUNDS=3 bench/three-nodes.sh /tmp/jars/head11.jar 2>&1 | sed "s/^/disk   r$r: /"
  LOGS_ON=/dev/shm/s12 OUT=/tmp/s12/segshm TO_LEADER=1 HALF_EVENTS=500000 WARM_ROUNDS=3 bench/three-nodes.sh /tmp/jars/head11.jar 2>&1 | sed "s/^/segshm r$r: /"
  rm -rf /dev/shm/s12
done
