#!/usr/bin/env bash
# Failover pauses with and without the AOT cache made by `indelible aot-cache`, alternated:
# aot-ab.sh JAR ROUNDS (each run: session 14's handoff.sh with 5 rounds, one SIGTERM and one SIGKILL
# of the leader each). The nodes run with the launcher's JVM options (G1, 1 GB heap), as the cache
# was trained. The cache is trained once, for JAR at its path, into /tmp/aot-ab.aot.
HERE=$(cd "$(dirname "$0")" && pwd); JAR=$1; ROUNDS=${2:-2}
source /work/main/bin/find-java.sh
"$JAVA_HOME/bin/java" -jar "$JAR" aot-cache --out /tmp/aot-ab.aot --seconds 10 --base-port 18481
export HD=/tmp/handoff-ab NODE_JVM="-Xmx1g -XX:+ExitOnOutOfMemoryError -XX:G1HeapRegionSize=4m -XX:MaxGCPauseMillis=20"
for r in $(seq $ROUNDS); do
  echo "== round $r: no cache"; bash $HERE/../session14/handoff.sh "$JAR" 5 2>&1 | grep "^SIG"
  echo "== round $r: cache"; AOT_USE=/tmp/aot-ab.aot bash $HERE/../session14/handoff.sh "$JAR" 5 2>&1 | grep "^SIG"
done
