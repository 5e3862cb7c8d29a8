#!/bin/bash
# applyab.sh JAR... : per JAR, a 3-node cluster (c3.sh), 900k warm-up, then 500k events at 25k/s; apply-thread time per node
cd /tmp/perf
B="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar /tmp/async.jar bench"
for jar in "$@"; do
  JAR=$jar JFRDELAY=3600s ./c3.sh start >/dev/null
  for w in 1 2 3; do $B --url http://127.0.0.1:18301 --log c3 --events 300000 --batch 1000 --size 500 --concurrency 8 >/dev/null 2>&1; done
  for i in 1 2 3; do wc -l < data/n$i.log; done > lines0
  lat=$($B --url http://127.0.0.1:18301 --log c3 --events 500000 --batch 1000 --size 500 --concurrency 8 --rate 25000 2>&1 | grep latency | tr -s ' ')
  ./c3.sh stop
  echo "== $(basename $jar): $lat"
  python3 - <<'PY'
import re
lines0=[int(x) for x in open('/tmp/perf/lines0').read().split()]
for i in range(3):
    L=open(f'/tmp/perf/data/n{i+1}.log').read().splitlines()[lines0[i]:]
    big=[];small=[]
    for l in L:
        m=re.match(r'TIMING T (\d+) applied idx=(\d+) took=([\d.]+) size=(\d+)',l)
        if m:
            (big if int(m.group(4))>100000 else small).append(float(m.group(3)))
    out=[]
    for name,v in (('appends',big),('seal/cosign',small)):
        v.sort()
        if v: out.append(f"{name} {len(v)}: p50 {v[len(v)//2]:.2f} p99 {v[int(len(v)*.99)]:.2f} max {v[-1]:.2f} sum {sum(v):.0f} ms")
    print(f"  n{i+1} " + " | ".join(out))
PY
  rm -rf /tmp/perf/data
done
