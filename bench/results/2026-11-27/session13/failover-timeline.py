import re, sys, glob, datetime as dt
run = sys.argv[1]; out = sys.argv[2]
def ts(s): return dt.datetime.fromisoformat(s.replace('Z','+00:00')).timestamp()
kills=[]
for line in open(out, errors='replace'):
    m = re.match(r'(\S+Z) kill (\d+) of n(\d): (\d+) ms to the first acknowledged append via n(\d)', line)
    if m:
        end = ts(m.group(1)); ms = int(m.group(4))
        kills.append((int(m.group(2)), int(m.group(3)), end - ms/1000, ms))
events=[]
for f in glob.glob(run + '/n*/server.log'):
    node = f.split('/')[-2]
    for line in open(f, errors='replace'):
        m = re.match(r'(\S+Z) ', line)
        if not m: continue
        if 'change to CANDIDATE' in line:
            e = re.search(r'lastRpcElapsedTime:(\d+)ms, electionTimeout:(\d+)ms', line)
            events.append((ts(m.group(1)), node, 'candidate', e.group(1)+'/'+e.group(2) if e else ''))
        elif 'CANDIDATE to LEADER' in line:
            events.append((ts(m.group(1)), node, 'leader', ''))
        elif 'change Leader from null to' in line and 'becomeLeader' in line:
            events.append((ts(m.group(1)), node, 'state', ''))
        elif 'LeaderStateImpl is ready' in line:
            events.append((ts(m.group(1)), node, 'ready', ''))
        elif 'CANDIDATE to FOLLOWER' in line:
            events.append((ts(m.group(1)), node, 'lost', ''))
events.sort()
for k, victim, t0, ms in kills:
    ev = [(round((t-t0)*1000), n, what, x) for t, n, what, x in events if t0 <= t <= t0 + ms/1000 + 0.5 and n != 'n%d' % victim]
    print('kill %d (n%d) %d ms:' % (k, victim, ms), ' '.join('%s@%d%s%s' % (what, t, n, ('(' + x + ')') if x else '') for t, n, what, x in ev))
