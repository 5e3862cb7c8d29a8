import csv,re,sys,datetime
for d in sys.argv[1:]:
    rows=list(csv.DictReader(open(d+'/half.csv')))
    s=min(int(r['due_epoch_ms']) for r in rows); e=max(int(r['due_epoch_ms'])+float(r['latency_ms']) for r in rows)
    out=[]
    for n in (1,2,3):
        tot=0;c=0;mx=0;cyc=0
        for line in open(f'{d}/n{n}.gc'):
            m=re.match(r'\[([^\]]+)\]',line)
            if not m: continue
            t=datetime.datetime.fromisoformat(m.group(1).replace('+0000','+00:00')).timestamp()*1000
            if not s<=t<=e: continue
            if 'Concurrent Mark Cycle' in line and 'ms' in line: cyc+=1
            if 'Pause' not in line: continue
            mm=re.search(r'(\d+\.\d+)ms$',line.strip())
            if mm: v=float(mm.group(1)); tot+=v; c+=1; mx=max(mx,v)
        out.append(f"n{n} {c} pauses {tot:.0f} ms max {mx:.1f} cycles {cyc}")
    print(d.split('/')[-1], f"{(e-s)/1000:.1f}s |", ' | '.join(out))
