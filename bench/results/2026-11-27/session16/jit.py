import json,sys,collections,datetime
d=json.load(open(sys.argv[1]))['recording']['events']
def t(e): return datetime.datetime.fromisoformat(e['values']['startTime'].replace('Z','+00:00')).timestamp()
t0=min(t(e) for e in d)
comp=[e for e in d if e['type']=='jdk.Compilation']; deo=[e for e in d if e['type']=='jdk.Deoptimization']
def dur(e):
    s=e['values']['duration']; # ISO 8601 PT..S
    return float(s[2:-1]) if s.endswith('S') and 'M' not in s else 0
def meth(m): return m['type']['name']+'.'+m['name']
b=collections.defaultdict(lambda:[0,0.0,0,0])
for e in comp:
    k=int((t(e)-t0)//20)*20; v=e['values']
    if v['compileLevel']==4: b[k][0]+=1; b[k][1]+=dur(e)
for e in deo:
    k=int((t(e)-t0)//20)*20; b[k][2]+=1
print("sec  C2-compiles  C2-seconds  deopts")
for k in sorted(b): print(k, b[k][0], round(b[k][1],1), b[k][2])
late=[e for e in comp if t(e)-t0>150 and e['values']['compileLevel']==4]
late.sort(key=dur,reverse=True)
print("late C2 by duration:")
for e in late[:25]: v=e['values']; print(round(dur(e),3), int(t(e)-t0), meth(v['method']), v.get('codeSize'), 'osr' if v.get('isOsr') else '')
r=collections.Counter((e['values']['reason'],e['values']['action']) for e in deo if t(e)-t0>150)
print("late deopt reasons:", r.most_common(10))
m=collections.Counter(meth(e['values']['method']) for e in deo if t(e)-t0>150)
print("late deopt methods:", m.most_common(15))
