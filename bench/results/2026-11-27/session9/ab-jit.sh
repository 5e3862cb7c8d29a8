#!/bin/bash
# alternate JIT configurations, prof.sh (NOJFR), head9.jar
cd /tmp/perf9
export JAR=/tmp/jars/head9.jar NOJFR=1 D=/tmp/perf9/prof
for r in 1 2 3; do
  OPTS="" ./prof.sh plain-r$r
  OPTS="-XX:TieredStopAtLevel=1" ./prof.sh c1-r$r
  OPTS="-XX:-TieredCompilation" ./prof.sh c2only-r$r
done
