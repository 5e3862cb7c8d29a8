#!/usr/bin/env python3
"""threads.py DIR [LEADER] -- CPU ticks (1/100 s) per node and thread group over prof.sh's half-rate run
(DIR/ticks0 -> ticks1; a thread that appeared in between counts from zero). Thread names lose their digits."""
import collections, re, sys
d = sys.argv[1]
def read(f):
    out = {}
    for line in open(f):
        node, name, t = line.split()
        out.setdefault((node, name), []).append(int(t))
    return out
# threads keep their order within a name, so pair them by position (a rough but adequate match)
t0, t1 = read(d + "/ticks0"), read(d + "/ticks1")
groups = collections.Counter()
nodes = collections.Counter()
for key, after in t1.items():
    before = t0.get(key, [])
    before = sorted(before) + [0] * (len(after) - len(before))
    delta = sum(after) - sum(before[:len(after)])
    g = re.sub(r"[-_#]?\d+", "", key[1])
    groups[(key[0], g)] += max(delta, 0)
    nodes[key[0]] += max(delta, 0)
total = sum(nodes.values())
print("total ticks %d: %s" % (total, ", ".join("%s %d" % kv for kv in sorted(nodes.items()))))
for (node, g), t in sorted(groups.items(), key=lambda kv: -kv[1]):
    if t >= total * 0.005:
        print("%-4s %-32s %6d  %5.1f %%" % (node, g, t, 100.0 * t / total))
