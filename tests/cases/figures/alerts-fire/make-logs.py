import json, sys
X = "Please restart your router and wait ten minutes before trying again."
Y2 = "Your refund has been declined, because the order is older than thirty days!"
Y = "Your refund has been declined because the order is older than thirty days."
def week(prefix, day0, n_acc, n_x, n_y, n_ign, conf):
    out = []
    i = 0
    def add(reply, action):
        nonlocal i
        i += 1
        d = day0 + (i % 7)
        out.append({"type": "suggestion", "id": "%s%03d" % (prefix, i),
                    "ts": "2026-11-%02dT10:%02d:00Z" % (d, i % 60),
                    "prompt_id": "billing", "ai_reply": reply, "action": action, "confidence": conf})
    for _ in range(n_acc): add("Thanks, your ticket is updated.", "accepted")
    for _ in range(n_x): add(X, "rejected")
    for _ in range(n_y): add(Y if prefix == "a" else Y2, "rejected")
    for _ in range(n_ign): add("Thanks, your ticket is updated.", "ignored")
    return out
which = sys.argv[1]
if which == "w46":
    rows = week("a", 9, 160, 0, 20, 20, 0.9)
else:
    rows = week("b", 16, 80, 20, 20, 80, 0.2)
for r in rows:
    print(json.dumps(r))
