#!/bin/bash
# samples /proc/diskstats for vda every 100 ms: epoch_ms, writes completed, sectors written, ms writing, in-flight, discards completed, sectors discarded, ms discarding, flushes, ms flushing
while true; do
  echo "$(date +%s%3N) $(awk '$3=="vda"{print $8, $10, $11, $12, $15, $17, $18, $19, $20}' /proc/diskstats)"
  sleep 0.1
done
