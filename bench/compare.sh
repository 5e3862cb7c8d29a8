#!/usr/bin/env bash
# bench/compare.sh: indelible side by side with Apache Kafka and a hash-chained PostgreSQL table,
# on this machine, in one invocation (docs/BENCHMARKS.md explains the workload and the results).
#
#   bench/compare.sh                   # build, start every peer in turn, print the table
#   SKIP_BUILD=1 bench/compare.sh      # reuse the jars already built
#   PEERS="indelible postgres" ...     # run a subset, in order: indelible indelible3 kafka1 kafka3 postgres
#   PROFILE=0 ...                      # skip the JFR profile of indelible under batched load
#   DURATION=20 SINGLE_EVENTS=40000 BATCH_CONCURRENCY=4 SINGLE_CONCURRENCY=16 ...
#
# All servers run at once; each target is warmed up, then measured in ROUNDS interleaved rounds.
# Every server binds 127.0.0.1 only, lives in a temporary directory, and is stopped on exit. The
# results (one JSON line per run, servers' logs, the JFR recording) are kept in bench/target/compare.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bin/find-java.sh"
java="$JAVA_HOME/bin/java"

PEERS=${PEERS:-"indelible indelible3 kafka1 kafka3 postgres"}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-500}
RATE=${RATE:-2000}
SINGLE_EVENTS=${SINGLE_EVENTS:-20000}         # single-event runs: 10 s at 2,000/s
SINGLE_CONCURRENCY=${SINGLE_CONCURRENCY:-16}
BATCH=${BATCH:-1000}
BATCH_CONCURRENCY=${BATCH_CONCURRENCY:-4}
DURATION=${DURATION:-10}                      # batched runs: at most this many seconds
BATCH_EVENTS=${BATCH_EVENTS:-20000000}        # ... or this many events
WARMUP=${WARMUP:-10}                          # seconds of unreported batched load per server
PROFILE=${PROFILE:-1}

out="$root/bench/target/compare"
mkdir -p "$out"
work="$(mktemp -d /tmp/indelible-compare.XXXXXX)"
chmod 755 "$work"
results="$out/results.jsonl"
: > "$results"
bench_jar="$root/indelible-bench/target/benchmarks.jar"
kafka_libs="$root/bench/target/kafka-libs"

declare -a started=()            # pids of the servers this script started
pg_data=""

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local pid
  for pid in "${started[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ -n "$pg_data" ]; then
    su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D '$pg_data' -m fast -w stop" >/dev/null 2>&1 || true
    cp "$work/postgres.log" "$out/postgres.log" 2>/dev/null || true
  fi
  du -sh "$work"/* > "$out/disk-usage.txt" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # port seconds
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "nothing listens on 127.0.0.1:$1 after $2 s"; return 1
}

stop_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=()
  for i in "${started[@]}"; do [ "$i" = "$pid" ] || kept+=("$i"); done
  started=("${kept[@]}")
}

# record PEER MODE ROUND JSON-LINE: keeps a result line, tagged.
record() {
  local line
  line=$(printf '%s\n' "$4" | grep '^{' | tail -1)
  if [ -z "$line" ]; then log "no result from $1 $2"; line='{"eventsPerSecond":0,"failed":-1,"latencyMs":{}}'; fi
  printf '{"peer":"%s","mode":"%s","round":%s,"loadavg":"%s","result":%s}\n' "$1" "$2" "$3" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$line" >> "$results"
  log "$1 $2 round $3: $line"
}

# A peer that cannot keep up with the offered rate is cut off after 1.5x the nominal time.
# Unreported warm-up of a peer (JIT, page cache, connections): WARMUP seconds batched, then
# WARMUP seconds of single events at the offered rate.
warmup_args() {
  case "$1" in
    batched) echo "--events $BATCH_EVENTS --batch $BATCH --size $SIZE --concurrency $BATCH_CONCURRENCY --duration $WARMUP" ;;
    single) echo "--events $(( RATE * WARMUP )) --batch 1 --size $SIZE --concurrency $SINGLE_CONCURRENCY --rate $RATE --duration $(( WARMUP * 2 ))" ;;
  esac
}

single_args() {
  echo "--events $SINGLE_EVENTS --batch 1 --size $SIZE --concurrency $SINGLE_CONCURRENCY --rate $RATE" \
       "--duration $(( SINGLE_EVENTS * 3 / RATE / 2 + 1 ))"
}
batch_args() { echo "--events $BATCH_EVENTS --batch $BATCH --size $SIZE --concurrency $BATCH_CONCURRENCY --duration $DURATION"; }

# ---------------------------------------------------------------------------------------------
build() {
  if [ -n "${SKIP_BUILD:-}" ]; then return; fi
  log "building (./mvnw -Pbench -DskipTests install) and fetching the Kafka broker jars"
  (cd "$root" && ./mvnw -q -B -ntp -Pbench -DskipTests install)
  (cd "$root" && ./mvnw -q -B -ntp -f bench/kafka-broker/pom.xml dependency:copy-dependencies)
}

# ---------------------------------------------------------------------------------------------
# Targets: each start_* function starts a server and registers one or more targets, i.e. a label
# and the command (an array in a variable named load_<n>) that runs the workload against it.
declare -a targets=()
indelible_pid=""
indelible_url=""

add_target() { # label, then the load command
  local n=${#targets[@]}
  targets+=("$1"); shift
  eval "load_$n=(\"\$@\")"
}

# Server options that switch off what is not under test, where the server has them: access control
# (the bench runs on loopback) and the per-principal request rate limit (single-event mode offers
# 2,000 requests/s from one anonymous principal).
indelible_test_options() {
  local help
  help=$("$root/indelible" server --help 2>/dev/null)
  if grep -q -- '--auth' <<<"$help"; then echo "--auth off"; fi
  if grep -q -- '--rate-limit' <<<"$help"; then echo "--rate-limit 0"; fi
}

# Three indelible nodes on Raft (one shared log signing key), benchmarked through node 1.
start_indelible3() {
  local n ports=() rafts=() cluster="" pid
  "$root/indelible" keys generate --name bench --out "$work/log-signing.key" > /dev/null
  for n in 1 2 3; do ports+=("$(free_port)"); rafts+=("$(free_port)"); done
  for n in 1 2 3; do cluster+="${cluster:+,}n$n=127.0.0.1:${rafts[$((n - 1))]}"; done
  log "indelible: 3 nodes, HTTP on 127.0.0.1:${ports[*]}"
  for n in 1 2 3; do
    "$root/indelible" server --node-id "n$n" --cluster "$cluster" --listen "127.0.0.1:${ports[$((n - 1))]}" \
      --data "$work/indelible3-$n" --log-key "$work/log-signing.key" $(indelible_test_options) \
      > "$out/indelible3-$n.log" 2>&1 &
    pid=$!; started+=("$pid")
  done
  for n in 1 2 3; do wait_port "${ports[$((n - 1))]}" 90; done
  add_target "indelible-3" "$root/indelible" bench --url "http://127.0.0.1:${ports[0]}" --log bench --json
}

start_indelible() {
  local port auth=()
  port=$(free_port)
  read -r -a auth <<<"$(indelible_test_options | tr '\n' ' ')"
  log "indelible: server on 127.0.0.1:$port"
  "$root/indelible" server --listen "127.0.0.1:$port" --data "$work/indelible" "${auth[@]}" \
    > "$out/indelible-server.log" 2>&1 &
  indelible_pid=$!; started+=("$indelible_pid")
  wait_port "$port" 60
  indelible_url="http://127.0.0.1:$port"
  add_target indelible "$root/indelible" bench --url "$indelible_url" --log bench --json
}

profile_indelible() {
  log "indelible: JFR profile under batched load (not counted)"
  "$JAVA_HOME/bin/jcmd" "$indelible_pid" JFR.start name=bench settings=profile filename="$out/indelible-batched.jfr" > /dev/null
  "$root/indelible" bench --url "$indelible_url" --log profiled $(batch_args) --json > "$out/indelible-profiled-run.json" 2>/dev/null || true
  "$JAVA_HOME/bin/jcmd" "$indelible_pid" JFR.stop name=bench > /dev/null
  "$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$out/indelible-batched.jfr" > "$out/indelible-hot-methods.txt" 2>&1 || true
  "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 64 "$out/indelible-batched.jfr" \
    | python3 "$root/bench/jfr-frames.py" > "$out/indelible-inclusive.txt" 2>&1 || true
}

# ---------------------------------------------------------------------------------------------
kafka_node_config() { # id nodes dir port-base
  local id=$1 nodes=$2 dir=$3 base=$4 voters="" n rf=1
  for n in $(seq 1 "$nodes"); do voters+="${voters:+,}$n@127.0.0.1:$((base + 2 * n + 1))"; done
  [ "$nodes" -ge 3 ] && rf=3
  cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$((base + 2 * id)),CONTROLLER://127.0.0.1:$((base + 2 * id + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$((base + 2 * id))
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

start_kafka() { # nodes
  local nodes=$1 base cluster n dir pids=() bootstrap="" name
  name="kafka$nodes"
  base=$(( 20000 + (RANDOM % 20000) ))
  cat > "$work/kafka-log4j2.properties" <<'EOF'
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
EOF
  cluster=$("$java" -cp "$kafka_libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  for n in $(seq 1 "$nodes"); do
    dir="$work/$name-$n"; mkdir -p "$dir/data"
    kafka_node_config "$n" "$nodes" "$dir" "$base"
    "$java" -cp "$kafka_libs/*" -Dlog4j2.configurationFile="$work/kafka-log4j2.properties" \
      kafka.tools.StorageTool format -t "$cluster" -c "$dir/server.properties" > "$out/$name-$n-format.log" 2>&1
    bootstrap+="${bootstrap:+,}127.0.0.1:$((base + 2 * n))"
  done
  log "kafka: $nodes broker(s) (KRaft combined), bootstrap $bootstrap"
  for n in $(seq 1 "$nodes"); do
    dir="$work/$name-$n"
    # The JVM flags kafka-server-start.sh uses.
    "$java" -Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$work/kafka-log4j2.properties" \
      -cp "$kafka_libs/*" kafka.Kafka "$dir/server.properties" > "$out/$name-$n.log" 2>&1 &
    pids+=($!); started+=($!)
  done
  for n in $(seq 1 "$nodes"); do wait_port $((base + 2 * n)) 90; done
  local load=("$java" -cp "$bench_jar" dev.indelible.bench.peer.KafkaLoad --bootstrap "$bootstrap")
  if [ "$nodes" = 1 ]; then
    add_target "kafka-1 acks=all" "${load[@]}" --topic bench --replication-factor 1 --min-insync 1
    add_target "kafka-1 flush.messages=1" "${load[@]}" --topic bench-flush --replication-factor 1 --min-insync 1 --flush-messages 1
  else
    add_target "kafka-3 RF=3 minISR=2" "${load[@]}" --topic bench --replication-factor 3 --min-insync 2
  fi
}

# ---------------------------------------------------------------------------------------------
start_postgres() {
  local bin=/usr/lib/postgresql/15/bin port url
  if [ ! -x "$bin/postgres" ]; then
    log "postgres: installing postgresql-15 from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 > "$out/apt.log"
  fi
  port=$(free_port)
  pg_data="$work/pg"; mkdir -p "$pg_data"; chown postgres "$pg_data"; chmod 700 "$pg_data"
  touch "$work/postgres.log"; chown postgres "$work/postgres.log"
  su postgres -s /bin/sh -c "$bin/initdb -D '$pg_data' -U postgres --auth=trust -E UTF8" > "$out/pg-initdb.log"
  # Durable like indelible: fsync and synchronous_commit stay on (the defaults); more shared
  # memory and a larger WAL budget, as anyone running a write-heavy table would configure.
  log "postgres: 15 on 127.0.0.1:$port (fsync=on, synchronous_commit=on)"
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$pg_data' -l '$work/postgres.log' -w -o \
    \"-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$pg_data' -c fsync=on \
      -c synchronous_commit=on -c shared_buffers=1GB -c max_wal_size=4GB -c checkpoint_timeout=15min \
      -c max_connections=100\" start" > /dev/null
  url="jdbc:postgresql://127.0.0.1:$port/postgres?user=postgres&reWriteBatchedInserts=true"
  add_target "postgres hash chain" "$java" -cp "$bench_jar" dev.indelible.bench.peer.PostgresLoad --jdbc "$url"
}

# ---------------------------------------------------------------------------------------------
# run TARGET-INDEX MODE ROUND: one measured run, recorded.
run() {
  local -n cmd="load_$1"
  local args label=${targets[$1]}
  if [ "$2" = single ]; then args=$(single_args); else args=$(batch_args); fi
  record "$label" "$2" "$3" "$("${cmd[@]}" $args $(label_args "$1") 2>>"$out/load-errors.log")"
}

# The peer drivers take a --label (echoed in their result); indelible bench does not. Labels are
# passed without spaces here and restored by record.
label_args() { [[ "${targets[$1]}" = indelible* ]] || echo "--label ${targets[$1]// /_}"; }

build
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$java" -version 2>&1 | head -1)"
for peer in $PEERS; do
  case "$peer" in
    indelible) start_indelible ;;
    indelible3) start_indelible3 ;;
    kafka1) start_kafka 1 ;;
    kafka3) start_kafka 3 ;;
    postgres) start_postgres ;;
    *) log "unknown peer $peer"; exit 2 ;;
  esac
done
for i in "${!targets[@]}"; do
  log "warming up ${targets[$i]}"
  declare -n warm="load_$i"
  "${warm[@]}" $(warmup_args batched) > /dev/null 2>>"$out/load-errors.log" || true
  "${warm[@]}" $(warmup_args single) > /dev/null 2>>"$out/load-errors.log" || true
  unset -n warm
done
# Rounds: every target runs once per round, back to back, so that the machine's (shared, noisy)
# load drifts across all of them alike; the table reports medians and per-round ratios.
for round in $(seq 1 "$ROUNDS"); do
  for mode in single batched; do
    for i in "${!targets[@]}"; do run "$i" "$mode" "$round"; done
  done
done
if [ "$PROFILE" = 1 ] && [ -n "$indelible_pid" ]; then profile_indelible; fi
python3 "$root/bench/table.py" "$results" | tee "$out/table.md"
