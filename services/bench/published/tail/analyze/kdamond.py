# Usage: TRACE=DIR [SHIFT=µs] python3 kdamond.py RUN...: the worst 3 % of messages against kdamond passes (DIR/kd.txt), optionally moved by SHIFT.
import os
TRACE = os.environ.get('TRACE', '.')  # the directory the patched run wrote to
import sys, glob, collections
kd=[tuple(map(float,l.split())) for l in open(TRACE+'/kd.txt')]
for run in sys.argv[1:]:
    msgs=collections.defaultdict(list)
    for f in glob.glob(TRACE+f'/*-{run}.txt'):
        for line in open(f):
            a=line.split(); msgs[(a[0],a[1])].append((float(a[3]),float(a[4])))
    sends=[v[0][0] for v in msgs.values()]; t0=min(sends); t1=max(sends)
    k=[(t,d) for t,d in kd if t0<=t<=t1+50000]
    ds=sorted(d for _,d in k)
    print('run',run,'kdamond runs in window',len(k),'cpu per run us p50 %.0f max %.0f'%(ds[len(ds)//2],ds[-1]), 'periods', [round((k[i+1][0]-k[i][0])/1e3) for i in range(min(10,len(k)-1))])
    mean=[(v[0][0], sum(x[1] for x in v)/len(v)) for v in msgs.values()]
    lat=sorted(m for _,m in mean); thr=lat[int(len(lat)*.97)]
    # a message is 'near' a kdamond run if the run was observed (ended) within [sent, sent+latency+2ms] (probe granularity ~1ms)
    SH=float(__import__("os").environ.get("SHIFT","0"))
    def near(s,l): return any(s - 1000 <= t+SH - d and t+SH - d - 3000 <= s + l for t,d in k)
    late=[(s,m) for s,m in mean if m>thr]; ok=[(s,m) for s,m in mean if m<=thr]
    print(' p97 of message mean latency %.2f ms; late msgs near kdamond %.2f, others %.2f'%(thr/1000, sum(near(s,m) for s,m in late)/len(late), sum(near(s,m) for s,m in ok)/len(ok)))
    # deliveries-level: p99 with and without messages near kdamond
    allrows=[(v[0][0],x[1]) for v in msgs.values() for x in v]
    nears={s for s,m in mean if near(s,m)}
    a=sorted(l for s,l in allrows if s not in nears); b=sorted(l for s,l in allrows)
    print(' delivery p99 all %.2f ms; excluding messages near a kdamond run (%.1f%% of msgs) %.2f ms'%(b[int(len(b)*.99)]/1000, 100*len(nears)/len(mean), a[int(len(a)*.99)]/1000))
