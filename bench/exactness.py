#!/usr/bin/env python3
"""bench/exactness.py - are idx's totals for CJK runs exact, at corpus scale?

Cuts runs of 1 to 6 Han characters from the corpus's titles (reproducibly: a
fixed seed, N per length), counts the articles whose title or body holds each
run as a substring (Python's `in` over the raw text: the truth), and asks each
database `idx search --all --exact-total` (every copy, exact count).  A run
only counts when the two agree.  Prints, per database, the runs that agree
per length and every disagreement.  Exit status 1 when any disagrees.

The truth is counted over the text as idx reads it in a database made with
folding on (the default): NFKC, then traditional forms folded to simplified
with idx's own table (src/t2s_table.c), so an article writing 內 counts for
内 on both sides.

usage: bench/exactness.py [-n 50] [--seed 18] [--idx build/idx] CORPUS DB...
"""
import argparse
import gzip
import json
import random
import re
import os
import subprocess
import sys
import unicodedata

HAN = re.compile(r"[\u4e00-\u9fff]+")


def t2s_table():
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "t2s_table.c")
    with open(src, encoding="utf-8") as f:
        pairs = re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+)\}", f.read())
    return {int(a, 16): int(b, 16) for a, b in pairs}


def fold(s, table):
    return unicodedata.normalize("NFKC", s).translate(table)


def load(path):
    op = gzip.open if path.endswith(".gz") else open
    docs, titles = [], []
    with op(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            a = json.loads(line)
            t, b = a.get("title") or "", a.get("body") or ""
            docs.append((t, b))
            titles.append(t)
    return docs, titles


def runs(titles, per_len, seed):
    rng = random.Random(seed)
    out = []
    for length in range(1, 7):
        seen = set()
        tries = 0
        while len(seen) < per_len and tries < 100000:
            tries += 1
            found = [r for r in HAN.findall(rng.choice(titles)) if len(r) >= length]
            if not found:
                continue
            r = rng.choice(found)
            i = rng.randint(0, len(r) - length)
            seen.add(r[i:i + length])
        out.extend(sorted(seen))
    return out


def idx_total(idx, db, q):
    p = subprocess.run([idx, "search", "--db", db, "--json", "--all", "--exact-total",
                        "--limit", "1", q], capture_output=True, text=True)
    if p.returncode != 0:
        return "error: " + p.stderr.strip()[:120]
    return json.loads(p.stdout)["total"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("dbs", nargs="+")
    ap.add_argument("-n", type=int, default=50, help="runs per length (1..6)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--idx", default="build/idx")
    a = ap.parse_args()
    docs, titles = load(a.corpus)
    rs = runs(titles, a.n, a.seed)
    table = t2s_table()
    rs = sorted({fold(r, table) for r in rs}, key=lambda r: (len(r), r))
    docs = [(fold(t, table), fold(b, table)) for t, b in docs]
    truth = {r: sum(1 for t, b in docs if r in t or r in b) for r in rs}
    bad = 0
    print(f"{len(rs)} runs of 1-6 characters cut from {len(titles)} titles "
          f"(seed {a.seed}); truth: substring counts over title and body, folded as idx folds")
    for db in a.dbs:
        per = {}
        diffs = []
        for r in rs:
            got = idx_total(a.idx, db, r)
            ok = got == truth[r]
            n_ok, n_all = per.get(len(r), (0, 0))
            per[len(r)] = (n_ok + ok, n_all + 1)
            if not ok:
                diffs.append(f"{r}: idx {got}, substring {truth[r]}")
        cells = " ".join(f"{k}:{v[0]}/{v[1]}" for k, v in sorted(per.items()))
        agree = sum(v[0] for v in per.values())
        print(f"{db}: {agree}/{len(rs)} exact (by length {cells})")
        for d in diffs:
            print("  " + d)
        bad += len(diffs)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
