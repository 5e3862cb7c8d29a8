import sys,collections,re,os
d=sys.argv[1]; pids=sys.argv[2:5]; leader=sys.argv[5]; verbose=os.environ.get('V')
def load(f):
    m={}
    for l in open(f):
        p,t,c,v=l.split(); m[(p,t)]=(c,int(v))
    return m
b=load(d+'/before.txt'); a=load(d+'/after.txt')
out=[]
for i,p in enumerate(pids):
    g=collections.Counter()
    for (pp,t),(c,v) in a.items():
        if pp!=p: continue
        v0=b.get((pp,t),(c,0))[1]
        name=re.sub(r'[-#]?\d+$','',c); name=re.sub(r'\d+','N',name)
        g[name]+=v-v0
    tot=sum(g.values()); comp=sum(v for k,v in g.items() if 'Compiler' in k)
    out.append(f"n{i+1}{'*' if leader==f'n{i+1}' else ''} {tot} ticks, JIT {comp} ({100*comp/max(tot,1):.0f}%)")
    if verbose:
        for k,v in g.most_common(14): print(f"   {v:6d} {100*v/max(tot,1):5.1f}% {k}")
print('   '+' | '.join(out))
