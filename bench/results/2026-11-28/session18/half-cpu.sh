#!/usr/bin/env bash
# Where the machine's CPU goes at half rate: a fresh 3-node cluster of $JAR (session 16's cluster.sh: 3 x 300,000
# warm-up events), then ROUNDS half-rate runs through the leader (HALF_EVENTS at 25,000 events/s, 1,000 per request,
# the standard benchmark's half run) with, per run: the servers' per-thread CPU ticks (session 16's summ.py, V=1 for
# the threads), the load generator's own CPU (/usr/bin/time; its threads' ticks polled every 0.5 s; LG_JAVA_OPTS), and the whole machine's busy ticks (/proc/stat).
#   (LG_JAR: the load generator's jar, default $JAR)
#   JAR=/tmp/jars/x.jar D=/tmp/s18/half ROUNDS=3 bench/results/2026-11-28/session18/half-cpu.sh
S16="$(dirname "$0")/../../2026-11-27/session16"
D=${D:-/tmp/s18/half}
source "$S16/cluster.sh"
snap() { for p in "$@"; do for t in /proc/$p/task/*; do c=$(cat $t/comm 2>/dev/null | tr ' ' '_') || continue; v=$(sed 's/.*) //' $t/stat 2>/dev/null | awk '{print $12+$13}') || continue; [ -n "$c" ] && [ -n "$v" ] && echo "$p $(basename $t) $c $v"; done; done; true; }
mt() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8, $2, $4, $7 + $8 }' /proc/stat; }
leader=$(curl -s http://127.0.0.1:18301/v1/cluster | python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])')
hz=$(getconf CLK_TCK)
for r in $(seq ${ROUNDS:-1}); do
  # the load generator's start-up and own warm-up first (not in the window): --warmup sends at the same rate
  snap ${PIDS[@]} > $D/before.txt; read -r b0 a0 u0 s0 i0 < <(mt)
  /usr/bin/time -f "lg %U user %S sys %e wall" -o $D/lg-time.txt $J ${LG_JAVA_OPTS:-} -jar ${LG_JAR:-$JAR} bench --url $URLS --size 500 --log half \
    --events ${HALF_EVENTS:-500000} --batch 1000 --concurrency 8 --rate 25000 --warmup 50000 > $D/half.txt 2>&1 &
  sleep 0.3; lg=$(pgrep -f -- "--log half" | grep -v "^$!$" | tail -1)
  while kill -0 $! 2>/dev/null; do snap $lg > $D/lg-threads.tmp; [ -s $D/lg-threads.tmp ] && cp $D/lg-threads.tmp $D/lg-threads.txt; sleep 0.5; done
  wait $! || true
  snap ${PIDS[@]} > $D/after.txt; read -r b1 a1 u1 s1 i1 < <(mt)
  echo "round $r uptime $(( $(date +%s) - T0 )) s: $(grep -E 'latency' $D/half.txt | tr -s ' ')"
  echo "   machine busy $(( (b1 - b0) * 100 / (a1 - a0) )) % of $(( (a1 - a0) / hz )) core-s: user $(( (u1 - u0) / hz )) s, system $(( (s1 - s0) / hz )) s, irq+softirq $(( (i1 - i0) / hz )) s, busy $(( (b1 - b0) / hz )) s"
  echo "   $(cat $D/lg-time.txt); its threads half a second before it ended (ticks): $(awk '{n=$3; gsub(/[-#]?[0-9]+$/,"",n); gsub(/[0-9]+/,"N",n); t[n]+=$4} END {for (k in t) print t[k], k}' $D/lg-threads.txt | sort -rn | head -6 | tr '\n' ' ')"
  python3 "$S16/summ.py" $D "${PIDS[@]}" $leader
done
