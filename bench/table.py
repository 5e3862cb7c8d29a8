#!/usr/bin/env python3
"""Prints bench/compare.sh's results (JSON lines, several rounds) as a Markdown table: per peer and
mode the median events/s (with the range over rounds) and median latency percentiles, and
indelible's advantage (three-node indelible against Kafka RF=3 when both ran, else one node), the median over rounds of the per-round ratio (rounds run back to back, so a
ratio compares runs made under similar machine load): batched = our events/s / the peer's (>1: we
are faster); single-event = the peer's p99 / our p99 at the same offered rate (>1: our tail
latency is lower)."""
import json
import statistics
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["peer"], r["mode"]), []).append(r)

def med(runs, f):
    values = [f(r["result"]) for r in runs]
    values = [v for v in values if isinstance(v, (int, float))]
    return statistics.median(values) if values else None

def fmt(v, spec=".2f"):
    return "-" if v is None else format(v, spec)

def us(peer):
    """Replicated peers compare with three-node indelible when it ran, the others with one node."""
    if peer.startswith("kafka-3") and any(p == "indelible-3" for p, _ in groups):
        return "indelible-3"
    return "indelible"

def advantage(peer_runs, mode, us):
    ours = {r["round"]: r["result"] for r in groups.get((us, mode), [])}
    ratios = []
    for r in peer_runs:
        mine = ours.get(r["round"])
        try:
            if mode == "batched":
                ratios.append(mine["eventsPerSecond"] / r["result"]["eventsPerSecond"])
            else:
                ratios.append(r["result"]["latencyMs"]["p99"] / mine["latencyMs"]["p99"])
        except (KeyError, TypeError, ZeroDivisionError):
            pass
    if not ratios:
        return ""
    what = "events/s" if mode == "batched" else "lower p99"
    return f"{statistics.median(ratios):.2f}x {what} ({min(ratios):.2f}-{max(ratios):.2f})"

print("| peer | mode | events/s (median, range) | p50 ms | p99 ms | p99.9 ms | indelible advantage (median, range) |")
print("|---|---|---:|---:|---:|---:|---:|")
for mode in ("single", "batched"):
    for (peer, m), runs in groups.items():
        if m != mode:
            continue
        eps = [r["result"].get("eventsPerSecond", 0) for r in runs]
        note = ""
        rate = runs[0]["result"].get("rate")
        if mode == "single" and rate and statistics.median(eps) < 0.95 * rate:
            note = f" (saturated: {rate:,.0f}/s offered)"
        if any(r["result"].get("failed") for r in runs):
            note += " (failures)"
        print(f"| {peer} | {mode} | {statistics.median(eps):,.0f} ({min(eps):,.0f}-{max(eps):,.0f}){note} | "
              f"{fmt(med(runs, lambda x: x['latencyMs'].get('p50')))} | "
              f"{fmt(med(runs, lambda x: x['latencyMs'].get('p99')))} | "
              f"{fmt(med(runs, lambda x: x['latencyMs'].get('p999')))} | "
              f"{'' if peer.startswith('indelible') else advantage(runs, mode, us(peer))} |")
if not any(p == "indelible-3" for p, _ in groups):
    print("| indelible, 3 nodes | single, batched | not measured | | | | |")
