# Usage: python3 kdamond-probe.py SECONDS OUT_FILE KDAMOND_PID: when the kdamond thread ran (monotonic µs, CPU µs), polled every ms.
import time, sys, os
os.nice(-15)
pid=sys.argv[3]
t_end=time.monotonic()+float(sys.argv[1]); out=open(sys.argv[2],'w')
f=open(f'/proc/{pid}/schedstat')
def rt():
    f.seek(0); return int(f.read().split()[0])
prev=rt()
while time.monotonic()<t_end:
    time.sleep(0.001)
    r=rt()
    if r!=prev:
        out.write(f'{time.monotonic()*1e6} {(r-prev)/1000}\n'); prev=r
out.close()
