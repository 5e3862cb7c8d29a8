#!/usr/bin/env bash
# perreq.sh (one round) alternating the JVM's default JIT thresholds with -XX:CompileThresholdScaling=$S
for r in 1 2; do
  D=/tmp/s12/ab-default-$r ROUNDS=1 /tmp/s12/perreq.sh 2>/dev/null | grep round | sed "s/^/default  r$r /"
  D=/tmp/s12/ab-scaled-$r ROUNDS=1 OPTS="-XX:CompileThresholdScaling=${S:-3}" /tmp/s12/perreq.sh 2>/dev/null | grep round | sed "s/^/scaled$S r$r /"
done
