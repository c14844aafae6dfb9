#!/usr/bin/env python3
"""Ranking quality of recapsearch on graded relevance judgments.

Runs every query of queries.tsv through `recapsearch --json`, restricted to
the query's language (en, zh for q51-q55, uk for q56-q58, as the judgments
were made), and reports nDCG@10 (gain 2^grade - 1), MRR (first hit of grade
>= 2) and P@5 (grade >= 1), per query and as means.

Usage: bench/relevance.py [--bin build] [--db DB] [--relevance DIR] [-v]
                          [--ranking K=V,...] [--save FILE] [--diff FILE]
The index must have been built from ../shared/corpus/istio.io/content.
--ranking passes ranking parameters to recapsearch; --save writes the
per-query figures as JSON and --diff prints each query's change against
such a file.  The summary also gives the means over the odd- and the
even-numbered queries, so that a change tuned on one half can be checked
on the other.
"""
import argparse
import json
import math
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def lang_of(qid):
    n = int(qid[1:])
    return "zh" if 51 <= n <= 55 else "uk" if 56 <= n <= 58 else "en"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(here, "..", "build"))
    ap.add_argument("--db", default=".recapsearch")
    ap.add_argument("--relevance",
                    default=os.path.join(here, "..", "..", "shared", "relevance"))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--ranking", help="ranking parameters for recapsearch")
    ap.add_argument("--save", help="write the per-query figures here (JSON)")
    ap.add_argument("--diff", help="per-query changes against a --save file")
    a = ap.parse_args()
    extra = ["--ranking", a.ranking] if a.ranking else []

    queries = []
    with open(os.path.join(a.relevance, "queries.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                qid, q = line.rstrip("\n").split("\t", 1)
                queries.append((qid, q))
    qrels = {}
    with open(os.path.join(a.relevance, "qrels.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) == 4:
                doc = p[2][len("content/"):] if p[2].startswith("content/") else p[2]
                qrels.setdefault(p[0], {})[doc] = int(p[3])

    sums = {"ndcg": 0.0, "mrr": 0.0, "p5": 0.0}
    per = {}
    for qid, q in queries:
        out = subprocess.run(
            [os.path.join(a.bin, "recapsearch"), "--db", a.db, "--json",
             "-n", "10", "--snippets", "0", "--lang", lang_of(qid)] + extra +
            ["--", q],
            capture_output=True, text=True)
        hits = json.loads(out.stdout)["hits"] if out.stdout else []
        paths = [h["path"] for h in hits]
        rel = qrels.get(qid, {})
        dcg = sum((2 ** rel.get(p, 0) - 1) / math.log2(i + 2)
                  for i, p in enumerate(paths[:10]))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg = dcg / idcg if idcg else 0.0
        rr = next((1.0 / (i + 1) for i, p in enumerate(paths)
                   if rel.get(p, 0) >= 2), 0.0)
        p5 = sum(1 for p in paths[:5] if rel.get(p, 0) >= 1) / 5.0
        sums["ndcg"] += ndcg
        sums["mrr"] += rr
        sums["p5"] += p5
        per[qid] = {"ndcg": ndcg, "mrr": rr, "p5": p5}
        if a.verbose:
            print(f"{qid}\t{ndcg:.3f}\t{rr:.3f}\t{p5:.2f}\t{q}")
            for i, p in enumerate(paths[:5]):
                print(f"\t\t{i + 1}. [{rel.get(p, '-')}] {p}")
    if a.diff:
        with open(a.diff, encoding="utf-8") as f:
            old = json.load(f)
        print("changed queries (nDCG@10, MRR, P@5: before -> after)")
        for qid, q in queries:
            o, m = old.get(qid), per[qid]
            if o and any(abs(o[k] - m[k]) > 1e-9 for k in m):
                print(f"{qid}\t{o['ndcg']:.3f} -> {m['ndcg']:.3f}  "
                      f"{o['mrr']:.3f} -> {m['mrr']:.3f}  "
                      f"{o['p5']:.2f} -> {m['p5']:.2f}\t{q}")
    if a.save:
        with open(a.save, "w", encoding="utf-8") as f:
            json.dump(per, f, indent=1)
    for name, ids in (("odd", [q for q, _ in queries if int(q[1:]) % 2]),
                      ("even", [q for q, _ in queries if not int(q[1:]) % 2])):
        if ids:
            print(f"  {name} {len(ids)}: nDCG@10 "
                  f"{sum(per[q]['ndcg'] for q in ids) / len(ids):.3f}  MRR "
                  f"{sum(per[q]['mrr'] for q in ids) / len(ids):.3f}  P@5 "
                  f"{sum(per[q]['p5'] for q in ids) / len(ids):.3f}")
    n = len(queries)
    print(f"queries {n}  nDCG@10 {sums['ndcg'] / n:.3f}  "
          f"MRR {sums['mrr'] / n:.3f}  P@5 {sums['p5'] / n:.3f}")


if __name__ == "__main__":
    sys.exit(main())
