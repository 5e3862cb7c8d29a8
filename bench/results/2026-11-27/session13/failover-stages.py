"""Per-stage medians of failover-timeline.py's lines (failover-a-*.txt, failover-b-*.txt): python3 failover-stages.py FILE..."""
import re, statistics as st, sys

for f in sys.argv[1:]:
    rows = []
    for line in open(f):
        m = re.match(r'kill (\d+) \(n\d\) (\d+) ms: (.*)', line)
        if not m:
            continue
        events = m.group(3).split()

        def at(kind, pick):
            times = [int(re.match(kind + r'@(\d+)', e).group(1)) for e in events if e.startswith(kind + '@')]
            return pick(times)

        total = int(m.group(2))
        candidate = at('candidate', min)
        leader, state, ready = at('leader', max), at('state', max), at('ready', max)
        rows.append((total, candidate, leader - candidate, state - leader, ready - state, total - ready,
                     'lost@' in m.group(3)))
    print(f)
    names = ['total', 'kill->candidate', 'candidate->leader', 'leader->state', 'state->ready', 'ready->ack']
    for i, name in enumerate(names):
        values = [r[i] for r in rows]
        print('  %-18s median %5d  min %5d  max %5d' % (name, st.median(values), min(values), max(values)))
    print('  kills with a lost election:', sum(r[6] for r in rows), 'of', len(rows))
