#!/usr/bin/env python3
"""Scaling benchmark: build time, index size, memory and query latency
against corpus size, on synthetic corpora from gen_corpus.py.

For each size (default 10000 and 100000 posts) it generates the corpus
(seed 1, learned from --from) unless --corpora already holds it, builds the
index with recapsearch-index (optionally with --shards), and runs
build/bench_query over the relevance query set.  Prints one table.

Usage: bench/bench_scale.py --from ../shared/corpus/istio.io/content
           [--sizes 10000,100000] [--corpora /tmp] [--shards N]
           [--rounds N] [--keep] [--max-median-ms MS] [--max-p99-ms MS]

With --max-median-ms or --max-p99-ms it exits with status 1 when a size's
query latency (with snippets) is over the limit, for CI
(tests/bench_scale.sh).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def du(path):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, fs in os.walk(path) for f in fs)


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit("failed: %s\n%s" % (" ".join(cmd), err[-2000:]))
    return (time.perf_counter() - t0, ru.ru_utime + ru.ru_stime,
            ru.ru_maxrss / 1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="src", required=True)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--corpora", default="/tmp")
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--queries", default=os.path.join(
        HERE, "..", "..", "shared", "relevance", "queries.tsv"))
    ap.add_argument("--shards", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--max-median-ms", type=float)
    ap.add_argument("--max-p99-ms", type=float)
    ap.add_argument("--keep", action="store_true",
                    help="keep the indexes next to the corpora")
    a = ap.parse_args()
    b = os.path.abspath(a.bin)
    rows = []
    for n in [int(x) for x in a.sizes.split(",")]:
        corpus = os.path.join(a.corpora, "recap-corpus-%d" % n)
        if not os.path.isdir(os.path.join(corpus, "content")):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"),
                            "--from", a.src, "--posts", str(n), "--seed", "1",
                            "--out", corpus], check=True)
        content = os.path.join(corpus, "content")
        mb = du(content) / 1e6
        db = os.path.join(corpus, "db")
        shutil.rmtree(db, ignore_errors=True)
        cmd = [os.path.join(b, "recapsearch-index"), "-q", "--db", db]
        if a.shards:
            cmd += ["--shards", str(a.shards)]
        wall, cpu, rss = timed(cmd + [content])
        size = du(db) - sum(du(os.path.join(db, g)) for g in os.listdir(db)
                            if g.startswith("gen-") and
                            g not in open(os.path.join(db, "XAPIANDB")).read())
        out = subprocess.run([os.path.join(b, "bench_query"), db, a.queries,
                              str(a.rounds)], capture_output=True, text=True,
                             check=True).stdout
        per = sorted(float(m.group(1)) for m in
                     re.finditer(r"^q\S+\s+([\d.]+) ms", out, re.M))
        med = per[len(per) // 2]
        p95 = per[min(len(per) - 1, round(0.95 * (len(per) - 1)))]
        p99 = per[min(len(per) - 1, round(0.99 * (len(per) - 1)))]
        rows.append((n, mb, wall, cpu, rss, size / 1e6, med, p95, p99))
        if not a.keep:
            shutil.rmtree(db, ignore_errors=True)
    print("| posts | markdown MB | build wall s | build CPU s | MB/s (wall) "
          "| peak RSS MiB | index MB | query median ms | p95 | p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, mb, wall, cpu, rss, size, med, p95, p99 in rows:
        print("| %d | %.0f | %.1f | %.1f | %.2f | %.0f | %.0f | %.2f | %.2f "
              "| %.2f |" % (n, mb, wall, cpu, mb / wall, rss, size, med, p95,
                            p99))
    bad = [n for n, _, _, _, _, _, med, _, p99 in rows
           if (a.max_median_ms is not None and med > a.max_median_ms) or
           (a.max_p99_ms is not None and p99 > a.max_p99_ms)]
    if bad:
        sys.exit("query latency over the limit at %s posts" %
                 ", ".join(str(n) for n in bad))


if __name__ == "__main__":
    main()
