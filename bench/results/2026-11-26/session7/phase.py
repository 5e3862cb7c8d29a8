import csv,sys,collections
for f in sys.argv[1:]:
    rows=list(csv.DictReader(open(f)))
    lat=sorted(float(r['latency_ms']) for r in rows); thr=lat[int(len(lat)*0.95)]
    slow=[r for r in rows if float(r['latency_ms'])>=thr]
    c=collections.Counter(int(float(r['due_ms'])%1000)//100*100 for r in slow)
    allc=collections.Counter(int(float(r['due_ms'])%1000)//100*100 for r in rows)
    print(f.split('/')[-2], 'p95=%.1f'%thr, ' '.join('%d:%d/%d'%(k,c[k],allc[k]) for k in sorted(allc)))
