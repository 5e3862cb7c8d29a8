#!/usr/bin/env python3
"""Summarizes `jfr print --events jdk.ExecutionSample` (stdin): the share of CPU samples per thread
group, and the methods with the most samples, self (top frame) and inclusive (anywhere on the
stack), so that time can be attributed to pipeline phases. Used by bench/compare.sh."""
import collections
import re
import sys

samples = 0
threads = collections.Counter()
self_counts = collections.Counter()
incl_counts = collections.Counter()
frames, thread, in_stack = [], None, False
for raw in sys.stdin:
    line = raw.strip()
    if line.startswith("jdk.ExecutionSample"):
        frames, thread, in_stack = [], None, False
    elif line.startswith("sampledThread"):
        m = re.search(r'"([^"]*)"', line)
        name = m.group(1) if m else "?"
        thread = re.sub(r"[-#]?\d+$", "", name) or name
    elif line.startswith("stackTrace = ["):
        in_stack = True
    elif in_stack and line == "]":
        in_stack = False
        if frames:
            samples += 1
            threads[thread] += 1
            self_counts[frames[0]] += 1
            for f in set(frames):
                incl_counts[f] += 1
    elif in_stack and line != "...":
        frames.append(re.sub(r"\s+line:.*$", "", line))

def show(title, counter, n):
    print(f"\n{title}")
    for name, count in counter.most_common(n):
        print(f"{100.0 * count / max(1, samples):6.1f}%  {name}")

print(f"{samples} execution samples")
show("threads (by name, numbers stripped)", threads, 12)
show("self (top frame)", self_counts, 30)
show("inclusive (on the stack)", incl_counts, 60)
