# Usage: TRACE=DIR python3 period.py RUN...: the period at which the worst 3 % of messages come (phase concentration R).
import os
TRACE = os.environ.get('TRACE', '.')  # the directory the patched run wrote to
import sys, glob, collections, math
for run in sys.argv[1:]:
    msgs=collections.defaultdict(list)
    for f in glob.glob(TRACE+f'/*-{run}.txt'):
        for line in open(f):
            a=line.split(); msgs[(a[0],a[1])].append((float(a[3]),float(a[4])))
    t0=min(v[0][0] for v in msgs.values())
    mean=[( (v[0][0]-t0)/1e6, sum(x[1] for x in v)/len(v)) for v in msgs.values()]
    mean.sort()
    lat=sorted(m for _,m in mean); thr=lat[int(len(lat)*.97)]
    late=[t for t,m in mean if m>thr]
    best=[]
    for i in range(100,3000):
        P=i/1000
        c=sum(math.cos(2*math.pi*t/P) for t in late); s=sum(math.sin(2*math.pi*t/P) for t in late)
        best.append((math.hypot(c,s)/len(late),P))
    best.sort(reverse=True)
    print('run',run,'late msgs',len(late),'thr ms',round(thr/1000,2),'top periods (R, P):',[(round(r,2),p) for r,p in best[:8]])
