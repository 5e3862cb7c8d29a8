#!/usr/bin/env python3
"""thrframes.py REGEX [DEPTH] < (jfr print --stack-depth 40 --events jdk.ExecutionSample X.jfr): the
execution samples of threads whose name matches REGEX, by top frame (self) and anywhere on the stack (inclusive)."""
import sys,re,collections
pat=sys.argv[1]; depth=int(sys.argv[2]) if len(sys.argv)>2 else 1
selfc=collections.Counter(); incl=collections.Counter(); n=0
frames=[]; thread=None; inst=False
def flush():
    global n
    if thread and re.search(pat,thread) and frames:
        n+=1; selfc[frames[0]]+=1
        for f in set(frames): incl[f]+=1
for l in sys.stdin:
    s=l.strip()
    if s.startswith("jdk.ExecutionSample"): frames=[]; thread=None; inst=False
    elif s.startswith("sampledThread"): m=re.search(r'"([^"]*)"',s); thread=m.group(1) if m else "?"
    elif s.startswith("stackTrace = ["): inst=True
    elif inst and s=="]": inst=False; flush()
    elif inst and s and not s.startswith("..."): frames.append(re.sub(r"\s+line:.*","",s))
print("samples",n)
print("-- self"); [print("%5.1f%% %s"%(100*v/n,k)) for k,v in selfc.most_common(15)]
print("-- inclusive"); [print("%5.1f%% %s"%(100*v/n,k)) for k,v in incl.most_common(40)]
