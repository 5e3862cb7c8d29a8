import csv,sys,collections
for f in sys.argv[1:]:
    rows=list(csv.DictReader(open(f)))
    c=collections.Counter()
    lat=sorted(float(r['latency_ms']) for r in rows); thr=lat[int(len(lat)*0.95)]
    for r in rows:
        if float(r['latency_ms'])>=thr: c[int(float(r['due_ms'])%1000)//100]+=1
    hot=c.most_common(1)[0][0]
    rest=sorted(float(r['latency_ms']) for r in rows if int(float(r['due_ms'])%1000)//100 not in (hot,))
    def p(v,q): return v[min(len(v)-1,int(len(v)*q))]
    print(f.split('/')[-2], 'all p50 %.1f p99 %.1f | without phase %d00: p99 %.1f (n=%d)'%(p(lat,.5),p(lat,.99),hot,p(rest,.99),len(rest)))
