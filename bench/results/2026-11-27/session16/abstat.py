import sys,re,collections
# per build: throughput per round, leader non-JIT ticks, followers non-JIT ticks, JIT ticks (all nodes), per 350k events
cur=None; d=collections.defaultdict(lambda: collections.defaultdict(list))
for l in open(sys.argv[1]):
    m=re.match(r'=== (\S+) pair',l)
    if m: cur=m.group(1); continue
    m=re.match(r'round (\d+) .*throughput ([\d,]+)',l)
    if m: rnd=int(m.group(1)); d[cur]['tput'].append(int(m.group(2).replace(',',''))); continue
    if 'ticks' in l:
        lead=fol=jit=0
        for part in l.split('|'):
            m=re.search(r'n\d(\*?) (\d+) ticks, JIT (\d+)',part)
            star,t,j=m.group(1),int(m.group(2)),int(m.group(3))
            jit+=j
            if star: lead+=t-j
            else: fol+=t-j
        d[cur]['lead'].append(lead); d[cur]['fol'].append(fol); d[cur]['jit'].append(jit)
mean=lambda x: sum(x)/len(x) if x else 0
for k,v in d.items():
    print(f"{k}: runs {len(v['tput'])}, events/s mean {mean(v['tput']):,.0f} (min {min(v['tput']):,} max {max(v['tput']):,}); per 350k events: leader non-JIT ticks {mean(v['lead']):.0f}, followers non-JIT {mean(v['fol']):.0f}, JIT all nodes {mean(v['jit']):.0f}; non-JIT µs/event {10000*(mean(v['lead'])+mean(v['fol']))/350000:.1f}")
