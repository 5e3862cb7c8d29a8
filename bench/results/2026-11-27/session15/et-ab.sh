#!/usr/bin/env bash
# ClusterProcessIT (12 kills, 6 planned stops) with election timeouts 150 and 200 ms, alternated.
cd /work/main; source bin/find-java.sh
for et in 150 200 150; do
  ./mvnw -B -ntp -o verify -pl indelible-cli -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClusterProcessIT \
    -Dindelible.it.kills=12 -Dindelible.it.plannedStops=6 -Dindelible.it.electionTimeoutMillis=$et > ${OUT:-/tmp}/it-et$et-$(date +%H%M).txt 2>&1
  d=$(ls -t indelible-cli/target/cluster-it | head -1)
  cp indelible-cli/target/failsafe-reports/dev.indelible.cli.ClusterProcessIT-output.txt ${OUT:-/tmp}/it-et$et-$d-output.txt
  cp -r indelible-cli/target/cluster-it/$d ${OUT:-/tmp}/it-et$et-$d-logs
done
