#!/usr/bin/env python3
"""Prints bench/compare.sh's results (JSON lines) as a Markdown table with indelible's ratio to
each peer (indelible's runs averaged): batched = our events/s / the peer's (>1: we are faster); single-event = the peer's p99 /
our p99 at the same offered rate (>1: our tail latency is lower)."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
# indelible may run more than once (first and last, to expose drift): compare with the mean.
ours = {}
for mode in ("single", "batched"):
    runs = [r["result"] for r in rows if r["peer"] == "indelible" and r["mode"] == mode]
    if runs:
        ours[mode] = {"eventsPerSecond": sum(x["eventsPerSecond"] for x in runs) / len(runs),
                      "latencyMs": {"p99": sum(x["latencyMs"]["p99"] for x in runs) / len(runs)}}

def lat(r, p):
    v = r.get("latencyMs", {}).get(p)
    return f"{v:.2f}" if isinstance(v, (int, float)) else "-"

print("| peer | mode | events/s | p50 ms | p99 ms | p99.9 ms | max ms | indelible advantage |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    res, mode = r["result"], r["mode"]
    ratio = ""
    mine = ours.get(mode)
    if r["peer"] != "indelible" and mine:
        try:
            if mode == "batched":
                ratio = f"{mine['eventsPerSecond'] / res['eventsPerSecond']:.2f}x events/s"
            else:
                ratio = f"{res['latencyMs']['p99'] / mine['latencyMs']['p99']:.2f}x lower p99"
        except (KeyError, ZeroDivisionError, TypeError):
            ratio = "-"
    failed = f" ({res.get('failed')} failed)" if res.get("failed") else ""
    if mode == "single" and res.get("rate") and res.get("eventsPerSecond", 0) < 0.95 * res["rate"]:
        failed += f" saturated: {res['rate']:,.0f}/s offered"

    print(f"| {r['peer']} | {mode} | {res.get('eventsPerSecond', 0):,.0f}{failed} | {lat(res, 'p50')} | "
          f"{lat(res, 'p99')} | {lat(res, 'p999')} | {lat(res, 'max')} | {ratio} |")
print("| indelible, 3 nodes | single, batched | n/a: not implemented yet (replication on Ratis is in progress) | | | | | |")
