/* test_tmpl.c - the template engine, both modes (docs/templates.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "tap.h"
#include "common/tmpl/tmpl.h"

static char dir[256];

static void wfile(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        exit(2);
    }
    fputs(text, fp);
    fclose(fp);
}

/* The constructors and setters, failing the whole test when out of memory
 * (the unit tests are not about that). */
static void bail(const char *what)
{
    printf("Bail out! %s failed\n", what);
    exit(2);
}

static tmpl_engine *new_engine(tmpl_mode mode)
{
    tmpl_engine *e = NULL;
    aid_errbuf eb;
    if (tmpl_engine_new(&e, dir, mode, &eb) != AID_OK)
        bail("tmpl_engine_new");
    return e;
}

static tmpl_vars *new_vars(void)
{
    tmpl_vars *v = NULL;
    if (tmpl_vars_new(&v) != AID_OK)
        bail("tmpl_vars_new");
    return v;
}

static void set(tmpl_vars *v, const char *name, const char *value)
{
    if (tmpl_vars_set(v, name, value) < 0)
        bail("tmpl_vars_set");
}

static void setf(tmpl_vars *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void setf(tmpl_vars *v, const char *name, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    set(v, name, buf);
}

static tmpl_vars *row(tmpl_vars *v, const char *loop)
{
    tmpl_vars *r = tmpl_vars_add_row(v, loop);
    if (!r)
        bail("tmpl_vars_add_row");
    return r;
}

/* Render text (written as file `name`) in a fresh engine of `mode`;
 * returns the output (static) or "ERR:<message>", and the compat messages
 * into msgs when given. */
static char result[8192];

static const char *run_mode(tmpl_mode mode, const char *name, const char *text, const tmpl_vars *v,
                            char *msgs, size_t msgsz)
{
    if (text)
        wfile(name, text);
    tmpl_engine *e = new_engine(mode);
    FILE *err = tmpfile();
    tmpl_engine_set_errout(e, err);
    strbuf out = STRBUF_INIT;
    strbuf_adds(&out, "");
    aid_errbuf eb;
    memset(&eb, 0, sizeof eb);
    aid_err rc = tmpl_render(e, name, v, &out, &eb);
    if (rc && mode == TMPL_SAFE)
        snprintf(result, sizeof result, "ERR:%s%s", eb.msg, out.len ? " (and output!)" : "");
    else if (rc)
        snprintf(result, sizeof result, "ERR:%s", out.buf);
    else
        snprintf(result, sizeof result, "%s", out.buf);
    if (msgs) {
        rewind(err);
        size_t n = fread(msgs, 1, msgsz - 1, err);
        msgs[n] = '\0';
    }
    fclose(err);
    strbuf_release(&out);
    tmpl_engine_free(e);
    return result;
}

static const char *safe(const char *text, const tmpl_vars *v)
{
    return run_mode(TMPL_SAFE, "t.tmpl", text, v, NULL, 0);
}

static char msgs[4096];
static const char *compat(const char *text, const tmpl_vars *v)
{
    return run_mode(TMPL_COMPAT, "t.tmpl", text, v, msgs, sizeof msgs);
}

static int pct(const char *value, strbuf *out, void *ctx)
{
    char *end;
    double d = strtod(value, &end);
    if (end == value || *end)
        return -1;
    strbuf_addf(out, "%.1f%s", d * 100, (const char *)ctx);
    return 0;
}

/* A format whose every call is out of memory. */
static int oom_fmt(const char *value, strbuf *out, void *ctx)
{
    (void)value, (void)out, (void)ctx;
    return TMPL_FMT_NOMEM;
}

static void test_basics(void)
{
    tmpl_vars *v = new_vars();
    set(v, "title", "Weekly <digest> & \"more\" 'x'");
    set(v, "empty", "");
    set(v, "zero", "0");
    set(v, "dup", "first");
    set(v, "dup", "second");
    ok(tmpl_vars_setf(v, "n", "%d items", 3) == 0, "setf");

    is_str(safe("plain text\n", v), "plain text\n", "text is copied");
    is_str(safe("<TMPL_VAR name=\"title\">", v),
           "Weekly &lt;digest&gt; &amp; &quot;more&quot; &#39;x&#39;", "VAR is HTML-escaped");
    is_str(safe("<tmpl_var NAME='title' escape=none>", v), "Weekly <digest> & \"more\" 'x'",
           "tag and attribute names are case-insensitive; escape=none");
    is_str(safe("[<TMPL_VAR name=missing>][<TMPL_VAR name=missing default=\"dflt\">]", v),
           "[][dflt]", "missing VAR prints nothing or its default");
    is_str(safe("[<TMPL_VAR name=empty default=x>]", v), "[]", "empty VAR prints nothing, no default");
    is_str(safe("<TMPL_VAR name=dup>", v), "second", "the last value set wins");
    is_str(safe("<TMPL_VAR name=n/>", v), "3 items", "setf, and VAR may end in />");
    is_str(safe("<!-- TMPL_VAR name=n -->|<!--TMPL_VAR name=\"n\"-->", v), "3 items|3 items",
           "comment-form tags");
    is_str(safe("<TMPL_VAR\n  name = \"n\"\n>", v), "3 items", "spaces and line ends inside a tag");
    is_str(safe("<!-- TMPL_VAR name=n--><!--TMPL_IF name=n-->y<!--/TMPL_IF-->", v), "3 itemsy",
           "safe: an unquoted value stops before -->");
    is_str(safe("<TMPL_VAR name=Title>", v), "", "variable names are case-sensitive");
    tmpl_vars_free(v);
}

static void test_escapes(void)
{
    tmpl_vars *v = new_vars();
    set(v, "s", "a b&c/d?é<'\"\\\n");
    set(v, "bad", "x\xff" "y\xe2\x80\xa8z");
    is_str(safe("<TMPL_VAR name=s escape=url>", v), "a%20b%26c%2Fd%3F%C3%A9%3C%27%22%5C%0A",
           "escape=url");
    is_str(safe("<TMPL_VAR name=s escape=js>", v),
           "a b\\u0026c/d?é\\u003c\\u0027\\\"\\\\\\n", "escape=js");
    is_str(safe("<TMPL_VAR name=s escape=json>", v), "a b\\u0026c/d?é\\u003c'\\\"\\\\\\n",
           "escape=json");
    is_str(safe("<TMPL_VAR name=bad escape=json>", v), "x\\ufffdy\\u2028z",
           "escape=json replaces invalid UTF-8 and escapes U+2028");
    is_str(safe("<TMPL_VAR name=s escape=HTML>", v), "a b&amp;c/d?é&lt;&#39;&quot;\\\n",
           "escape=html explicitly");
    is_str(safe("<TMPL_VAR name=s escape=xml>", v),
           "ERR:t.tmpl:1: TMPL_VAR: unknown escape \"xml\" (html, url, js, json, none)",
           "unknown escape is an error");
    tmpl_vars_free(v);
}

static void test_fmt(void)
{
    tmpl_vars *v = new_vars();
    set(v, "r", "0.256");
    set(v, "bad", "n/a");
    wfile("f.tmpl", "<TMPL_VAR name=r fmt=pct>|<TMPL_VAR name=r fmt=\"pct\" escape=none>|"
                    "<TMPL_VAR name=nope default=\"0.5\" fmt=pct>");
    tmpl_engine *e = new_engine(TMPL_SAFE);
    ok(tmpl_engine_add_fmt(e, "pct", pct, "<%>") == 0, "a format registers");
    strbuf out = STRBUF_INIT;
    aid_errbuf eb;
    ok(tmpl_render(e, "f.tmpl", v, &out, &eb) == AID_OK, "fmt renders");
    is_str(out.buf, "25.6&lt;%&gt;|25.6<%>|50.0&lt;%&gt;",
           "fmt runs before escaping, and on the default");
    wfile("g.tmpl", "x<TMPL_VAR name=bad fmt=pct>y");
    strbuf_reset(&out);
    strbuf_adds(&out, "keep");
    ok(tmpl_render(e, "g.tmpl", v, &out, &eb) == AID_ERR_TEMPLATE, "a failing fmt fails the render");
    is_str(eb.msg, "g.tmpl:1: fmt \"pct\" cannot format \"n/a\"", "the failure names file:line");
    is_str(out.buf, "keep", "out is left as it was");
    ok(tmpl_engine_add_fmt(e, "oom", oom_fmt, NULL) == 0, "a second format registers");
    wfile("h.tmpl", "<TMPL_VAR name=r fmt=oom>|<TMPL_VAR name=r fmt=oom escape=none>");
    ok(tmpl_render(e, "h.tmpl", v, &out, &eb) == AID_ERR_NOMEM,
       "a fmt out of memory fails the render with AID_ERR_NOMEM");
    wfile("h.tmpl", "<TMPL_VAR name=r fmt=oom escape=none>");
    ok(tmpl_render(e, "h.tmpl", v, &out, &eb) == AID_ERR_NOMEM, "also without escaping");
    strbuf_release(&out);
    tmpl_engine_free(e);
    is_str(safe("<TMPL_VAR name=r fmt=nosuch>", v), "ERR:t.tmpl:1: TMPL_VAR: unknown fmt \"nosuch\"",
           "an unknown fmt is an error");
    is_str(safe("<TMPL_VAR name=r fmt=entity>", v), "ERR:t.tmpl:1: TMPL_VAR: unknown fmt \"entity\"",
           "entity is compat-only");
    tmpl_vars_free(v);
}

static void test_if(void)
{
    tmpl_vars *v = new_vars();
    set(v, "a", "yes");
    set(v, "zero", "0");
    set(v, "empty", "");
    row(v, "L");
    const char *t = "<TMPL_IF name=a>A</TMPL_IF><TMPL_IF name=zero>Z</TMPL_IF>"
                    "<TMPL_IF name=empty>E</TMPL_IF><TMPL_IF name=none>N</TMPL_IF>"
                    "<TMPL_IF name=L>L</TMPL_IF>";
    is_str(safe(t, v), "AZL", "IF truth: non-empty (even \"0\") or a loop");
    is_str(safe("<TMPL_IF name=a value=yes>1</TMPL_IF><TMPL_IF name=a value=Yes>2</TMPL_IF>"
                "<TMPL_IF name=none value=\"\">3</TMPL_IF><TMPL_IF name=empty value=''>4</TMPL_IF>"
                "<TMPL_IF name=L value=\"\">5</TMPL_IF><TMPL_IF name=a value=\"\">6</TMPL_IF>", v),
           "134", "IF value= compares exactly; value=\"\" is true for missing/empty, no loop");
    is_str(safe("<TMPL_IF name=none>1<TMPL_ELSIF name=empty>2<TMPL_ELSIF name=a value=yes/>3"
                "<TMPL_ELSIF name=a>4<TMPL_ELSE>5</TMPL_IF>", v),
           "3", "ELSIF chain: the first true branch");
    is_str(safe("<TMPL_IF name=none>1<TMPL_ELSE/>2</TMPL_IF>", v), "2", "ELSE");
    is_str(safe("<TMPL_UNLESS name=none>U<TMPL_ELSE>x</TMPL_UNLESS>"
                "<TMPL_UNLESS name=a>1<TMPL_ELSE>2</TMPL_UNLESS>", v), "U2", "UNLESS and its ELSE");
    tmpl_vars *w = new_vars();
    set(w, "x", "");
    row(w, "x");
    is_str(safe("<TMPL_IF name=x>T<TMPL_ELSE>F</TMPL_IF>", w), "F",
           "an existing empty variable decides before a loop of the same name");
    tmpl_vars_free(w);
    tmpl_vars_free(v);
}

static void test_loops(void)
{
    tmpl_vars *v = new_vars();
    set(v, "outer", "O");
    set(v, "name", "top");
    const char *names[] = { "a", "b", "c", "d" };
    for (int i = 0; i < 4; i++) {
        tmpl_vars *r = row(v, "rows");
        set(r, "name", names[i]);
        for (int j = 0; j < 3; j++) {
            tmpl_vars *in = row(r, "inner");
            setf(in, "k", "%d", j);
        }
    }
    row(v, "other");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_VAR name=name><TMPL_VAR name=outer>,</TMPL_LOOP>"
                "<TMPL_VAR name=name>", v),
           "aO,bO,cO,dO,top", "LOOP renders rows in order; inner names hide outer ones");
    is_str(safe("<TMPL_LOOP name=missing>x</TMPL_LOOP><TMPL_LOOP name=outer>x</TMPL_LOOP>.", v), ".",
           "a missing loop (or a simple var of that name) renders nothing");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_VAR name=\"__counter__\">"
                "<TMPL_IF name=\"__first__\">F</TMPL_IF><TMPL_IF name=\"__last__\">L</TMPL_IF>"
                "<TMPL_IF name=\"__odd__\">o</TMPL_IF><TMPL_IF name=\"__inner__\">i</TMPL_IF> </TMPL_LOOP>",
                v),
           "1Fo 2i 3oi 4L ", "loop variables __counter__ __first__ __last__ __odd__ __inner__");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_LOOP name=inner><TMPL_VAR name=\"__counter__\"></TMPL_LOOP>"
                "<TMPL_VAR name=\"__counter__\">;</TMPL_LOOP>[<TMPL_VAR name=\"__counter__\">]", v),
           "1231;1232;1233;1234;[]", "loop variables belong to the innermost loop");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_VAR name=name><TMPL_IF name=name value=b>"
                "<TMPL_BREAK></TMPL_IF>-</TMPL_LOOP>", v),
           "a-b", "BREAK");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_IF name=name value=b><TMPL_CONTINUE/></TMPL_IF>"
                "<TMPL_VAR name=name></TMPL_LOOP>", v),
           "acd", "CONTINUE");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_VAR name=name><TMPL_LOOP name=inner>"
                "<TMPL_IF name=k value=1><TMPL_BREAK level=2></TMPL_IF><TMPL_VAR name=k>"
                "</TMPL_LOOP>!</TMPL_LOOP>", v),
           "a0", "BREAK level=2 leaves both loops");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_VAR name=name><TMPL_LOOP name=inner>"
                "<TMPL_IF name=k value=1><TMPL_CONTINUE level=\"2\"></TMPL_IF><TMPL_VAR name=k>"
                "</TMPL_LOOP>!</TMPL_LOOP>", v),
           "a0b0c0d0", "CONTINUE level=2 goes to the next outer pass");
    is_str(safe("<TMPL_LOOP name=rows><TMPL_LOOP name=other>[<TMPL_VAR name=name>]</TMPL_LOOP>"
                "</TMPL_LOOP>", v),
           "[top][top][top][top]",
           "a loop's rows see the list that holds the loop, not the caller's row");
    tmpl_vars_free(v);
}

static void test_text_rules(void)
{
    tmpl_vars *v = new_vars();
    set(v, "x", "X");
    is_str(safe("a<* comment <TMPL_VAR name=x>\nline *>b", v), "ab", "comments are removed");
    is_str(safe("a<* one *><* two *>b<* <* not nested *>c", v), "abc", "comments do not nest");
    is_str(safe("one \\\ntwo\\\r\nthree", v), "one twothree", "backslash-newline removes both");
    is_str(safe("keep\\\\\nnext", v), "keep\\\nnext", "\\\\ before a line end prints one backslash");
    is_str(safe("a\\b \\\\c\\", v), "a\\b \\\\c\\", "other backslashes are literal");
    is_str(safe("*> stray", v), "*> stray", "a *> alone is text");
    is_str(safe("a\nb <* never closed\nc", v), "ERR:t.tmpl:2: comment <* has no *>",
           "an unterminated comment is an error with its line");
    is_str(safe("<TMPLVAR x> <TMPL> <!-- TMPLx --> <!-- note -->", v),
           "<TMPLVAR x> <TMPL> <!-- TMPLx --> <!-- note -->", "things that are not tags are text");
    tmpl_vars_free(v);
}

static void test_safe_errors(void)
{
    struct { const char *text, *want, *desc; } c[] = {
        { "a\n<TMPL_VAR name=x foo=1>", "t.tmpl:2: TMPL_VAR: unknown attribute \"foo\"",
          "unknown attribute" },
        { "<TMPL_VAR name=x name=y>", "t.tmpl:1: TMPL_VAR: duplicate attribute \"name\"",
          "duplicate attribute" },
        { "<TMPL_VAR default=x>", "t.tmpl:1: TMPL_VAR: missing required attribute name",
          "missing name" },
        { "<TMPL_LOOP>x</TMPL_LOOP>", "t.tmpl:1: TMPL_LOOP: missing required attribute name",
          "LOOP without name" },
        { "<TMPL_INCLUDE>", "t.tmpl:1: TMPL_INCLUDE: missing required attribute name",
          "INCLUDE without name" },
        { "\n\n<TMPL_IF name=a>x", "t.tmpl:3: TMPL_IF has no /TMPL_IF", "unclosed IF" },
        { "<TMPL_LOOP name=a>x", "t.tmpl:1: TMPL_LOOP has no /TMPL_LOOP", "unclosed LOOP" },
        { "<TMPL_UNLESS name=a>x", "t.tmpl:1: TMPL_UNLESS has no /TMPL_UNLESS", "unclosed UNLESS" },
        { "x\n</TMPL_IF>", "t.tmpl:2: unexpected /TMPL_IF (no open TMPL_IF)", "stray /TMPL_IF" },
        { "</TMPL_LOOP>", "t.tmpl:1: unexpected /TMPL_LOOP (no open TMPL_LOOP)", "stray /TMPL_LOOP" },
        { "<TMPL_ELSE>", "t.tmpl:1: unexpected TMPL_ELSE (no open TMPL_IF)", "ELSE outside IF" },
        { "<TMPL_LOOP name=l>\n<TMPL_ELSE></TMPL_LOOP>",
          "t.tmpl:2: unexpected TMPL_ELSE inside TMPL_LOOP (line 1)", "ELSE in a LOOP" },
        { "<TMPL_IF name=a>1<TMPL_ELSE>2<TMPL_ELSIF name=b>3</TMPL_IF>",
          "t.tmpl:1: TMPL_ELSIF after TMPL_ELSE (TMPL_IF at line 1)", "ELSIF after ELSE" },
        { "<TMPL_IF name=a>1<TMPL_ELSE>2<TMPL_ELSE>3</TMPL_IF>",
          "t.tmpl:1: TMPL_ELSE after TMPL_ELSE (TMPL_IF at line 1)", "two ELSEs" },
        { "<TMPL_UNLESS name=a>1<TMPL_ELSIF name=b>2</TMPL_UNLESS>",
          "t.tmpl:1: unexpected TMPL_ELSIF inside TMPL_UNLESS (line 1)", "ELSIF in UNLESS" },
        { "<TMPL_IF name=a><TMPL_LOOP name=b></TMPL_IF></TMPL_LOOP>",
          "t.tmpl:1: unexpected /TMPL_IF inside TMPL_LOOP (line 1)", "crossed IF and LOOP" },
        { "<TMPL_BREAK>", "t.tmpl:1: TMPL_BREAK outside a loop", "BREAK outside a loop" },
        { "<TMPL_LOOP name=l><TMPL_CONTINUE level=2></TMPL_LOOP>",
          "t.tmpl:1: TMPL_CONTINUE: level=\"2\" must be between 1 and 1 (loop depth here)",
          "CONTINUE level above the depth" },
        { "<TMPL_LOOP name=l><TMPL_BREAK level=0></TMPL_LOOP>",
          "t.tmpl:1: TMPL_BREAK: level=\"0\" must be between 1 and 1 (loop depth here)",
          "BREAK level 0" },
        { "<TMPL_IF name=a/>", "t.tmpl:1: TMPL_IF cannot end with />", "IF cannot end in />" },
        { "<TMPL_FOO name=a>", "t.tmpl:1: unknown tag <TMPL_FOO>", "unknown tag" },
        { "<TMPL_VAR name=\"a\nb\">", "t.tmpl:1: TMPL_VAR: bad value for name (quote it; a quoted "
          "value ends on its line)", "a quoted value does not cross a line end" },
        { "<TMPL_VAR name=a_b>", "t.tmpl:1: malformed TMPL_VAR tag: white space expected before '_'",
          "unquoted values are letters, digits, . and - only" },
        { "<TMPL_VAR name=a", "t.tmpl:1: unterminated TMPL_VAR tag", "unterminated tag" },
        { "<TMPL_UNLESS name=a value=b>x</TMPL_UNLESS>",
          "t.tmpl:1: TMPL_UNLESS: unknown attribute \"value\"", "UNLESS has no value=" },
        { "<TMPL_ELSE x=1>", "t.tmpl:1: TMPL_ELSE: unknown attribute \"x\"", "ELSE takes nothing" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char want[600];
        snprintf(want, sizeof want, "ERR:%s", c[i].want);
        is_str(safe(c[i].text, NULL), want, "safe error: %s", c[i].desc);
    }
    /* the error leaves out untouched */
    wfile("bad.tmpl", "text<TMPL_IF name=x>");
    tmpl_engine *e = new_engine(TMPL_SAFE);
    strbuf out = STRBUF_INIT;
    strbuf_adds(&out, "before");
    aid_errbuf eb;
    is_int(tmpl_render(e, "bad.tmpl", NULL, &out, &eb), AID_ERR_TEMPLATE, "error code TEMPLATE");
    is_str(out.buf, "before", "no output on error");
    is_int(tmpl_render(e, "nosuch.tmpl", NULL, &out, &eb), AID_ERR_TEMPLATE, "missing file fails");
    ok(strstr(eb.msg, "cannot read template nosuch.tmpl") != NULL, "and says so: %s", eb.msg);
    strbuf_release(&out);
    tmpl_engine_free(e);
}

static void test_includes(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sub/deeper", dir);
    mkdir(path, 0700);
    wfile("head.tmpl", "[head <TMPL_VAR name=x>]");
    wfile("sub/a.tmpl", "A(<TMPL_INCLUDE name=\".../b.tmpl\">)");
    wfile("sub/b.tmpl", "B<TMPL_INCLUDE name=\".../deeper/c.tmpl\">");
    wfile("sub/deeper/c.tmpl", "C<TMPL_INCLUDE name='head.tmpl'/>");
    wfile("cycle.tmpl", "c<TMPL_INCLUDE name=cycle.tmpl>");
    wfile("escape.tmpl", "<TMPL_INCLUDE name=\"../outside.tmpl\">");
    wfile("abs.tmpl", "<TMPL_INCLUDE name=\"/etc/passwd\">");
    wfile("lazy.tmpl", "<TMPL_IF name=nope><TMPL_INCLUDE name=missing.tmpl></TMPL_IF>ok");
    wfile("loopinc.tmpl", "<TMPL_LOOP name=L><TMPL_INCLUDE name=row.tmpl></TMPL_LOOP>");
    wfile("row.tmpl", "<TMPL_VAR name=v><TMPL_UNLESS name=\"__last__\">,</TMPL_UNLESS>");
    wfile("brk.tmpl", "<TMPL_LOOP name=L><TMPL_INCLUDE name=brkinc.tmpl></TMPL_LOOP>");
    wfile("brkinc.tmpl", "<TMPL_BREAK>");
    wfile("badinc.tmpl", "x<TMPL_INCLUDE name=bad2.tmpl>");
    wfile("bad2.tmpl", "\n<TMPL_LOOP name=q>");
    snprintf(path, sizeof path, "%s/../tmpl-outside-%d.tmpl", dir, (int)getpid());
    FILE *fp = fopen(path, "w");
    fputs("secret", fp);
    fclose(fp);
    char link[512];
    snprintf(link, sizeof link, "%s/link.tmpl", dir);
    symlink(path, link);
    wfile("vialink.tmpl", "<TMPL_INCLUDE name=link.tmpl>");

    tmpl_vars *v = new_vars();
    set(v, "x", "<x>");
    for (int i = 1; i <= 3; i++)
        setf(row(v, "L"), "v", "%d", i);
    is_str(run_mode(TMPL_SAFE, "sub/a.tmpl", NULL, v, NULL, 0), "A(BC[head &lt;x&gt;])",
           ".../ means this template's directory; others are root-relative");
    is_str(run_mode(TMPL_SAFE, "lazy.tmpl", NULL, v, NULL, 0), "ok",
           "includes are loaded when first reached");
    is_str(run_mode(TMPL_SAFE, "loopinc.tmpl", NULL, v, NULL, 0), "1,2,3",
           "an include sees the current variables and loop variables");
    const char *r = run_mode(TMPL_SAFE, "cycle.tmpl", NULL, v, NULL, 0);
    is_str(r, "ERR:cycle.tmpl:1: include depth limit 30 exceeded (include cycle?)",
           "a cycle stops at the depth limit with an error");
    r = run_mode(TMPL_SAFE, "escape.tmpl", NULL, v, NULL, 0);
    ok(!strncmp(r, "ERR:escape.tmpl:1: template ../outside.tmpl is outside the template root", 70) ||
       !strncmp(r, "ERR:escape.tmpl:1: cannot read template ../outside.tmpl", 50),
       "an include may not leave the root with ..: %s", r);
    r = run_mode(TMPL_SAFE, "abs.tmpl", NULL, v, NULL, 0);
    is_str(r, "ERR:abs.tmpl:1: template name \"/etc/passwd\" must be relative to the template root",
           "absolute include names are refused");
    r = run_mode(TMPL_SAFE, "vialink.tmpl", NULL, v, NULL, 0);
    ok(strstr(r, "is outside the template root") != NULL, "a symlink out of the root is refused: %s",
       r);
    r = run_mode(TMPL_SAFE, "brk.tmpl", NULL, v, NULL, 0);
    is_str(r, "ERR:brkinc.tmpl:1: TMPL_BREAK outside a loop",
           "BREAK levels count loops within the same file");
    r = run_mode(TMPL_SAFE, "badinc.tmpl", NULL, v, NULL, 0);
    is_str(r, "ERR:bad2.tmpl:2: TMPL_LOOP has no /TMPL_LOOP", "errors in an include name its file");

    /* depth: a chain of 30 includes is fine, 31 is not */
    for (int i = 0; i <= 31; i++) {
        char n[32], t[64];
        snprintf(n, sizeof n, "d%d.tmpl", i);
        snprintf(t, sizeof t, "%d<TMPL_INCLUDE name=d%d.tmpl>", i, i + 1);
        wfile(n, i == 31 ? "end" : t);
    }
    r = run_mode(TMPL_SAFE, "d1.tmpl", NULL, v, NULL, 0);
    ok(!strncmp(r, "1234", 4) && strstr(r, "30end"), "30 nested includes render");
    r = run_mode(TMPL_SAFE, "d0.tmpl", NULL, v, NULL, 0);
    is_str(r, "ERR:d30.tmpl:1: include depth limit 30 exceeded (include cycle?)",
           "the 31st nested include is an error");

    /* parse once, render many: the cache */
    tmpl_engine *e = new_engine(TMPL_SAFE);
    strbuf out = STRBUF_INIT;
    aid_errbuf eb;
    ok(tmpl_render(e, "sub/a.tmpl", v, &out, &eb) == AID_OK, "include render 1");
    wfile("head.tmpl", "changed");
    ok(tmpl_render(e, "sub/a.tmpl", v, &out, &eb) == AID_OK, "include render 2");
    is_str(out.buf, "A(BC[head &lt;x&gt;])A(BC[head &lt;x&gt;])",
           "templates are parsed once and cached by name");
    strbuf_reset(&out);
    ok(tmpl_render_string(e, "sub/s.tmpl", "S<TMPL_INCLUDE name=\".../b.tmpl\">", v, &out, &eb) ==
           AID_OK, "render_string");
    is_str(out.buf, "SBC[head &lt;x&gt;]", "render_string resolves includes from its name");
    strbuf_release(&out);
    tmpl_engine_free(e);
    tmpl_vars_free(v);
    unlink(link);
    unlink(path);
}

static void test_compat(void)
{
    tmpl_vars *v = new_vars();
    set(v, "x", "<a&b>");
    set(v, "u", "a b/é");
    setf(row(v, "L"), "k", "1");
    setf(row(v, "L"), "k", "2");

    is_str(compat("<TMPL_VAR name=x>|<TMPL_VAR name=x fmt=entity>|<TMPL_VAR name=u fmt=\"url\">", v),
           "<a&b>|&lt;a&amp;b&gt;|a+b%2F%C3%A9", "compat: no escaping; fmt entity and url");
    is_str(msgs, "", "no messages");
    is_str(compat("a<TMPL_VAR name=x escape=html>b", v), "a<TMPL_VAR name=x escape=html>b",
           "compat: an unknown attribute makes the tag text");
    is_str(msgs, "Ignoring bad TMPL_VAR tag in file \"t.tmpl\" line 1\n", "... with C Template's warning");
    is_str(compat("\n<TMPL_VAR fmt=entity>", v), "\n<TMPL_VAR fmt=entity>", "missing name: text");
    is_str(msgs, "Ignoring bad TMPL_VAR tag (missing \"name=\" attribute) in file \"t.tmpl\" line 2\n",
           "missing name warning");
    is_str(compat("<TMPL_VAR name=x fmt=pct>", v), "<TMPL_VAR name=x fmt=pct>", "unknown fmt: text");
    is_str(msgs, "Ignoring bad TMPL_VAR tag (bad \"fmt=\" attribute) in file \"t.tmpl\" line 1\n",
           "bad fmt warning");
    is_str(compat("<TMPL_FOO name=x> <TMPL_UNLESS name=x>", v), "<TMPL_FOO name=x> <TMPL_UNLESS name=x>",
           "unknown TMPL_FOO and UNLESS are plain text");
    is_str(msgs, "", "... without a warning");
    is_str(compat("<TMPL_VARS name=x>", v), "<TMPL_VARS name=x>", "a longer name is a bad VAR");
    is_str(msgs, "Ignoring bad TMPL_VAR tag in file \"t.tmpl\" line 1\n", "(prefix match, as C Template)");
    is_str(compat("<!-- TMPL_VAR name=x-->", v), "<!-- TMPL_VAR name=x-->",
           "an unquoted value swallows the -- of -->");
    is_str(compat("<TMPL_BREAK>", v), "<TMPL_BREAK>", "BREAK outside a loop is text");
    is_str(msgs, "Ignoring bad TMPL_BREAK tag (not inside a loop) in file \"t.tmpl\" line 1\n",
           "BREAK warning");
    is_str(compat("<TMPL_LOOP name=L><TMPL_BREAK level=2></TMPL_LOOP>", v), "<TMPL_BREAK level=2><TMPL_BREAK level=2>",
           "a bad level makes BREAK text");
    is_str(compat("<TMPL_LOOP name=L><TMPL_VAR name=k><TMPL_IF name=k value=1><TMPL_CONTINUE>"
                  "</TMPL_IF>-</TMPL_LOOP>", v), "12-", "compat CONTINUE");
    is_str(compat("<TMPL_LOOP name=L><TMPL_VAR name=\"__counter__\"></TMPL_LOOP>", v), "",
           "no loop variables in compat mode");
    is_str(compat("x<TMPL_IF name=x>y", v), "ERR:", "compat: unbalanced IF: no output");
    is_str(msgs, "TMPL_IF tag in file \"t.tmpl\" line 1 has no /TMPL_IF tag\n", "unbalanced IF message");
    is_str(compat("x\n<TMPL_LOOP name=L>y", v), "ERR:", "compat: unbalanced LOOP: no output");
    is_str(msgs, "TMPL_LOOP tag in file \"t.tmpl\" line 2 has no /TMPL_LOOP tag\n", "LOOP message");
    is_str(compat("x</TMPL_LOOP>y", v), "ERR:", "compat: stray end tag: no output");
    is_str(msgs, "Unexpected /TMPL_LOOP tag in file \"t.tmpl\" line 1\n", "stray end tag message");
    is_str(compat("a<* x\n\ny <TMPL_VAR x>\n<TMPL_VAR>", v), "ERR:", "compat: unterminated comment");
    is_str(msgs,
           "\"<*\" in file \"t.tmpl\" line 1 has no \"*>\"\n"
           "Ignoring bad TMPL_VAR tag in file \"t.tmpl\" line 6\n"
           "Ignoring bad TMPL_VAR tag in file \"t.tmpl\" line 7\n",
           "... its message (and C Template's doubled line count after it)");
    is_str(compat("<TMPL_IF name=x>1<TMPL_LOOP name=L>2</TMPL_IF>3</TMPL_LOOP>", v), "ERR:",
           "crossed IF and LOOP");
    is_str(msgs,
           "TMPL_LOOP tag in file \"t.tmpl\" line 1 has no /TMPL_LOOP tag\n"
           "Unexpected /TMPL_LOOP tag in file \"t.tmpl\" line 1\n",
           "... reported as C Template does");
    is_str(compat("a\\\nb\\\\\nc<* x *>d<TMPL_VAR name=x/>", v), "ab\\\ncd<a&b>",
           "compat text rules and />");
    is_str(compat("<TMPL_IF name=x/>", v), "<TMPL_IF name=x/>", "IF may not end in /> (text)");

    /* includes */
    wfile("ci.tmpl", "a<TMPL_INCLUDE name=ci2.tmpl>b<TMPL_INCLUDE name=none.tmpl>c");
    wfile("ci2.tmpl", "[<TMPL_VAR name=k>]<TMPL_VAR fmt=x>");
    const char *r = run_mode(TMPL_COMPAT, "ci.tmpl", NULL, v, msgs, sizeof msgs);
    is_str(r, "ERR:a[]<TMPL_VAR fmt=x>b", "a failing include stops the output there");
    is_str(msgs,
           "Ignoring bad TMPL_VAR tag (missing \"name=\" attribute) in file \"ci2.tmpl\" line 1\n"
           "C Template library: failed to read template from file \"none.tmpl\"\n",
           "include warnings when reached, then the read failure");
    wfile("sub/cp.tmpl", "P<TMPL_INCLUDE name=\".../cq.tmpl\">");
    wfile("sub/cq.tmpl", "Q<TMPL_INCLUDE name=\".../nope.tmpl\">");
    r = run_mode(TMPL_COMPAT, "sub/cp.tmpl", NULL, v, msgs, sizeof msgs);
    is_str(r, "ERR:PQ", "compat .../ is the including file's directory");
    is_str(msgs, "C Template library: failed to read template from file \"sub/nope.tmpl\"\n",
           "... and names the file as C Template would");
    wfile("ccyc.tmpl", "c<TMPL_INCLUDE name=\".../ccyc.tmpl\">");
    r = run_mode(TMPL_COMPAT, "ccyc.tmpl", NULL, v, msgs, sizeof msgs);
    is_str(r, "ccccccccccccccccccccccccccccccc<TMPL_INCLUDE name=\".../ccyc.tmpl\">",
           "compat cycle: 31 copies, then the tag as text");
    is_str(msgs,
           "Ignoring bad TMPL_INCLUDE tag (check for include cycle) in file \"ccyc.tmpl\" line 1\n",
           "... with C Template's warning");
    wfile("cbad.tmpl", "x<TMPL_LOOP name=L><TMPL_INCLUDE name=cbad2.tmpl></TMPL_LOOP>y");
    wfile("cbad2.tmpl", "<TMPL_IF name=k>");
    r = run_mode(TMPL_COMPAT, "cbad.tmpl", NULL, v, msgs, sizeof msgs);
    is_str(r, "ERR:x", "an include with a structural error stops the output");
    is_str(msgs, "TMPL_IF tag in file \"cbad2.tmpl\" line 1 has no /TMPL_IF tag\n", "its message");

    /* a cached compat template prints its warnings on every render */
    wfile("cw.tmpl", "<TMPL_VAR>|<TMPL_LOOP name=L><TMPL_INCLUDE name=cw2.tmpl></TMPL_LOOP>");
    wfile("cw2.tmpl", "<TMPL_ELSE x>");
    tmpl_engine *e = new_engine(TMPL_COMPAT);
    FILE *err = tmpfile();
    tmpl_engine_set_errout(e, err);
    strbuf out = STRBUF_INIT;
    aid_errbuf eb;
    ok(tmpl_render(e, "cw.tmpl", v, &out, &eb) == AID_OK, "compat render 1");
    ok(tmpl_render(e, "cw.tmpl", v, &out, &eb) == AID_OK, "compat render 2");
    is_str(out.buf, "<TMPL_VAR>|<TMPL_ELSE x><TMPL_ELSE x><TMPL_VAR>|<TMPL_ELSE x><TMPL_ELSE x>",
           "same output twice");
    rewind(err);
    size_t n = fread(msgs, 1, sizeof msgs - 1, err);
    msgs[n] = 0;
    is_str(msgs,
           "Ignoring bad TMPL_VAR tag in file \"cw.tmpl\" line 1\n"
           "Ignoring bad TMPL_ELSE tag in file \"cw2.tmpl\" line 1\n"
           "Ignoring bad TMPL_VAR tag in file \"cw.tmpl\" line 1\n"
           "Ignoring bad TMPL_ELSE tag in file \"cw2.tmpl\" line 1\n",
           "warnings repeat per render, include warnings once per render");
    fclose(err);
    strbuf_release(&out);
    tmpl_engine_free(e);
    tmpl_vars_free(v);
}

/* The constructors' error rule: aid_err, the object through *out. */
static void test_api(void)
{
    tmpl_engine *e = (tmpl_engine *)1;
    tmpl_vars *v = (tmpl_vars *)1;
    aid_errbuf eb;
    memset(&eb, 0, sizeof eb);
    is_int(tmpl_engine_new(NULL, dir, TMPL_SAFE, &eb), AID_ERR_USAGE, "engine_new: out NULL");
    ok(eb.msg[0] != '\0', "engine_new: the reason is in eb");
    is_int(tmpl_vars_new(NULL), AID_ERR_USAGE, "vars_new: out NULL");
    is_int(tmpl_engine_new(&e, NULL, TMPL_COMPAT, NULL), AID_OK, "engine_new: NULL root and eb");
    ok(e != NULL && e != (tmpl_engine *)1, "engine_new sets *out");
    is_int(tmpl_vars_new(&v), AID_OK, "vars_new");
    ok(v != NULL && v != (tmpl_vars *)1, "vars_new sets *out");
    ok(tmpl_vars_set(NULL, "a", "b") < 0 && tmpl_vars_add_row(NULL, "L") == NULL &&
           tmpl_engine_add_fmt(NULL, "f", NULL, NULL) < 0,
       "setters refuse NULL objects");
    tmpl_vars_free(v);
    tmpl_engine_free(e);
    tmpl_vars_free(NULL);
    tmpl_engine_free(NULL);
    ok(1, "free accepts NULL");
}

static void test_speed(void)
{
    tmpl_vars *v = new_vars();
    for (int i = 0; i < 2000; i++) {
        tmpl_vars *r = row(v, "rows");
        setf(r, "name", "row %d <b>", i);
        setf(r, "n", "%d", i);
    }
    wfile("speed.tmpl", "<TMPL_LOOP name=rows><tr><td><TMPL_VAR name=\"__counter__\"></td>"
                        "<td><TMPL_VAR name=name></td><TMPL_IF name=\"__odd__\">odd</TMPL_IF></tr>\n"
                        "</TMPL_LOOP>");
    tmpl_engine *e = new_engine(TMPL_SAFE);
    strbuf out = STRBUF_INIT;
    aid_errbuf eb;
    int good = 1;
    for (int k = 0; k < 50; k++) {
        strbuf_reset(&out);
        good &= tmpl_render(e, "speed.tmpl", v, &out, &eb) == AID_OK;
    }
    ok(good && strstr(out.buf, "<td>2000</td><td>row 1999 &lt;b&gt;</td>") != NULL,
       "50 renders of 2000 rows (%zu bytes each)", out.len);
    strbuf_release(&out);
    tmpl_engine_free(e);
    tmpl_vars_free(v);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_tmpl.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    test_basics();
    test_escapes();
    test_fmt();
    test_if();
    test_loops();
    test_text_rules();
    test_safe_errors();
    test_includes();
    test_compat();
    test_api();
    test_speed();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return tap_done();
}
