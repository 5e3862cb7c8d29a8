#!/bin/bash
# JIT configurations alternated at half rate: session 8's prof.sh (no JFR), one fresh cluster per run, jar head9.jar (a3fce28).
# (prof.sh's leader lookup was made to retry after start-up churn in session 9: its first run here had found no leader.)
cd "$(dirname "$0")/../2026-11-26/session8"
export JAR=/tmp/jars/head9.jar NOJFR=1 D=/tmp/perf9/prof
for r in 1 2 3; do
  OPTS="" ./prof.sh plain-r$r
  OPTS="-XX:TieredStopAtLevel=1" ./prof.sh c1-r$r
  OPTS="-XX:-TieredCompilation" ./prof.sh c2only-r$r
done
