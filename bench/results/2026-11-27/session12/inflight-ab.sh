#!/usr/bin/env bash
# perreq.sh (one round) for builds that differ only in RaftSequencer.PROPOSALS_IN_FLIGHT_MAX (4 = head12a, 2, 1)
for jar in head12a inf2 inf1; do
  JAR=/tmp/jars/$jar.jar D=/tmp/s12/inf-$jar ROUNDS=1 /tmp/s12/perreq.sh 2>/dev/null | grep round | sed "s/^/$jar /"
done
