#!/usr/bin/env python3
"""bench/relevance/agreement.py - how far two judges agree on the pairs both graded:
qrels.tsv (the judge used for scoring) against qrels_second.tsv (a second judge on a
sample).  Prints the pairs compared, exact agreement, Cohen's kappa (unweighted and with
linear weights for the 0/1/2 scale), agreement on relevant (grade >= 1) or not, and the
confusion matrix.  usage: bench/relevance/agreement.py
"""
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from relevance import load_qrels  # noqa: E402


def load(name):
    """(qid, article id) -> grade."""
    return {(q, d): g for q, grades in load_qrels(name).items() for d, g in grades.items()}


def kappa(pairs, weight):
    n = len(pairs)
    a = Counter(x for x, _ in pairs)
    b = Counter(y for _, y in pairs)
    obs = sum(weight(x, y) for x, y in pairs) / n
    exp = sum(a[i] * b[j] * weight(i, j) for i in range(3) for j in range(3)) / (n * n)
    return (obs - exp) / (1 - exp)


def main():
    first, second = load("qrels.tsv"), load("qrels_second.tsv")
    pairs = [(first[k], second[k]) for k in second if k in first]
    n = len(pairs)
    print(f"pairs graded by both judges: {n} ({len({k[0] for k in second})} queries)")
    print(f"exact agreement: {sum(1 for x, y in pairs if x == y) / n:.3f}")
    print(f"Cohen's kappa: {kappa(pairs, lambda i, j: 1.0 if i == j else 0.0):.3f} "
          f"(linear-weighted {kappa(pairs, lambda i, j: 1 - abs(i - j) / 2):.3f})")
    rel = [(x >= 1, y >= 1) for x, y in pairs]
    print(f"agreement on relevant (grade >= 1): {sum(1 for x, y in rel if x == y) / n:.3f}")
    c = Counter(pairs)
    print("confusion (rows: first judge, columns: second judge)")
    print("      0    1    2")
    for i in range(3):
        print(f"{i}  " + " ".join(f"{c[(i, j)]:4d}" for j in range(3)))


if __name__ == "__main__":
    main()
