#!/usr/bin/env python3
"""bench/make_queries.py - a large set of distinct queries cut from real titles.

Issue 18 asks for latency on hundreds of distinct queries, so that no answer
cache and no tuning to the 40 public queries helps.  This cuts them from the
titles of a corpus (JSON Lines, .gz or not), reproducibly (a fixed seed):

  45 %  one CJK substring of 2-6 characters of a title's run ("开发区建设")
  30 %  two such substrings of 2-4 characters from one title, space-separated
        (a multi-part query: "疫情防控 复工")
  15 %  a whole run of 3-8 characters ("庆祝香港回归祖国")
  10 %  one or two characters ("港", "回归")

Duplicates are dropped; titles are drawn uniformly.  Prints one query a line.
usage: bench/make_queries.py [-n 400] [--seed 18] CORPUS > FILE
"""
import argparse
import gzip
import json
import random
import re

RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def load_titles(path):
    op = gzip.open if path.endswith(".gz") else open
    titles = []
    with op(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line).get("title") or ""
            runs = [r for r in RUN.findall(t) if len(r) >= 2]
            if runs:
                titles.append(runs)
    return titles


def cut(rng, run, lo, hi):
    n = rng.randint(lo, min(hi, len(run)))
    i = rng.randint(0, len(run) - n)
    return run[i:i + n]


def one(rng, runs):
    k = rng.random()
    run = rng.choice(runs)
    if k < 0.45:
        return cut(rng, run, 2, 6)
    if k < 0.75:
        a = cut(rng, run, 2, 4)
        other = [r for r in runs if r != run] or [run]
        b = cut(rng, rng.choice(other), 2, 4)
        return a + " " + b if a != b else a
    if k < 0.90:
        return run[:8] if len(run) >= 3 else None
    return cut(rng, run, 1, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("-n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=18)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    titles = load_titles(a.corpus)
    seen, out = set(), []
    while len(out) < a.n:
        q = one(rng, rng.choice(titles))
        if q and q not in seen:
            seen.add(q)
            out.append(q)
    print("\n".join(out))


if __name__ == "__main__":
    main()
