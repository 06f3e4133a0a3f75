# Usage: TRACE=DIR python3 stages.py: where chat messages of run 3 spent their time (DIR/chat-alt-*.txt from the replicas).
import os
TRACE = os.environ.get('TRACE', '.')  # the directory the patched run wrote to
import glob, collections
run=3
gen=collections.defaultdict(list)
for f in glob.glob(TRACE+f'/*-{run}.txt'):
    for line in open(f):
        a=line.split(); gen[(int(float(a[0])),int(float(a[1])),round(float(a[3])))].append((int(float(a[2])),float(a[4])))
stage=collections.defaultdict(dict)
for f in glob.glob(TRACE+'/chat-alt-*.txt'):
    rep=f.split('/')[-1].split('-')[2]
    for line in open(f):
        k,key,sent,hr=line.split(); key=int(float(key)); sent=round(float(sent))
        s=(key//1000000, key%1000000, sent)
        d=stage[s]; kind=int(float(k))
        v=float(hr)-float(sent)
        if kind==1: d['P']=v
        else: d.setdefault(kind,{})[rep]=v
rows=[]
for k,v in gen.items():
    st=stage.get(k)
    if not st or 'P' not in st or 2 not in st or 3 not in st or len(st[2])<3: continue
    mean=sum(l for _,l in v)/len(v); mn=min(l for _,l in v); mx=max(l for _,l in v)
    rows.append(dict(P=st['P'], D=max(st[2].values()), Dmin=min(st[2].values()), F=max(st[3].values()), mean=mean, mn=mn, mx=mx))
print('matched messages',len(rows),'of',len(gen))
def pct(xs,p): xs=sorted(xs); return xs[min(len(xs)-1,int(len(xs)*p))]/1000
for name in ['P','Dmin','D','F','mn','mean','mx']:
    xs=[r[name] for r in rows]
    print(f'{name:5s} p50 {pct(xs,.5):6.2f} p90 {pct(xs,.9):6.2f} p99 {pct(xs,.99):6.2f} ms')
thr=sorted(r['mean'] for r in rows)[int(len(rows)*.97)]
late=[r for r in rows if r['mean']>thr]
print('late (mean > %.2f ms): %d'%(thr/1000,len(late)))
for name in ['P','Dmin','D','F','mn','mean','mx']:
    xs=[r[name] for r in late]
    print(f' late {name:5s} p10 {pct(xs,.1):6.2f} p50 {pct(xs,.5):6.2f} p90 {pct(xs,.9):6.2f}')
# decomposition of late: ingress (P), P->Dmin (redis + subscriber wakeup), Dmin->D (replica skew), D->F (fan-out), F->mean (client)
import statistics
for lbl,f in [('ingress P',lambda r:r['P']),('P->Dmin',lambda r:r['Dmin']-r['P']),('Dmin->Dmax',lambda r:r['D']-r['Dmin']),('Dmax->Fmax',lambda r:r['F']-r['D']),('Fmax->mean',lambda r:r['mean']-r['F'])]:
    print(f' {lbl:12s} all median {statistics.median(f(r) for r in rows)/1000:6.2f}  late median {statistics.median(f(r) for r in late)/1000:6.2f} ms')
