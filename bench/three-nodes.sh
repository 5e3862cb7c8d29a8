#!/usr/bin/env bash
# Three-node cluster benchmark on this machine (127.0.0.1 only), for one or more builds of indelible.
#
#   bench/three-nodes.sh [--rounds N] JAR [JAR...]
#
# For each round and each JAR (interleaved, so a noisy machine hurts every build alike): start three
# server JVMs (a fixed 1 GB heap, -Xms1g -Xmx1g; the launcher's G1 region size and pause target; then $SERVER_JAVA_OPTS; access control off, rate
# limit off) on a fresh data directory, warm them up
# with WARM_ROUNDS × 300,000 batched events (default 2; JIT), then measure with `indelible bench` (the load generator of the
# first JAR, so every build is driven alike; each run first sends LG_WARMUP events (default 50,000; single: 2,000) the same
# way, unmeasured, so the load generator's own JIT warm-up is not counted as latency):
#   full   -- 300,000 events of 500 B, 1,000 per request, 8 concurrent requests, as fast as possible
#   half   -- HALF_EVENTS (default 250,000) events at 25,000 events/s (half of issue 3's 50,000), 1,000 per request
#   half100-- the same rate in requests of 100 events
#   single -- 20,000 single-event requests, 64 concurrent
# and the three servers' CPU time (user + system, /proc) per event of the full run, and how busy the
# whole machine (both cores: servers and load generator) was during the half-rate run.
# Appends go to node 1 (which leads in about a third of the runs: the others forward them to the
# leader); with TO_LEADER=1 the load generator is given all three URLs and appends through the leader.
# Prints one line per measurement; the raw bench output, server logs, the servers' GC + safepoint logs
# (nN.gc), and for the half-rate run the load generator's GC log (lg-half.gc) and its per-request
# latency log (half.csv, for bench/results/2026-11-26/session5/corr.py) are kept under $OUT (default
# /tmp/indelible-3n); the data directories are removed after each run unless KEEP_DATA is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/find-java.sh
JAVA="$JAVA_HOME/bin/java"
ROUNDS=1
if [[ "${1:-}" == "--rounds" ]]; then ROUNDS=$2; shift 2; fi
[[ $# -ge 1 ]] || { echo "usage: bench/three-nodes.sh [--rounds N] JAR [JAR...]" >&2; exit 2; }
OUT=${OUT:-/tmp/indelible-3n}
WARM_ROUNDS=${WARM_ROUNDS:-2}   # warm-up runs of 300,000 events before measuring (JIT)
HALF_EVENTS=${HALF_EVENTS:-250000}   # events of each half-rate run (10 s at 25,000 events/s)
LG_WARMUP=${LG_WARMUP:-50000}   # events each measured run first sends unmeasured (the load generator's own JIT)
LOADGEN=$1
HTTP_BASE=${HTTP_BASE:-18301}
RAFT_BASE=${RAFT_BASE:-19201}
PIDS=()

stop() {
  for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap stop EXIT

URLS="http://127.0.0.1:$HTTP_BASE"
if [[ -n "${TO_LEADER:-}" ]]; then
  URLS="$URLS,http://127.0.0.1:$((HTTP_BASE + 1)),http://127.0.0.1:$((HTTP_BASE + 2))"
fi
# LG_GC=FILE before a call: the load generator's GC log (its pauses count as latency too)
# SERVER_ARGS: more options for every server, e.g. "--checkpoint-interval 10000"
# LOGS_ON=DIR: each node's logs/ directory (segments, hash rows, checkpoints) under DIR, the Raft log
#   and snapshots staying under $OUT (e.g. LOGS_ON=/dev/shm/x: what the segments' writes cost the disk)
# BENCH_ARGS: more options for every load generator run, e.g. "--padding unique" (events that hardly compress)
# AOT=1: every build's servers start from a JDK AOT cache made for that jar before the first round (`indelible aot-cache
#   --out $OUT/LABEL.aot`, ≈ 2 min per jar, reused while newer than the jar), as README recommends; the load generator
#   runs without one.
bench() { "$JAVA" ${LG_GC:+-Xlog:gc:file=$LG_GC:time,uptime} -jar "$LOADGEN" bench --url "$URLS" --size 500 ${BENCH_ARGS:-} "$@"; }

ticks() {
  local total=0 pid stat
  for pid in "$@"; do
    stat=$(sed 's/.*) //' "/proc/$pid/stat")
    set -- $stat
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

start_cluster() {
  local jar=$1 dir=$2 cluster="" i
  if curl -s -o /dev/null "http://127.0.0.1:$HTTP_BASE/"; then
    echo "something already listens on 127.0.0.1:$HTTP_BASE; stop it or set HTTP_BASE/RAFT_BASE" >&2
    exit 1
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  if [[ -n "${LOGS_ON:-}" ]]; then   # each node's logs/ (segments, hash rows, checkpoints) in $LOGS_ON, e.g. a tmpfs
    for i in 1 2 3; do
      rm -rf "$LOGS_ON/n$i-logs"; mkdir -p "$LOGS_ON/n$i-logs" "$dir/n$i"; ln -s "$LOGS_ON/n$i-logs" "$dir/n$i/logs"
    done
  fi
  for i in 1 2 3; do cluster+="${cluster:+,}n$i=127.0.0.1:$((RAFT_BASE + i - 1))"; done
  "$JAVA" -jar "$jar" keys generate --name bench.example --out "$dir/cluster.key" >/dev/null
  for i in 1 2 3; do
    "$JAVA" -Xms1g -Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20 \
      -Xlog:gc,safepoint:file="$dir/n$i.gc":time,uptime ${AOT:+-XX:AOTCache=$OUT/$(basename "$jar" .jar).aot} \
      ${SERVER_JAVA_OPTS:-} -jar "$jar" server --node-id "n$i" --cluster "$cluster" \
      --listen "127.0.0.1:$((HTTP_BASE + i - 1))" --data "$dir/n$i" --log-key "$dir/cluster.key" \
      --auth off --rate-limit 0 ${SERVER_ARGS:-} >"$dir/n$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in $(seq 1 120); do
    for pid in "${PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "a server exited; see $dir/n*.log" >&2; exit 1; }
    done
    curl -sf "http://127.0.0.1:$HTTP_BASE/v1/cluster" | grep -q '"leader":"n' && return 0
    sleep 1
  done
  echo "cluster did not elect a leader; see $dir/n*.log" >&2
  exit 1
}

field() { grep -E "$1" | tr -s ' ' | sed 's/^ //'; }

# busy and total jiffies of the whole machine (all processes, both cores), from /proc/stat
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

if [[ -n "${AOT:-}" ]]; then
  mkdir -p "$OUT"
  for jar in "$@"; do
    aot="$OUT/$(basename "$jar" .jar).aot"
    [[ -f "$aot" && "$aot" -nt "$jar" ]] || "$JAVA" -jar "$jar" aot-cache --out "$aot" >"$aot.log" 2>&1 \
      || { echo "aot-cache failed for $jar; see $aot.log" >&2; exit 1; }
  done
fi

for round in $(seq 1 "$ROUNDS"); do
  for jar in "$@"; do
    label=$(basename "$jar" .jar)
    dir="$OUT/$label-r$round"
    start_cluster "$jar" "$dir"
    for warm in $(seq 1 "$WARM_ROUNDS"); do
      bench --log warm --events 300000 --batch 1000 --concurrency 8 >/dev/null 2>&1
    done
    before=$(ticks "${PIDS[@]}")
    bench --log full --events 300000 --batch 1000 --concurrency 8 --warmup "$LG_WARMUP" >"$dir/full.txt" 2>&1
    after=$(ticks "${PIDS[@]}")
    hz=$(getconf CLK_TCK)
    cpu=$(( (after - before) * 1000000000 / hz / (300000 + LG_WARMUP) ))
    read -r busy0 all0 < <(machine_ticks)
    LG_GC="$dir/lg-half.gc" bench --log half --events "$HALF_EVENTS" --batch 1000 --concurrency 8 --rate 25000 \
      --warmup "$LG_WARMUP" --latency-log "$dir/half.csv" >"$dir/half.txt" 2>&1
    read -r busy1 all1 < <(machine_ticks)
    busy=$(( (busy1 - busy0) * 100 / (all1 - all0) ))
    bench --log half100 --events "$HALF_EVENTS" --batch 100 --concurrency 32 --rate 25000 --warmup "$LG_WARMUP" >"$dir/half100.txt" 2>&1
    bench --log single --events 20000 --batch 1 --concurrency 64 --warmup 2000 >"$dir/single.txt" 2>&1
    echo "round $round $label full:    $(field throughput <"$dir/full.txt") | servers' CPU ${cpu} ns/event"
    echo "round $round $label half:    $(field latency <"$dir/half.txt") | machine CPU busy ${busy} %"
    echo "round $round $label half100: $(field latency <"$dir/half100.txt")"
    echo "round $round $label single:  $(field throughput <"$dir/single.txt") | $(field latency <"$dir/single.txt")"
    stop
    [[ -n "${KEEP_DATA:-}" ]] || rm -rf "$dir/n1" "$dir/n2" "$dir/n3" ${LOGS_ON:+"$LOGS_ON"/n?-logs}   # ≈ 1.3 KB per event and node
  done
done
