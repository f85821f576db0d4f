from math import sqrt
from statistics import NormalDist
from math import gamma, lgamma, exp, log, pi
class norm:
    sf = staticmethod(lambda x: 1 - NormalDist().cdf(x))
z = NormalDist().inv_cdf(0.975)
class tdist:
    @staticmethod
    def ppf(p, df):
        # Simpson integration of Student's density from 0, bisection on the quantile
        c = exp(lgamma((df+1)/2) - lgamma(df/2)) / sqrt(df*pi)
        f = lambda x: c * (1 + x*x/df) ** (-(df+1)/2)
        def cdf(x, m=4000):
            h = x/m; s = f(0) + f(x)
            for i in range(1, m):
                s += (4 if i % 2 else 2) * f(i*h)
            return 0.5 + s*h/3
        lo, hi = 0.0, 10.0
        for _ in range(60):
            mid = (lo+hi)/2
            if cdf(mid) < p: lo = mid
            else: hi = mid
        return (lo+hi)/2
def wilson(k, n):
    p = k/n; c = (p + z*z/(2*n))/(1+z*z/n); h = z*sqrt(p*(1-p)/n + z*z/(4*n*n))/(1+z*z/n)
    return (0.0 if k == 0 else c-h, 1.0 if k == n else c+h)
def newcombe(k1,n1,k0,n0):
    p1,p0=k1/n1,k0/n0; l1,u1=wilson(k1,n1); l0,u0=wilson(k0,n0); d=p1-p0
    return (d-sqrt((p1-l1)**2+(u0-p0)**2), d+sqrt((u1-p1)**2+(p0-l0)**2))
def twoprop(k1,n1,k2,n2):
    p=(k1+k2)/(n1+n2); se=sqrt(p*(1-p)*(1/n1+1/n2)); zz=(k1/n1-k2/n2)/se; return 2*norm.sf(abs(zz))
def bh(ps):
    n=len(ps); order=sorted(range(n), key=lambda i: ps[i]); q=[0]*n; m=1.0
    for r in range(n-1,-1,-1):
        i=order[r]; m=min(m, ps[i]*n/(r+1)); q[i]=m
    return q
r6=lambda x: round(x,6)
# channel table, this week: (n, accepted); the week before
cur = {"chat": (200,120), "email": (100,30), "phone": (40,22), "(none)": (35,14), "other": (25,9)}
prev = {"chat": (200,118), "email": (100,55), "other": (10,5)}
N = sum(v[0] for v in cur.values()); K = sum(v[1] for v in cur.values())
print("team", N, K)
tp = {s: twoprop(k, n, K-k, N-n) for s,(n,k) in cur.items()}
tq = dict(zip(tp, bh(list(tp.values()))))
cp = {s: twoprop(cur[s][1], cur[s][0], prev[s][1], prev[s][0]) for s in prev}
cq = dict(zip(cp, bh(list(cp.values()))))
for s,(n,k) in cur.items():
    print(s, "acc", r6(k/n), "ci", [r6(x) for x in wilson(k,n)], "rest", N-n, r6((K-k)/(N-n)),
          "team d", r6(k/n-(K-k)/(N-n)), "team ci", [r6(x) for x in newcombe(k,n,K-k,N-n)],
          "p", r6(tp[s]), "q", r6(tq[s]))
    if s in prev:
        n0,k0 = prev[s]
        print("   change", r6(k/n-k0/n0), [r6(x) for x in newcombe(k,n,k0,n0)], "p", r6(cp[s]), "q", r6(cq[s]))
# chat: light edits 20/30 vs 16/32; use 150/200 vs 150/200
print("light", r6(20/30), [r6(x) for x in wilson(20,30)], "chg", [r6(x) for x in newcombe(20,30,16,32)])
# chat confidences: 100 x 0.6 + 100 x 0.8 this week, 100 x 0.5 + 100 x 0.7 before
import statistics as st
a=[0.6]*100+[0.8]*100; b=[0.5]*100+[0.7]*100
m1,v1=st.mean(a),st.variance(a); m0,v0=st.mean(b),st.variance(b)
se=sqrt(v1/200+v0/200); df=se**4/((v1/200)**2/199+(v0/200)**2/199)
print("mean", m1, "var", v1, "ci", [r6(m1-tdist.ppf(0.975,199)*sqrt(v1/200)), r6(m1+tdist.ppf(0.975,199)*sqrt(v1/200))])
print("welch", r6(m1-m0), [r6(m1-m0-tdist.ppf(0.975,df)*se), r6(m1-m0+tdist.ppf(0.975,df)*se)], "df", round(df,2))
# ECE: bin 6: 100 at 0.6, 60 accepted; bin 8: 100 at 0.8, 60 accepted
l,u = wilson(60,100)
print("wilson 60/100", l, u)
lo = 0.5*0 + 0.5*(0.8-u); hi = 0.5*max(0.6-l, u-0.6) + 0.5*(0.8-l)
print("ece 0.1 range", r6(lo), r6(hi))
# agent a1: everything: 195/400 vs 310 prev: 118+55+5 = 178
print("agent", r6(195/400-178/310), [r6(x) for x in newcombe(195,400,178,310)], r6(twoprop(195,400,178,310)))
