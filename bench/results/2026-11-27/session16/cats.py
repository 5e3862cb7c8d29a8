import sys,re,collections
rules=[('Zstd.compress','zstd compress'),('Zstd.decompress','zstd decompress'),('ZstdDecompress','zstd decompress'),('LeafHasher','leaf hash'),('Rfc9162.nodeHash','node hash'),
('JsonCanonicalizer','canonicalize'),('EventParser','parse'),('CanonicalReader','parse'),('EnvelopeWriter','envelope'),('StrictUtf8','utf8 check'),('Ed25519','ed25519'),('FileSegmentStore','segment append'),
('FileHashStore','hash rows'),('HashRow','hash rows'),('Command.decode','command decode'),('Command.expand','command decode'),('Command.getAppend','command decode'),('Command.entryBytes','command encode'),('Command.put','command encode'),
('RecentIds','client ids'),('ObjectNode.serialize','reply json'),('LogRoutes','http route'),('jetty','jetty'),('javalin','javalin'),('SegmentedRaftLog','raft log'),('grpc','grpc/netty'),('netty','grpc/netty'),('ratis','ratis other'),('dev.indelible','indelible other')]
c=collections.Counter(); n=0; frames=[]; inst=False
for raw in sys.stdin:
    l=raw.strip()
    if l.startswith("stackTrace = ["): inst=True; frames=[]
    elif inst and l=="]":
        inst=False; n+=1
        cat='other: '+(frames[0].split('(')[0] if frames else '?')
        for f in frames:
            m=[cc for p,cc in rules if p in f]
            if m: cat=m[0]; break
        c[cat]+=1
    elif inst: frames.append(l)
print(n,'samples')
oth=sum(v for k,v in c.items() if k.startswith('other:'))
for k,v in c.most_common():
    if not k.startswith('other:'): print(f"{100*v/n:5.1f}% {k}")
print(f"{100*oth/n:5.1f}% other (jdk etc.)")
for k,v in c.most_common(60):
    if k.startswith('other:') and v>2: print(f"      {100*v/n:5.1f}% {k}")
