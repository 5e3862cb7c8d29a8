#!/bin/bash
# usage: knob2.sh ROUNDS "label:JOPTS"...  same jar ($JAR), alternated; rest and half-rate latency + servers' CPU and GC during each
set -u
JAR=${JAR:-/tmp/perf/exp.jar}
JB=/usr/lib/jvm/temurin-25-jdk-amd64/bin
D=/tmp/perf/kdata
ROUNDS=$1; shift
bench() { $JB/java -jar $JAR bench --url http://127.0.0.1:18301 --size 500 "$@"; }
ticks() { local t=0; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
gcs() { local y=0 c=0; for p in "$@"; do read -r a b < <($JB/jstat -gc $p | tail -1 | awk '{print $(NF-6), $(NF-2)}'); y=$((y+a)); c=$((c+b)); done; echo "$y $c"; }
for r in $(seq 1 $ROUNDS); do
 for cfg in "$@"; do
  label=${cfg%%:*}; opts=${cfg#*:}
  rm -rf $D; mkdir -p $D
  $JB/java -jar $JAR keys generate --name perf.example --out $D/cluster.key >/dev/null
  pids=()
  for i in 1 2 3; do
    $JB/java -Xmx1g -XX:+ExitOnOutOfMemoryError $opts -jar $JAR server --node-id n$i --cluster n1=127.0.0.1:19201,n2=127.0.0.1:19202,n3=127.0.0.1:19203 \
      --listen 127.0.0.1:1830$i --data $D/d$i --log-key $D/cluster.key --auth off --rate-limit 0 > $D/n$i.log 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 90); do curl -sf http://127.0.0.1:18301/v1/cluster 2>/dev/null | grep -q '"leader":"n' && break; sleep 1; done
  leader=$(curl -s http://127.0.0.1:18301/v1/cluster | grep -o '"leader":"n[0-9]"' | grep -o 'n[0-9]')
  for w in $(seq 1 ${WARM:-3}); do bench --log warm --events 300000 --batch 1000 --concurrency 8 >/dev/null 2>&1; done
  t0=$(ticks "${pids[@]}"); read -r y0 c0 < <(gcs "${pids[@]}")
  bench --log rest --events 40000 --batch 1000 --concurrency 8 --rate 2000 > $D/rest.txt 2>&1
  t1=$(ticks "${pids[@]}"); read -r y1 c1 < <(gcs "${pids[@]}")
  bench --log half --events ${HALF:-250000} --batch 1000 --concurrency 8 --rate 25000 > $D/half.txt 2>&1
  t2=$(ticks "${pids[@]}"); read -r y2 c2 < <(gcs "${pids[@]}")
  bench --log full --events 300000 --batch 1000 --concurrency 8 > $D/full.txt 2>&1
  t3=$(ticks "${pids[@]}"); read -r y3 c3 < <(gcs "${pids[@]}")
  echo "r$r $label leader=$leader full: $(grep -E throughput $D/full.txt | tr -s ' ' | cut -d' ' -f2-3) | cpu $(( (t3-t2)*10 ))ms ygc $((y3-y2)) cgc $((c3-c2))"
  echo "r$r $label leader=$leader rest: $(grep -E latency $D/rest.txt | tr -s ' ' | cut -d' ' -f3-10) | cpu $(( (t1-t0)*10 ))ms ygc $((y1-y0)) cgc $((c1-c0))"
  echo "r$r $label leader=$leader half: $(grep -E latency $D/half.txt | tr -s ' ' | cut -d' ' -f3-10) | cpu $(( (t2-t1)*10 ))ms ygc $((y2-y1)) cgc $((c2-c1))"
  for p in "${pids[@]}"; do kill $p; done; for p in "${pids[@]}"; do wait $p 2>/dev/null; done
 done
done
rm -rf $D
