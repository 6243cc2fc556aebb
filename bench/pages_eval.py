#!/usr/bin/env python3
"""bench/pages_eval.py - how well idx cleans scraped pages and clusters reprints.

Builds a labelled fixture set from real articles of the 新闻联播 corpus and
scores `idx clean` / `idx add` on it (run through bench/pages.sh):

* Cleaning: each article is wrapped in five realistic site templates (the
  seed page's chemical-industry association site, a news portal with an
  "about" blurb, hot-list sidebar and related reading, a city government site,
  a newspaper e-paper, a mobile page), as plain text (what a text scraper
  saves) and as HTML (navigation, <script>, <style>, comments, sidebars,
  footers, entities).  Every site directory holds its pages, so cross-page
  template evidence is used as it would be on a real crawl.  Scored:
  body precision/recall in characters (a kept line counts as body when it is
  one of the article's paragraphs), the share of boilerplate characters
  removed, title and date accuracy.
* Clustering: stories reprinted by two to four sites (another template,
  another headline, a lead-in, a paragraph dropped, words changed, a closing
  line), plus pairs of different stories on one topic (same kind of headline,
  e.g. two meetings of the same leader).  All pages are ingested with
  `idx add`; scored over pairs of pages: precision and recall of "in the same
  cluster" against "the same story".

Usage: pages_eval.py IDX CORPUS WORKDIR [ARTICLES]
"""
import gzip
import html
import json
import os
import random
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pages_heldout import HELDOUT_TEMPLATES  # noqa: E402

IDX, CORPUS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
N = int(sys.argv[4]) if len(sys.argv) > 4 else 120
rng = random.Random(20221127)


def load(n_clean, n_story):
    """Articles with a date and a body of 2+ paragraphs and 200+ characters,
    spread over the corpus."""
    arts, seen = [], set()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 37:
                continue
            a = json.loads(line)
            paras = [p.strip() for p in a.get("body", "").split("\n") if p.strip()]
            if not a.get("title") or not a.get("date") or len(paras) < 2:
                continue
            if sum(len(p) for p in paras) < 200 or len(a["title"]) < 6:
                continue
            # the corpus holds some stories twice (same body, another id or
            # even another headline): one copy only, so that "different
            # stories" are different
            key = re.sub(r"\s", "", a["body"])
            if key in seen:
                continue
            seen.add(key)
            a["paras"] = paras
            arts.append(a)
            if len(arts) >= 3 * (n_clean + n_story):
                break
    rng.shuffle(arts)
    return arts


def fmt_date(d, style):
    y, m, dd = d[:4], d[5:7], d[8:10]
    hh = "%02d:%02d" % (rng.randrange(6, 23), rng.randrange(60))
    if style == 0:
        return "%s-%s-%s" % (y, m, dd)
    if style == 1:
        return "%s年%d月%d日 %s" % (y, int(m), int(dd), hh)
    if style == 2:
        return "%s/%s/%s" % (y, m, dd)
    return "%s-%s-%s %s" % (y, m, dd, hh)


# ---- site templates: (header lines, meta lines, footer lines) ----
# Each returns {"head": [...], "meta": [...], "foot": [...]} around
# title and body.  hot/related are other articles' titles (a rotating list,
# as on real sites).

def t_chem(a, hot, rel, rng=rng):
    return {
        "head": ["Hi,欢迎来到江苏省化工行业协会！ 登录 | 注册", "首页 协会概况 新闻中心 化工园区 会员服务 联系我们",
                 "化工园区 园区动态", "化工园区 园区动态 " + a["title"]],
        "meta": ["发布日期: " + fmt_date(a["date"], 0) + " 浏览次数: %d" % rng.randrange(50, 900)],
        "foot": ["协会介绍 | 联系我们 | 网站地图", "电话:025-87990640 传真:025-87990641",
                 "地址:南京市梦都大街50号东楼", "备案号:苏ICP备13033418号-1 Baidu map"] * 2,
    }


def t_portal(a, hot, rel, rng=rng):
    return {
        "head": ["新华视点网 - 权威新闻门户", "首页 | 国内 | 国际 | 财经 | 科技 | 体育 | 娱乐",
                 "本站是一家综合性新闻网站，致力于为读者提供及时、准确、全面的新闻资讯，诚挚期待广大读者来稿交流。",
                 "热点新闻"] + hot + ["当前位置：首页 > 国内新闻"],
        "meta": ["发布时间：" + fmt_date(a["date"], 3) + " 来源：新华视点网"],
        "foot": ["责任编辑：%s" % rng.choice(["王明", "李华", "张静"]), "相关阅读："] + rel +
                ["本网站所刊登的各种新闻、信息和专题资料，均为本站版权所有，未经授权禁止使用。",
                 "Copyright © 2008-2022 新华视点网 All Rights Reserved"],
    }


def t_gov(a, hot, rel, rng=rng):
    return {
        "head": ["某市人民政府门户网站", "首页 政务公开 政务服务 互动交流 走进某市",
                 "当前位置：首页 > 新闻中心 > 工作动态"],
        "meta": ["时间：" + fmt_date(a["date"], 2) + " 来源：市政府办公室 浏览次数：%d" % rng.randrange(100, 5000),
                 "【字体：大 中 小】"],
        "foot": ["【打印本页】【关闭窗口】", "主办单位：某市人民政府办公室 承办单位：某市大数据中心",
                 "网站标识码：3206000001 京ICP备05070218号 京公网安备11010202000001号",
                 "为确保最佳浏览效果，建议使用1280×800以上分辨率浏览本网站。"],
    }


def t_paper(a, hot, rel, rng=rng):
    return {
        "head": ["某某日报 数字报刊平台", "往期回顾 版面导航 标题导航", "第03版：要闻", "上一版 下一版"],
        "meta": ["本报记者 %s" % rng.choice(["刘洋", "陈晨", "赵磊"]), fmt_date(a["date"], 1)],
        "foot": ["上一篇 下一篇", "本版其他新闻："] + rel + ["某某日报社版权所有，未经书面授权不得转载。"],
    }


def t_mobile(a, hot, rel, rng=rng):
    return {
        "head": ["打开APP 阅读更多精彩内容"],
        "meta": [fmt_date(a["date"], 3)],
        "foot": ["分享到：微信 微博 QQ空间", "扫一扫 关注我们，获取更多新闻资讯。",
                 "举报 | 意见反馈 | 用户协议"],
    }


TEMPLATES = [("chem", t_chem), ("portal", t_portal), ("gov", t_gov), ("paper", t_paper),
             ("mobile", t_mobile)]


def page_text(a, title, paras, parts):
    lines = parts["head"] + [title] + parts["meta"] + paras + parts["foot"]
    return "\n".join(lines) + "\n"


def page_html(a, title, paras, parts, site):
    e = html.escape
    nav = "".join("<li><a href=\"/%d\">%s</a></li>" % (i, e(x)) for i, x in enumerate(parts["head"]))
    meta = "".join("<span class=\"meta\">%s</span><br>" % e(x) for x in parts["meta"])
    body = "\n".join("<p>%s</p>" % e(p) for p in paras)
    foot = "".join("<p>%s</p>" % e(x) for x in parts["foot"])
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s - %s</title>\n"
            "<style>body{font:14px sans-serif} .nav li{display:inline}</style>\n"
            "<script>var _hmt = _hmt || []; document.write('统计代码 联系我们');</script></head>\n"
            "<body><ul class=\"nav\">%s</ul>\n<!-- 广告位 开始 -->\n"
            "<div class=\"article\"><h1>%s</h1>\n<div class=\"info\">%s</div>\n%s\n</div>\n"
            "<div class=\"footer\">%s</div>\n<noscript>请启用JavaScript</noscript></body></html>\n"
            % (e(title), site, nav, e(title), meta, body, foot))


def write_page(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def others(pool, k, exclude):
    return [x["title"] for x in rng.sample(pool, k + 1) if x is not exclude][:k]


def edit_reprint(a):
    """Another outlet's copy: headline, lead-in, a paragraph dropped (when
    3+), characters changed, a closing line."""
    paras = list(a["paras"])
    if len(paras) >= 3:
        del paras[rng.randrange(1, len(paras))]
    lead = rng.choice(["（转载）", "据央视新闻报道，", "【新华视点讯】", ""])
    paras[0] = lead + paras[0]
    for _ in range(3):  # a few words changed
        i = rng.randrange(len(paras))
        p = paras[i]
        if len(p) > 10:
            j = rng.randrange(len(p) - 2)
            paras[i] = p[:j] + rng.choice(["的", "了", "在", "和"]) + p[j + 1:]
    paras.append(rng.choice(["（完）", "来源：网络 编辑：小王", "（本文来自央视网，转载请注明出处）"]))
    title = rng.choice(["转：", "", "【要闻】"]) + a["title"] + rng.choice(["", "（图）", " | 视频"])
    return title, paras


def build_clean(setname, templates, clean_set, pool, gold):
    for i, a in enumerate(clean_set):
        name, tpl = templates[i % len(templates)]
        parts = tpl(a, others(pool, 5, a), others(pool, 3, a), rng)
        for kind in ("text", "html"):
            ext = "txt" if kind == "text" else "html"
            path = os.path.join(WORK, "clean", setname, "%s-%s" % (name, kind),
                                "p%04d.%s" % (i, ext))
            txt = page_text(a, a["title"], a["paras"], parts)
            write_page(path, txt if kind == "text" else page_html(a, a["title"], a["paras"], parts, name))
            gold[path] = {"title": a["title"], "date": a["date"], "paras": a["paras"],
                          "page_lines": [l for l in txt.split("\n") if l.strip()]}


def build():
    arts = load(2 * N, N // 4)
    pool = arts
    gold = {}  # path -> labels
    # cleaning sets: every article in one template, as text and as HTML;
    # "dev" templates were written (and looked at) while tuning the cleaner,
    # "heldout" ones were written separately and not tuned on
    sets = [("dev", TEMPLATES, arts[:N]), ("heldout", HELDOUT_TEMPLATES, arts[N:2 * N])]
    for setname, templates, clean_set in sets:
        build_clean(setname, templates, clean_set, pool, gold)
    story_set = arts[2 * N:2 * N + N // 4]
    # clustering set: stories reprinted by 2-4 sites + same-topic pairs
    cl = {}
    for s, a in enumerate(story_set):
        sites = rng.sample(TEMPLATES + HELDOUT_TEMPLATES, rng.randrange(2, 5))
        for c, (name, tpl) in enumerate(sites):
            title, paras = (a["title"], a["paras"]) if c == 0 else edit_reprint(a)
            parts = tpl(a, others(pool, 5, a), others(pool, 3, a), rng)
            kind = rng.choice(("txt", "html"))
            path = os.path.join(WORK, "cluster", name + "-" + kind, "s%03d-%d.%s" % (s, c, kind))
            write_page(path, page_text(a, title, paras, parts) if kind == "txt"
                       else page_html(a, title, paras, parts, name))
            cl[path] = "story-%d" % s
    # different stories on one topic: articles whose headlines share most
    # characters (两会 meetings, the same leader meeting different guests)
    def chars(t):
        return set(re.sub(r"\W", "", t))
    topic = 0
    rest = arts[2 * N + N // 4:]
    used = set()
    for a in rest:
        if topic >= N // 4:
            break
        if a["id"] in used:
            continue
        best, bj = None, 0.0
        for b in rest:
            if b["id"] == a["id"] or b["id"] in used or b["title"] == a["title"]:
                continue
            ca, cb = chars(a["title"]), chars(b["title"])
            j = len(ca & cb) / max(1, len(ca | cb))
            if j > bj:
                best, bj = b, j
        if best is None or bj < 0.4:
            continue
        for k, x in enumerate((a, best)):
            name, tpl = rng.choice(TEMPLATES + HELDOUT_TEMPLATES)
            parts = tpl(x, others(pool, 5, x), others(pool, 3, x), rng)
            path = os.path.join(WORK, "cluster", name + "-txt", "t%03d-%d.txt" % (topic, k))
            write_page(path, page_text(x, x["title"], x["paras"], parts))
            cl[path] = "topic-%d-%d" % (topic, k)
        used.update((a["id"], best["id"]))
        topic += 1
    return gold, cl, topic


def clean_dir(d, alone=False):
    """idx clean of one site directory: {path: record} (pages are printed
    in name order; failures are named on stderr).  alone: each page on its
    own (no evidence from the other pages of its site)."""
    files = sorted(os.path.join(d, f) for f in os.listdir(d))
    if alone:
        out = {}
        for f in files:
            p = subprocess.run([IDX, "clean", f], capture_output=True, text=True)
            if p.stdout.strip():
                out[f] = json.loads(p.stdout)
        return out
    p = subprocess.run([IDX, "clean", d], capture_output=True, text=True)
    failed = {l.split(": ")[0] for l in p.stderr.splitlines() if ": " in l}
    recs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    ok = [f for f in files if f not in failed]
    assert len(ok) == len(recs), (d, len(ok), len(recs), p.stderr[:300])
    return dict(zip(ok, recs))


def score_clean(gold, alone=False):
    rows = {}
    for d in sorted({os.path.dirname(p) for p in gold}):
        out = clean_dir(d, alone)
        r = rows.setdefault(os.path.relpath(d, os.path.join(WORK, "clean")), dict(pages=0, body=0, tp=0, fp=0, boiler=0,
                                                      title=0, date=0, failed=0))
        for path in sorted(p for p in gold if os.path.dirname(p) == d):
            g = gold[path]
            r["pages"] += 1
            body_chars = sum(len(x) for x in g["paras"])
            paraset = set(g["paras"])
            boiler = sum(len(l.strip()) for l in g["page_lines"] if l.strip() not in paraset)
            r["body"] += body_chars
            r["boiler"] += boiler
            rec = out.get(path)
            if rec is None:
                r["failed"] += 1
                continue
            for line in (rec.get("body") or "").split("\n"):
                line = line.strip()
                if not line:
                    continue
                if line in paraset:
                    r["tp"] += len(line)
                else:
                    r["fp"] += len(line)
            r["title"] += (rec.get("title") or "").strip() == g["title"].strip()
            r["date"] += (rec.get("date") or "")[:10] == g["date"][:10]
    return rows


def score_cluster(cl):
    db = os.path.join(WORK, "cluster.db")
    shutil.rmtree(db, ignore_errors=True)
    root = os.path.join(WORK, "cluster")
    p = subprocess.run([IDX, "add", "-q", "--db", db, root], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit("idx add failed: " + p.stderr)
    # page -> id: what idx clean gives (the same cleaning as idx add)
    page_id = {}
    for d in sorted({os.path.dirname(x) for x in cl}):
        for path, rec in clean_dir(d).items():
            page_id[path] = rec["id"]
    # id -> cluster: the cluster key slot (4) and the stored data, by docid
    v = subprocess.run(["xapian-delve", "-V4", db], capture_output=True, text=True).stdout
    keys = dict(m.groups() for m in re.finditer(r"(\d+):(\S+)", v.split(":", 1)[1]))
    last = max(int(k) for k in keys) if keys else 0
    args = ["xapian-delve", "-d"] + ["-r%d" % i for i in range(1, last + 1)] + [db]
    data = subprocess.run(args, capture_output=True, text=True).stdout
    id_key = {}
    for m in re.finditer(r"Data for record #(\d+):\n(.*)\n", data):
        doc = json.loads(m.group(2))
        id_key[doc["id"]] = keys.get(m.group(1), doc["id"])
    pages = sorted(cl)
    tp = fp = fn = 0
    for i in range(len(pages)):
        for j in range(i + 1, len(pages)):
            a, b = pages[i], pages[j]
            same = cl[a] == cl[b]
            ka = id_key.get(page_id.get(a), "?a" + a)
            kb = id_key.get(page_id.get(b), "?b" + b)
            together = ka == kb
            tp += same and together
            fp += (not same) and together
            fn += same and not together
    stories = len({c for c in cl.values() if c.startswith("story")})
    topics = len({c for c in cl.values() if c.startswith("topic")}) // 2
    return dict(pages=len(pages), stories=stories, topic_pairs=topics, tp=tp, fp=fp, fn=fn)


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "-"


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    gold, cl, _ = build()
    rows = score_clean(gold)
    print("## Cleaning (%d pages: 2 x %d articles, each in one of 5 site templates, as text and as HTML)"
          % (len(gold), N))
    print()
    print("| set / site template | pages | body precision | body recall | boilerplate removed | title | date |")
    print("|---|---|---|---|---|---|---|")
    keys = ("pages", "body", "tp", "fp", "boiler", "title", "date", "failed")

    def line(name, r, bold=False):
        b = "**" if bold else ""
        print("| %s | %d | %s%s%s | %s%s%s | %s%s%s | %s%s%s | %s%s%s |" % (
            name, r["pages"], b, pct(r["tp"], r["tp"] + r["fp"]), b, b, pct(r["tp"], r["body"]), b,
            b, pct(r["boiler"] - r["fp"], r["boiler"]), b, b, pct(r["title"], r["pages"]), b,
            b, pct(r["date"], r["pages"]), b))

    failed = 0
    for setname in ("dev", "heldout"):
        tot = dict((k, 0) for k in keys)
        for name, r in sorted(rows.items()):
            if not name.startswith(setname + "/"):
                continue
            for k in keys:
                tot[k] += r[k]
            line(name, r)
        line("**%s, all**" % setname, tot, True)
        failed += tot["failed"]
    if failed:
        print("\n%d pages gave no article." % failed)
    print()
    print("Each page cleaned alone (`idx clean FILE`: no evidence from the other pages of its site):")
    print()
    print("| set | pages | body precision | body recall | boilerplate removed | title | date |")
    print("|---|---|---|---|---|---|---|")
    rows = score_clean(gold, alone=True)
    for setname in ("dev", "heldout"):
        tot = dict((k, 0) for k in keys)
        for name, r in rows.items():
            if name.startswith(setname + "/"):
                for k in keys:
                    tot[k] += r[k]
        line(setname + ", alone", tot)
    c = score_cluster(cl)
    print()
    print("## Near-duplicate clustering (%d pages: %d stories reprinted 2-4 times, %d same-topic pairs)"
          % (c["pages"], c["stories"], c["topic_pairs"]))
    print()
    print("| pairs in one cluster, correct | wrong (different stories) | same story, missed | precision | recall |")
    print("|---|---|---|---|---|")
    print("| %d | %d | %d | %s | %s |" % (c["tp"], c["fp"], c["fn"], pct(c["tp"], c["tp"] + c["fp"]),
                                         pct(c["tp"], c["tp"] + c["fn"])))


main()
