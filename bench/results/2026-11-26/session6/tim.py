import re,sys
D=sys.argv[1]
h0=int(open(D+'/half.start').read()); h1=int(open(D+'/half.end').read())
def pct(v,p): v=sorted(v); return v[min(len(v)-1,int(len(v)*p))] if v else -1
def show(n,v): print('  %-10s n=%4d p50 %6.1f p90 %6.1f p99 %6.1f max %6.1f'%(n,len(v),pct(v,.5),pct(v,.9),pct(v,.99),max(v) if v else -1))
for node in (1,2,3):
    t=[];r=[];cw=[];ap=[]
    for l in open(f'{D}/n{node}.log'):
        m=re.search(r'TIMING (\d+) parse=(\d+) prep=(\d+) append=(\d+)',l)
        if m and h0<=int(m.group(1))<=h1: t.append([int(x)/1000 for x in m.groups()[1:]])
        m=re.search(r'RAFT (\d+) bytes=(\d+) send=(\d+)',l)
        if m and h0<=int(m.group(1))<=h1 and int(m.group(2))>100000: r.append(int(m.group(3))/1000)
        m=re.search(r'APPLY (\d+) idx=(\d+) bytes=(\d+) commitwait=(-?\d+) apply=(\d+)',l)
        if m and h0<=int(m.group(1))<=h1 and int(m.group(3))>100000:
            if int(m.group(4))>=0: cw.append(int(m.group(4))/1000)
            ap.append(int(m.group(5))/1000)
    print('n%d'%node)
    if t:
        for i,n in enumerate(['parse','prep','append']): show(n,[x[i] for x in t])
    show('raftsend',r); show('commitwait',cw); show('apply',ap)
