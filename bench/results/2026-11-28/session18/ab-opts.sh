#!/usr/bin/env bash
# half-cpu.sh on fresh clusters, alternating server configurations PAIRS times. Each argument is LABEL=JAR[:JAVA_OPTS]
# (JAVA_OPTS for the servers, e.g. -XX:AOTCache=FILE); the load generator is the first JAR, without options.
#   PAIRS=2 ROUNDS=2 bench/results/2026-11-28/session18/ab-opts.sh old=/tmp/a.jar:-XX:AOTCache=/tmp/a.aot new=/tmp/b.jar > ab.txt
lg=${1#*=}; lg=${lg%%:*}
for p in $(seq ${PAIRS:-2}); do
  for arg in "$@"; do
    label=${arg%%=*}; spec=${arg#*=}; jar=${spec%%:*}; opts=""; [[ $spec == *:* ]] && opts=${spec#*:}
    echo "=== $label pair $p $(date +%H:%M:%S) ($jar $opts)"
    JAR=$jar LG_JAR=$lg SERVER_JAVA_OPTS="$opts" D=/tmp/s18/ab-$label "$(dirname "$0")/half-cpu.sh" 2>&1 | grep -v "^      "
    rm -rf /tmp/s18/ab-$label
  done
done
