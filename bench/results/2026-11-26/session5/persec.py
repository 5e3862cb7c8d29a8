import csv,sys
for d in sys.argv[1:]:
    rows=list(csv.DictReader(open(d+'/half.csv')))
    by={}
    for r in rows: by.setdefault(int(float(r['due_ms'])//2000),[]).append(float(r['latency_ms']))
    print(d.split('/')[-1], ' '.join('%d:%.0f/%.0f'%(k*2,sorted(v)[len(v)//2],max(v)) for k,v in sorted(by.items())))
