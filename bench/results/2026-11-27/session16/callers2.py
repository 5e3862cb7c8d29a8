import sys,re,collections
target=sys.argv[1]; depth=int(sys.argv[2]) if len(sys.argv)>2 else 3; c=collections.Counter(); frames=[]; inst=False
for raw in sys.stdin:
    l=raw.strip()
    if l.startswith("stackTrace = ["): inst=True; frames=[]
    elif inst and l=="]":
        inst=False
        idx=[k for k,f in enumerate(frames) if target in f]
        if idx:
            i=idx[0]
            callers=[f.split('(')[0] for f in frames[i+1:] if 'dev.indelible' in f and target not in f][:depth]
            c[' <- '.join(callers)]+=1
    elif inst:
        frames.append(re.sub(r'\s+line:.*','',l))
for k,v in c.most_common(12): print(v,k)
