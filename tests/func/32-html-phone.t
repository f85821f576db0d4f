#!/usr/bin/python3
"""32-html-phone.t - the weekly page and the archive index on a 390 px phone
and a 1280 px desktop, in headless Chromium with a real viewport
(tests/lib/chromium.py): a full-page screenshot at each width; nothing wider
than the viewport (the page does not scroll sideways and no element's right
edge is past the viewport's, counting what a scroll box would hide as
sticking out); below 600 px every table of several columns is a list of
cards whose lines are labelled with their column's header, and a reply runs
across its card; chart text is at least 11 CSS px on the phone and inside
its chart; no console message; long words and links break rather than
widen the page. A control shows the width check catches an element that
sticks out."""
import json
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import taplib as t  # noqa: E402
import chromium  # noqa: E402

if not chromium.EXE:
    t.ok(False, "chromium installed (deps/debian-test.txt)")
    sys.exit(t.done())

tmp = t.tmpdir()
out = os.path.join(tmp, "out")
sample = json.load(open(os.path.join(t.ROOT, "tests", "fixtures", "report-sample.json"), encoding="utf-8"))
for week in ("2026-W46", "2026-W47"):
    os.makedirs(os.path.join(out, week))
    with open(os.path.join(out, week, "report.json"), "w", encoding="utf-8") as f:
        json.dump(dict(sample, week=week), f)
env = {"AIDIGEST_TEMPLATES": os.path.join(t.ROOT, "templates"), "AIDIGEST_RETRAIN_URL": ""}
for week in ("2026-W46", "2026-W47"):
    r = t.run(["render", "--week", week, "--out", out, "--only", "html"], env=env, cwd=tmp)
    t.is_(r.returncode, 0, "render " + week)

# Long words and links (a pasted URL, a string without spaces) in every
# kind of text: they break rather than widen the page.
longout = os.path.join(tmp, "long")
os.makedirs(os.path.join(longout, "2026-W47"))
lw = json.loads(json.dumps(sample))
lw["top_accepted"][0]["reply"] = "See https://example.com/" + "x" * 200
lw["top_rejected"][0]["reply"] = "Z" * 150
lw["top_rejected"][0]["top_replacement_text"] = lw["top_rejected"][0]["top_replacement"] = "W" * 150
lw["trends"]["rising"][0]["term"] = "t" * 80
lw["narrative"]["summary"] = "S" * 300
lw["narrative"]["coach_notes"] = ["C" * 200]
with open(os.path.join(longout, "2026-W47", "report.json"), "w", encoding="utf-8") as f:
    json.dump(lw, f)
r = t.run(["render", "--week", "2026-W47", "--out", longout, "--only", "html"], env=env, cwd=tmp)
t.is_(r.returncode, 0, "render a week with long words")

# Everything measured in the page, as one JSON value.
PROBE = r"""(function (W) {
  var out = {};
  function name(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    var c = el.getAttribute('class');
    if (c) s += '.' + c.trim().split(/\s+/).join('.');
    return s;
  }
  function shown(el) { var r = el.getBoundingClientRect(); return r.width > 0 || r.height > 0; }
  out.innerWidth = window.innerWidth;
  out.scrollWidth = document.documentElement.scrollWidth;
  out.scrollHeight = document.documentElement.scrollHeight;
  // right edges, clipped only by what hides for good (overflow hidden or
  // clip, as the visually hidden header rows and the SVG viewport do); a
  // scroll box's content counts as sticking out
  // (text too: a long word overflows its box without widening it)
  out.wide = [];
  function clipped(el, right) {
    for (var a = el; a; a = a.parentElement) {
      var ox = getComputedStyle(a).overflowX;
      if (a !== el && (ox === 'hidden' || ox === 'clip')) right = Math.min(right, a.getBoundingClientRect().right);
    }
    return right;
  }
  document.querySelectorAll('body *').forEach(function (el) {
    if (!shown(el)) return;
    var right = clipped(el, el.getBoundingClientRect().right);
    if (right > W + 0.5) out.wide.push(name(el) + ' right=' + right.toFixed(1));
  });
  var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), node, range = document.createRange();
  while ((node = walk.nextNode())) {
    if (!node.data.trim()) continue;
    range.selectNodeContents(node);
    var rr = range.getBoundingClientRect();
    if (!rr.width) continue;
    var right = clipped(node.parentElement, rr.right);
    if (right > W + 0.5)
      out.wide.push('text in ' + name(node.parentElement) + ' right=' + right.toFixed(1) + ': ' + node.data.trim().slice(0, 30));
  }
  // tables: header texts, row layout, the cells' labels and their ::before
  out.tables = Array.prototype.map.call(document.querySelectorAll('main table'), function (tb) {
    var heads = Array.prototype.map.call(tb.querySelectorAll('thead th'), function (th) {
      return th.textContent.trim(); });
    var rows = tb.tBodies.length ? Array.prototype.slice.call(tb.tBodies[0].rows) : [];
    var cols = heads.length || (rows.length ? rows[0].cells.length : 0);
    var t = { caption: tb.caption ? tb.caption.textContent.trim().slice(0, 40) : '',
              cards: tb.classList.contains('cards'), cols: cols,
              row_display: rows.length ? getComputedStyle(rows[0]).display : '',
              bad_labels: [], titles: [] };
    rows.forEach(function (tr) {
      Array.prototype.forEach.call(tr.cells, function (c, i) {
        if (c.tagName !== 'TD' || c.colSpan > 1 || !t.cards) return;
        var want = heads[i], before = getComputedStyle(c, '::before').content;
        if (c.dataset.label !== want)
          t.bad_labels.push('column ' + i + ': data-label ' + JSON.stringify(c.dataset.label) + ', header ' + JSON.stringify(want));
        else t.before = before;
      });
      var th = tr.querySelector('th[scope=row]');
      if (th) {
        var lh = parseFloat(getComputedStyle(th).lineHeight) || 20;
        t.titles.push({ share: th.getBoundingClientRect().width / tr.getBoundingClientRect().width,
                        lines: Math.round(th.getBoundingClientRect().height / lh) });
      }
    });
    return t;
  });
  // chart text: its size in CSS px (font size times the SVG's scale) and
  // whether it lies inside its chart
  out.charts = Array.prototype.filter.call(document.querySelectorAll('svg.chart'), shown).map(function (s) {
    return s.getAttribute('class'); });
  out.text = { n: 0, min_px: 1e9, min_box: 1e9, small: [], outside: [] };
  document.querySelectorAll('svg text').forEach(function (tx) {
    if (!shown(tx)) return;
    var svg = tx.ownerSVGElement, m = tx.getScreenCTM(), r = tx.getBoundingClientRect();
    var px = parseFloat(getComputedStyle(tx).fontSize) * Math.hypot(m.a, m.b);
    // the box across the line: its height, or its width when turned
    var box = Math.abs(m.b) > Math.abs(m.a) ? r.width : r.height, sr = svg.getBoundingClientRect();
    out.text.n++;
    out.text.min_px = Math.min(out.text.min_px, px);
    out.text.min_box = Math.min(out.text.min_box, box);
    if (px < 11 || box < 11) out.text.small.push(tx.textContent + ' ' + px.toFixed(1) + 'px');
    if (r.left < sr.left - 0.5 || r.right > sr.right + 0.5 || r.top < sr.top - 0.5 || r.bottom > sr.bottom + 0.5)
      out.text.outside.push(svg.getAttribute('class') + ': ' + tx.textContent);
  });
  return JSON.stringify(out);
})(%d)"""


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


def check(b, what, page, width):
    url = "file://" + page
    b.open(url, width)
    m = json.loads(b.eval(PROBE % width))
    png = b.screenshot()
    shot = os.path.join(tmp, "%s-%d.png" % (what, width))
    with open(shot, "wb") as f:
        f.write(png)
    t.is_(png_size(png), (width, m["scrollHeight"]), "%s at %d px: a full-page screenshot" % (what, width))
    # (a phone widens its layout viewport, innerWidth, to content that
    # sticks out, so both are compared with the screen's width)
    t.ok(m["scrollWidth"] <= width and m["innerWidth"] == width,
         "%s at %d px: the page does not scroll sideways (scrollWidth %d, innerWidth %d)"
         % (what, width, m["scrollWidth"], m["innerWidth"]))
    t.is_(m["wide"][:10], [], "%s at %d px: no element's right edge past the viewport" % (what, width))
    t.is_(b.console(), [], "%s at %d px: no console message" % (what, width))
    return m


def tables_checks(m, what, phone):
    multi = [x for x in m["tables"] if x["cols"] > 2]
    t.ok(multi and all(x["cards"] for x in multi), "%s: every table of several columns is marked for cards (%s)"
         % (what, ", ".join("%s%s" % (x["caption"], "" if x["cards"] else " NOT") for x in multi)))
    t.is_([x["bad_labels"] for x in multi if x["bad_labels"]], [],
          "%s: every cell's data-label is its column's header" % what)
    if phone:
        t.is_([x["row_display"] for x in multi if x["row_display"] == "table-row"], [],
              "%s: each row is a card (not a table row)" % what)
        t.ok(all(x.get("before", "").startswith('"') for x in multi),
             "%s: each cell shows its label before its value (%s)" % (what, multi[0].get("before")))
        titles = [ti for x in multi for ti in x["titles"]]
        t.ok(titles and min(ti["share"] for ti in titles) >= 0.75,
             "%s: a row's title (a reply, a term, a week) runs across its card (narrowest %.0f%%)"
             % (what, 100 * min((ti["share"] for ti in titles), default=0)))
    else:
        t.ok(all(x["row_display"] == "table-row" for x in multi), "%s: tables stay tables" % what)
        t.ok(all(x.get("before") in ("none", "normal") for x in multi), "%s: no labels before the cells" % what)


week = os.path.join(out, "2026-W47", "index.html")
index = os.path.join(out, "index.html")
with chromium.Browser(os.path.join(tmp, "profile")) as b:
    m = check(b, "week", week, 390)
    tables_checks(m, "week at 390 px", True)
    replies = [ti for x in m["tables"] if x["cols"] > 2 and x["caption"].startswith("The ") for ti in x["titles"]]
    t.ok(replies and max(ti["lines"] for ti in replies) <= 6,
         "week at 390 px: the longest reply takes %s lines, not one word a line"
         % (max((ti["lines"] for ti in replies), default="?"),))
    t.is_(sorted(m["charts"]), ["chart chart-hist chart-narrow", "chart chart-line chart-narrow", "chart chart-rel"],
          "week at 390 px: the narrow charts show")
    t.ok(m["text"]["n"] > 40 and not m["text"]["small"],
         "week at 390 px: all %d chart texts are 11 px or more (smallest %.1f px, box %.1f px) %s"
         % (m["text"]["n"], m["text"]["min_px"], m["text"]["min_box"], m["text"]["small"][:5]))
    t.is_(m["text"]["outside"], [], "week at 390 px: every chart text inside its chart")

    # a common small Android width: still nothing wider, still 11 px
    b.open("file://" + week, 360)
    m = json.loads(b.eval(PROBE % 360))
    t.ok(m["scrollWidth"] <= 360 and not m["wide"] and not m["text"]["small"],
         "week at 360 px: nothing wider than the screen, chart text %.1f px or more %s"
         % (m["text"]["min_px"], (m["wide"] + m["text"]["small"])[:5]))

    m = check(b, "week", week, 1280)
    tables_checks(m, "week at 1280 px", False)
    t.is_(sorted(m["charts"]), ["chart chart-hist chart-wide", "chart chart-line chart-wide", "chart chart-rel"],
          "week at 1280 px: the wide charts show")
    t.ok(m["text"]["n"] > 40 and m["text"]["min_px"] >= 11,
         "week at 1280 px: chart text is %.1f px or more" % m["text"]["min_px"])
    t.is_(m["text"]["outside"], [], "week at 1280 px: every chart text inside its chart")

    for w in (390, 1280):
        check(b, "long words", os.path.join(longout, "2026-W47", "index.html"), w)

    m = check(b, "index", index, 390)
    tables_checks(m, "index at 390 px", True)
    m = check(b, "index", index, 1280)
    tables_checks(m, "index at 1280 px", False)

    # Control: the width check sees an element that sticks out.
    b.open("file://" + week, 390)
    b.eval("document.querySelector('#h-used').insertAdjacentHTML('afterend', "
           "'<div id=\"too-wide\" style=\"width: 420px\">x</div>')")
    c = json.loads(b.eval(PROBE % 390))
    t.ok(any(w.startswith("div#too-wide") for w in c["wide"]),
         "control: a 420 px element on the 390 px page is caught (%s)" % c["wide"][:2])

if os.environ.get("AIDIGEST_KEEP_SHOTS"):
    for f in os.listdir(tmp):
        if f.endswith(".png"):
            shutil.copy(os.path.join(tmp, f), os.environ["AIDIGEST_KEEP_SHOTS"])

sys.exit(t.done())
