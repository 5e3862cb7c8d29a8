#!/usr/bin/env bash
# ClusterProcessIT (12 kills, 6 planned stops) with and without an AOT cache, alternated.
cd /work/main; source bin/find-java.sh
for aot in true false; do
  ./mvnw -B -ntp -o verify -pl indelible-cli -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClusterProcessIT \
    -Dindelible.it.kills=12 -Dindelible.it.plannedStops=6 -Dindelible.it.aot=$aot > ${OUT:-/tmp}/it-aot-$aot.txt 2>&1
  d=$(ls -t indelible-cli/target/cluster-it | head -1)
  cp indelible-cli/target/failsafe-reports/dev.indelible.cli.ClusterProcessIT-output.txt ${OUT:-/tmp}/it-aot-$aot-output.txt
  cp -r indelible-cli/target/cluster-it/$d ${OUT:-/tmp}/it-aot-$aot-logs
done
