import re,sys,datetime
for d in sys.argv[1:]:
    s=int(open(d+'/half.start').read()); e=int(open(d+'/half.end').read())
    out=[]
    for n in (1,2,3):
        cnt={'Young':0,'Mixed':0,'Remark':0}; tot=0
        for line in open(f'{d}/n{n}.gc'):
            m=re.match(r'\[([^\]]+)\]',line)
            if not m or 'Pause' not in line: continue
            t=datetime.datetime.fromisoformat(m.group(1).replace('+0000','+00:00')).timestamp()*1000
            if not s<=t<=e: continue
            mm=re.search(r'(\d+\.\d+)ms$',line.strip()); tot+=float(mm.group(1)) if mm else 0
            for k in cnt:
                if k in line: cnt[k]+=1
        out.append(f"n{n} {tot:.0f}ms y{cnt['Young']} m{cnt['Mixed']} r{cnt['Remark']}")
    print(d.split('/')[-1], ' | '.join(out))
