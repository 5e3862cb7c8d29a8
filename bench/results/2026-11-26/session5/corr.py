import csv,re,datetime,sys
d=sys.argv[1]; thr=float(sys.argv[2]) if len(sys.argv)>2 else 50
rows=list(csv.DictReader(open(d+'/half.csv')))
t0=int(rows[0]['due_epoch_ms'])-float(rows[0]['due_ms'])
ev=[]  # (start, end, node, text)
for n in (1,2,3):
    for line in open(f'{d}/n{n}.gc'):
        m=re.match(r'\[(\S+)\]\[(\S+)s\]\s*(.*)',line)
        if not m or 'Pause' not in line: continue
        mm=re.search(r'(\d+\.\d+)ms$',line.strip())
        if not mm: continue
        t=datetime.datetime.fromisoformat(m.group(1).replace('+0000','+00:00')).timestamp()*1000-t0
        p=float(mm.group(1)); ev.append((t-p,t,n,'GC %.1fms %s'%(p,m.group(3)[7:40])))
    for line in open(f'{d}/n{n}.log'):
        try: t=datetime.datetime.fromisoformat(line[:24].replace('Z','+00:00')).timestamp()*1000-t0
        except Exception: continue
        txt=line[25:].strip()
        if 'Rolling segment' in txt or 'snapshot' in txt.lower() or 'WARN' in txt or 'ERROR' in txt: ev.append((t,t,n,txt[:90]))
slow=[r for r in rows if float(r['latency_ms'])>thr]
hit=0
for r in slow:
    a=float(r['due_ms']); b=a+float(r['latency_ms'])
    ov=[(n,txt) for s,e,n,txt in ev if s<=b and e>=a-30]
    if ov: hit+=1
    print('#%s due %.0f lat %s:'%(r['request'],a,r['latency_ms']), '; '.join('n%d %s'%o for o in ov))
print(f'{len(slow)} requests > {thr} ms, {hit} overlap an event (from 30 ms before due)')
