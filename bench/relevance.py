#!/usr/bin/env python3
"""bench/relevance.py - score ranking configurations on the judged collection.

usage: bench/relevance.py DB [--set dev|test|all] [--per-query] [--matrix] [NAME=SPEC ...]
       IDX=path/to/idx bench/relevance.py ...   (another build's idx)
A SPEC starting with "--" is passed as idx search options instead ("--title-weight 0").
Runs every query of bench/relevance/queries.tsv (of the chosen set; default dev) through
`idx search --json --limit 10 [--rank SPEC]` and scores the top 10 against
bench/relevance/qrels.tsv (grades 0/1/2; an unjudged article counts 0 and is counted in
the `unjudged` column, so a configuration whose top 10 the pool did not cover shows it):
nDCG@10 (gain 2^grade - 1, ideal from all judged articles of the query), MRR@10 and P@10
(grade >= 1), overall and per query type (--matrix: one line per configuration, nDCG@10 per
type in columns).  With no NAME=SPEC, the configurations of
CONFIGS below.  bench/relevance/README.md says how the collection was made.
"""
import json
import math
import os
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
IDX = os.environ.get("IDX") or os.path.join(HERE, "..", "build", "idx")  # IDX=: another build
REL = os.path.join(HERE, "relevance")
TYPES = ["char", "two", "phrase", "multi", "mixed", "trad", "abbr"]

# name -> --rank spec ("" = idx's default ranking).  OFF turns every signal of issue 19 off,
# leaving the title weight; the rows after "default" each take one signal away from it (or,
# for the prior and proximity, which are not in the default, add it).
OFF = ("title_len_weight=0,prior_weight=0,near_weight=0,abbreviations=0,regional=0")
CONFIGS = [
    ("raw-xapian", "title_weight=0," + OFF),
    ("before", "title_weight=2," + OFF),
    ("tw0.5", "title_weight=0.5," + OFF),
    ("tw0.5+tlen", "title_weight=0.5," + OFF + ",title_len_weight=8,title_len=1500"),
    ("tw0.5+prior", "title_weight=0.5," + OFF + ",prior_weight=2,prior_len=800"),
    ("tw0.5+near", "title_weight=0.5," + OFF + ",near_weight=4,near_window=64"),
    ("tw0.5+abbr", "title_weight=0.5," + OFF + ",abbreviations=1"),
    ("tw0.5+regional", "title_weight=0.5," + OFF + ",regional=1"),
    ("tw0.5+b0.75", "title_weight=0.5," + OFF + ",bm25_b=0.75,bm25_k1=1.2"),
    ("default", ""),
    ("-tlen", "title_len_weight=0"),
    ("+prior", "prior_weight=2,prior_len=800"),
    ("+near", "near_weight=4,near_window=64"),
    ("-abbr", "abbreviations=0"),
    ("-regional", "regional=0"),
    ("tw=2", "title_weight=2"),
]


def load_queries(which="all"):
    """(qid, type, set, query, need) of queries.tsv, those of set `which` (dev, test, all)."""
    out = []
    with open(os.path.join(REL, "queries.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            row = tuple(line.rstrip("\n").split("\t"))
            if which == "all" or row[2] == which:
                out.append(row)
    return out


def load_qrels(name="qrels.tsv"):
    """qid -> {article id: grade} of a judgments file of bench/relevance/."""
    g = defaultdict(dict)
    with open(os.path.join(REL, name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            qid, did, grade = line.rstrip("\n").split("\t")[:3]
            g[qid][did] = int(grade)
    return g


def search(db, spec, query):
    cmd = [IDX, "search", "--db", db, "--json", "--limit", "10"]
    if spec.startswith("--"):  # plain options, for an idx without --rank
        cmd += spec.split()
    elif spec:
        cmd += ["--rank", spec]
    out = subprocess.run(cmd + ["--", query], check=True, capture_output=True, text=True).stdout
    return [h["id"] for h in json.loads(out)["hits"]]


def score(ids, grades):
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ids))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    rr = next((1 / (i + 1) for i, d in enumerate(ids) if grades.get(d, 0) >= 1), 0)
    p10 = sum(1 for d in ids if grades.get(d, 0) >= 1) / 10
    unj = sum(1 for d in ids if d not in grades)
    return (dcg / idcg if idcg > 0 else 0), rr, p10, unj


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    db, which, per_query, matrix, configs = args[0], "dev", False, False, []
    i = 1
    while i < len(args):
        if args[i] == "--set":
            which = args[i + 1]
            i += 2
            continue
        if args[i] == "--per-query":
            per_query = True
        elif args[i] == "--matrix":
            matrix = True
        else:
            name, _, spec = args[i].partition("=")
            configs.append((name, spec))
        i += 1
    configs = configs or CONFIGS
    qs = load_queries(which)
    qrels = load_qrels()
    print(f"set: {which}, queries: {len(qs)}, judged pairs: {sum(len(v) for v in qrels.values())}"
          f", index: {db}")
    types = [t for t in TYPES if any(q[1] == t for q in qs)]
    if matrix:
        counts = " ".join(f"{t}({sum(1 for q in qs if q[1] == t)})" for t in types)
        print(f"nDCG@10 by type: {counts}")
        print(f"{'config':<16} {'nDCG@10':>7} {'MRR@10':>6} {'P@10':>5} {'unj':>4} " +
              " ".join(f"{t:>6}" for t in types))
    else:
        print(f"{'config':<14} {'type':<7} {'n':>4} {'nDCG@10':>8} {'MRR@10':>7} {'P@10':>6} "
              f"{'unjudged':>8}")
    for name, spec in configs:
        rows = defaultdict(list)
        for qid, qtype, _qset, query, _need in qs:
            s = score(search(db, spec, query), qrels.get(qid, {}))
            rows["ALL"].append(s)
            rows[qtype].append(s)
            if per_query:
                print(f"  {name} {qid} {qtype} {query} ndcg={s[0]:.3f} rr={s[1]:.2f} "
                      f"p10={s[2]:.1f} unjudged={s[3]}")
        if matrix:
            r = rows["ALL"]
            n = len(r)
            print(f"{name:<16} {sum(x[0] for x in r) / n:>7.3f} {sum(x[1] for x in r) / n:>6.3f} "
                  f"{sum(x[2] for x in r) / n:>5.3f} {sum(x[3] for x in r) / n:>4.2f} " +
                  " ".join(f"{sum(x[0] for x in rows[t]) / len(rows[t]):>6.3f}" for t in types))
            sys.stdout.flush()
            continue
        for t in ["ALL"] + TYPES:
            if not rows[t]:
                continue
            r = rows[t]
            n = len(r)
            print(f"{name:<14} {t:<7} {n:>4} {sum(x[0] for x in r) / n:>8.3f} "
                  f"{sum(x[1] for x in r) / n:>7.3f} {sum(x[2] for x in r) / n:>6.3f} "
                  f"{sum(x[3] for x in r) / n:>8.2f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
