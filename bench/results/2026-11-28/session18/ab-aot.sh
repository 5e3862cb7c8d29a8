#!/usr/bin/env bash
# half-cpu.sh on fresh clusters of one jar, alternating servers without and with the AOT cache ($AOT, made by
# `java -jar JAR aot-cache --out AOT`), PAIRS times; the load generator runs without it in both.
#   JAR=/tmp/jars/head18.jar AOT=/tmp/jars/head18.aot PAIRS=2 ROUNDS=2 bench/results/2026-11-28/session18/ab-aot.sh > ab-aot.txt
for p in $(seq ${PAIRS:-2}); do
  for mode in plain aot; do
    echo "=== $mode pair $p $(date +%H:%M:%S)"
    opts=""; [ $mode = aot ] && opts="-XX:AOTCache=$AOT"
    SERVER_JAVA_OPTS="$opts" D=/tmp/s18/ab-$mode "$(dirname "$0")/half-cpu.sh" 2>&1 | grep -v "^      "
    rm -rf /tmp/s18/ab-$mode
  done
done
