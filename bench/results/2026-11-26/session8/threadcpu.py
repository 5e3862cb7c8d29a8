#!/usr/bin/env python3
"""threadcpu.py < (jfr print --events jdk.ThreadCPULoad X.jfr): each Java thread's share of the process's
sampled CPU load (user + system, summed over JFR's periodic samples), thread names without ids/digits."""
import collections, re, sys
c = collections.Counter(); cur = {}
for l in sys.stdin:
    l = l.strip()
    m = re.match(r"(user|system) = ([\d.]+)%", l)
    if m:
        cur[m.group(1)] = float(m.group(2))
    m = re.match(r'eventThread = "(.*)" \(', l)
    if m:
        name = re.sub(r"[0-9A-F]{12}", "G", m.group(1)); name = re.sub(r"\d+$", "#", name)
        c[name] += cur.get("user", 0) + cur.get("system", 0); cur = {}
tot = sum(c.values())
for k, v in c.most_common(18):
    print("%5.1f%%  %s" % (100 * v / tot, k))
