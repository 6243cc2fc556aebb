#!/usr/bin/env python3
"""bench/relevance/pool.py - the judging pool: for every query of queries.tsv, the union of
the top 10 of each ranking configuration given (idx search --rank SPEC), less the pairs
already judged in qrels.tsv, written as JSON Lines packets for the judges, in a random
order within each query, with nothing that says which configuration found a document:
  {"qid","type","query","need","id","title","date","chars","lead","passages"}
lead: the body's first 300 characters; passages: up to three 160-character windows around
the first occurrences of the query's parts (folded to simplified as idx folds), so a judge
sees where a long report or a round-up mentions the need.

usage: bench/relevance/pool.py DB [--alt FILE] SPEC... > pool.jsonl
  SPEC "" is the default ranking; --alt FILE (qid<TAB>query lines, e.g. mainland_forms.tsv)
  pools the top 10 of each listed query's alternative wording too, under the default ranking.
"""
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
IDX = os.path.join(ROOT, "build", "idx")
sys.path.insert(0, os.path.join(ROOT, "bench"))
from exactness import fold, t2s_table  # noqa: E402
from relevance import load_qrels, load_queries  # noqa: E402


def top(db, spec, query, k=10):
    cmd = [IDX, "search", "--db", db, "--json", "--limit", str(k)]
    if spec:
        cmd += ["--rank", spec]
    out = subprocess.run(cmd + ["--", query], check=True, capture_output=True, text=True).stdout
    return [h["id"] for h in json.loads(out)["hits"]]


def passages(body, parts, table, width=160, most=3):
    folded = fold(body, table).lower()
    if len(folded) != len(body):  # NFKC changed lengths: search the folded text instead
        body = folded
    found = []
    for p in parts:
        i = folded.find(p)
        if i >= 0:
            found.append(i)
    out, last = [], -1
    for i in sorted(found):
        a = max(0, i - width // 3)
        if a <= last:
            continue
        out.append(body[a:a + width])
        last = a + width
        if len(out) == most:
            break
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    db, specs, alt = sys.argv[1], sys.argv[2:], {}
    if specs[:1] == ["--alt"]:
        with open(specs[1], encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                qid, text = line.rstrip("\n").split("\t")[:2]
                alt[qid] = text
        specs = specs[2:]
    table = t2s_table()
    done = {(q, d) for q, grades in load_qrels().items() for d in grades}
    rng = random.Random(19)
    for qid, qtype, _qset, query, need in load_queries():
        ids = []
        runs = [(spec, query) for spec in specs] + ([("", alt[qid])] if qid in alt else [])
        for spec, text in runs:
            for d in top(db, spec, text):
                if d not in ids:
                    ids.append(d)
        ids = [d for d in ids if (qid, d) not in done]
        rng.shuffle(ids)
        parts = [fold(p, table).lower() for p in re.split(r"\s+", query) if p]
        for d in ids:
            doc = json.loads(subprocess.run([IDX, "get", "--db", db, d], check=True,
                                            capture_output=True, text=True).stdout)
            body = doc.get("body") or ""
            print(json.dumps({"qid": qid, "type": qtype, "query": query, "need": need, "id": d,
                              "title": doc.get("title"), "date": doc.get("date"),
                              "chars": len(body), "lead": body[:300],
                              "passages": passages(body, parts, table)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
