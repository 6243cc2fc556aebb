#!/usr/bin/env python3
"""Regenerate tests/sample/news.jsonl, the bundled sample archive.

Deterministic: reads the CCTV 新闻联播 corpus from <repo>/../shared/corpus/
and the seed page from <repo>/../shared/seed/, and picks articles by a
keyed SHA-256 ordering (fixed salt), so every run on every Python 3 version
writes the same bytes.  Standard library only.

Usage:  python3 tests/sample/make_sample.py
"""

import gzip
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
CORPUS = os.path.join(SHARED, "corpus", "zh_cctv_xwlb.jsonl.gz")
SEED = os.path.join(SHARED, "seed", "000_2196415b1c9c92ca.txt")
OUT = os.path.join(HERE, "news.jsonl")

SALT = "idx-sample-v1"          # the fixed seed of the selection
TOTAL_CCTV = 300                # CCTV records; the seed record comes on top
MAX_BODY = 1500                 # skip longer bodies (nothing is truncated)
MIN_BODY = 60                   # skip near-empty items
MAX_BYTES = 1_000_000           # hard limit for the whole news.jsonl
YEARS = range(2012, 2027)
PER_KEYWORD = 5
KEYWORDS = ["5G", "一带一路", "乡村振兴", "人工智能", "疫情防控",
            "APEC", "G20", "习近平", "香港", "长江经济带"]
PHRASE = "南通开发区"           # only the seed article should contain this
FIELDS = ["id", "title", "date", "body", "source", "category", "url"]
# characters that some line splitters (str.splitlines) treat as line breaks
# and that json.dumps(ensure_ascii=False) leaves unescaped
ODD_BREAKS = set("\u2028\u2029\x85\x1c\x1d\x1e")


def key(rec_id, group):
    """Deterministic pseudo-random rank of a record within a group."""
    h = hashlib.sha256(f"{SALT}\0{group}\0{rec_id}".encode("utf-8"))
    return h.hexdigest()


def text_of(r):
    return r["title"] + "\n" + r["body"]


def load_corpus():
    recs = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if list(r) != FIELDS:
                continue
            if not (MIN_BODY <= len(r["body"]) <= MAX_BODY):
                continue
            if ODD_BREAKS & set(text_of(r)):
                continue
            recs.append(r)
    return recs


def seed_record():
    with open(SEED, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("发布日期"))
    end = next(i for i in range(start + 1, len(lines))
               if lines[i].strip().startswith("协会介绍"))
    paras = [l.strip() for l in lines[start + 1:end]]
    body = "\n".join(p for p in paras if p)
    assert body.startswith("全市一季度产业项目建设综合考核最新揭晓"), body[:40]
    assert body.endswith("跨国公司地区总部等领域。"), body[-40:]
    return {
        "id": "seed-2196415b1c9c92ca",
        "title": "南通经济技术开发区:南通开发区项目建设连续14次拿下“流动红旗”",
        "date": "2022-05-18",
        "body": body,
        "source": "江苏省化工行业协会 (转载自南通经济技术开发区)",
        "category": "园区动态",
    }


def main():
    recs = load_corpus()
    chosen = {}                 # id -> record

    def pick(cands, n, group, distinct_dates=False):
        got = 0
        dates = {r["date"] for r in chosen.values()} if distinct_dates else set()
        for r in sorted(cands, key=lambda r: key(r["id"], group)):
            if got >= n:
                break
            if r["id"] in chosen or (distinct_dates and r["date"] in dates):
                continue
            chosen[r["id"]] = r
            dates.add(r["date"])
            got += 1
        return got

    # 1. ~10 articles about 南通 and/or 开发区, never the exact phrase.
    loc = [r for r in recs if PHRASE not in text_of(r)]
    both = [r for r in loc if "南通" in text_of(r) and "开发区" in text_of(r)]
    nt = [r for r in loc if "南通" in text_of(r) and "开发区" not in text_of(r)]
    kfq = [r for r in loc if "开发区" in text_of(r) and "南通" not in text_of(r)]
    pick(both, 2, "both")
    pick(nt, 4, "nantong")
    pick(kfq, 4, "kaifaqu")

    # 2. ~5 articles per query term.
    for kw in KEYWORDS:
        pick([r for r in recs if kw in text_of(r)], PER_KEYWORD, "kw:" + kw)

    # 3. Fill up to TOTAL_CCTV, evening out the per-year counts (each new
    #    slot goes to the year with the fewest items so far), one item per
    #    broadcast day where possible so the dates spread out.
    count = {y: 0 for y in YEARS}
    for r in chosen.values():
        count[int(r["date"][:4])] += 1
    want = dict(count)
    for _ in range(TOTAL_CCTV - len(chosen)):
        y = min(YEARS, key=lambda y: (want[y], y))
        want[y] += 1
    for y in YEARS:
        if want[y] > count[y]:
            pick([r for r in recs if r["date"][:4] == str(y)],
                 want[y] - count[y], f"year:{y}", distinct_dates=True)
    if len(chosen) < TOTAL_CCTV:
        pick(recs, TOTAL_CCTV - len(chosen), "rest", distinct_dates=True)

    order = {r["id"]: i for i, r in enumerate(recs)}
    out = sorted(chosen.values(), key=lambda r: (r["date"], order[r["id"]]))
    out.append(seed_record())

    data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for r in out).encode("utf-8")
    if len(data) >= MAX_BYTES:
        sys.exit(f"make_sample: {len(data)} bytes, over the {MAX_BYTES} limit")
    with open(OUT, "wb") as f:
        f.write(data)
    print(f"wrote {OUT}: {len(out)} records ({len(out) - 1} CCTV + 1 seed), "
          f"{len(data)} bytes")
    # per-term counts (substring of title + body), as tabled in README.md
    for term in ["南通", "开发区", PHRASE] + KEYWORDS:
        n = sum(1 for r in out if term in text_of(r))
        print(f"  {term}\t{n}")


if __name__ == "__main__":
    main()
