#!/usr/bin/env bash
# one jar: its AOT cache, the cache without its training profiles, no cache; alternated
jar=$1
for r in $(seq ${AB_ROUNDS:-1}); do
  for mode in aot noreplay none; do
    echo "=== $mode pair $r $(date +%H:%M:%S)"
    case $mode in
      aot) opts="-XX:AOTCache=${jar%.jar}.aot";;
      noreplay) opts="-XX:AOTCache=${jar%.jar}.aot -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining";;
      none) opts="";;
    esac
    SERVER_JAVA_OPTS="$opts" JAR=$jar ROUNDS=${ROUNDS:-6} D=/tmp/s16/ab-$mode "$(dirname "$0")/threads2.sh" 2>&1 | grep -E "^round|ticks"
  done
done
