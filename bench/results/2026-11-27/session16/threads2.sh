#!/usr/bin/env bash
# A 3-node cluster (cluster.sh), then ROUNDS full-rate runs through the leader, each with the per-thread CPU
# ticks (from /proc) of the three servers summed up by summ.py (total and compiler threads per node).
D=${D:-/tmp/s16/thr}
source "$(dirname "$0")/cluster.sh"
snap() { for p in "$@"; do for t in /proc/$p/task/*; do c=$(cat $t/comm 2>/dev/null | tr ' ' '_') || continue; v=$(sed 's/.*) //' $t/stat 2>/dev/null | awk '{print $12+$13}') || continue; [ -n "$c" ] && [ -n "$v" ] && echo "$p $(basename $t) $c $v"; done; done; true; }
leader=$(curl -s http://127.0.0.1:18301/v1/cluster | python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])')
for r in $(seq ${ROUNDS:-1}); do
  snap ${PIDS[@]} > $D/before.txt
  $J -jar $JAR bench --url $URLS --size 500 --log full --events 300000 --batch 1000 --concurrency 8 --warmup 50000 > $D/full.txt 2>&1
  snap ${PIDS[@]} > $D/after.txt
  echo "round $r uptime $(( $(date +%s) - T0 )) s: $(grep -E 'throughput' $D/full.txt | tr -s ' ')"
  python3 "$(dirname "$0")/summ.py" $D "${PIDS[@]}" $leader
done
