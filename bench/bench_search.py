#!/usr/bin/env python3
"""Query latency benchmark: recapsearch against its peers on the same files.

Builds each system's index of a content folder (as bench_build.py does),
then over the relevance query set (../shared/relevance/queries.tsv):

  in-process   10 hits with snippets, each query run --rounds times after a
               warm-up; per-query medians, then median / p95 / p99 over the
               queries.  Ours through build/bench_query (the public C API);
               SQLite FTS5 through Python's sqlite3 module (bm25 order,
               snippet()); Xapian through python3-xapian (MSet.snippet).
               The peers are also timed without snippets.
  CLI          whole-process latency with hyperfine (mean of --cli-runs
               runs, median over the queries): `recapsearch QUERY`, Xapian's
               `quest`, the `sqlite3` CLI.

Usage: bench/bench_search.py [--content DIR] [--queries FILE] [--bin DIR]
                             [--rounds N] [--cli-runs N] [--cli-queries N]
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_build  # noqa: E402  (same folder)

XAPIAN_SEARCH = r'''
import json, statistics, sys, time, xapian
db = xapian.Database(sys.argv[1])
queries = json.loads(sys.argv[2])
rounds = int(sys.argv[3])
stem = xapian.Stem("english")
qp = xapian.QueryParser()
qp.set_database(db)
qp.set_stemmer(stem)
qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
enq = xapian.Enquire(db)
out = {"snip": [], "plain": []}
for q in queries:
    for mode in ("snip", "plain"):
        times = []
        for r in range(rounds + 1):
            t0 = time.perf_counter()
            query = qp.parse_query(q)
            enq.set_query(query)
            m = enq.get_mset(0, 10)
            for it in m:
                data = it.document.get_data()
                if mode == "snip":
                    m.snippet(data.decode("utf-8", "replace"), 200, stem)
            if r:
                times.append(time.perf_counter() - t0)
        out[mode].append(statistics.median(times))
print(json.dumps(out))
'''


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def stats_ms(v):
    return (statistics.median(v) * 1e3, pct(v, 95) * 1e3, pct(v, 99) * 1e3)


def read_queries(path):
    qs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "\t" in line:
                qid, q = line.rstrip("\n").split("\t", 1)
                qs.append((qid, q))
    return qs


def ours_in_process(a, db, queries_file, snippets=True):
    env = dict(os.environ)
    if not snippets:
        env["BENCH_NO_SNIPPETS"] = "1"
    out = subprocess.run([os.path.join(a.bin, "bench_query"), db,
                          queries_file, str(a.rounds)], env=env,
                         capture_output=True, text=True, check=True).stdout
    per = [float(m.group(1)) / 1e3 for m in
           re.finditer(r"^q\S+\s+([\d.]+) ms", out, re.M)]
    return per


def fts5_terms(q):
    words = re.findall(r"\w+", q)
    return " ".join('"%s"' % w for w in words) or '""'


def fts5_in_process(db, queries, rounds):
    con = sqlite3.connect(db)
    res = {"snip": [], "plain": []}
    sql = {"snip": "SELECT path, snippet(d, 1, '<b>', '</b>', '…', 30) "
                   "FROM d WHERE d MATCH ? ORDER BY rank LIMIT 10",
           "plain": "SELECT path FROM d WHERE d MATCH ? ORDER BY rank "
                    "LIMIT 10"}
    for _, q in queries:
        m = fts5_terms(q)
        for mode in ("snip", "plain"):
            times = []
            for r in range(rounds + 1):
                t0 = time.perf_counter()
                con.execute(sql[mode], (m,)).fetchall()
                if r:
                    times.append(time.perf_counter() - t0)
            res[mode].append(statistics.median(times))
    return res


def xapian_in_process(py, db, queries, rounds):
    out = subprocess.run([py, "-c", XAPIAN_SEARCH, db,
                          json.dumps([q for _, q in queries]), str(rounds)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def hyperfine(cmds, runs):
    """Mean seconds of each command, measured by hyperfine."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs",
                        str(runs), "--export-json", f.name, "-i"] + cmds,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        return [r["mean"] for r in json.load(open(f.name))["results"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", default=os.path.join(
        HERE, "..", "..", "shared", "corpus", "istio.io", "content"))
    ap.add_argument("--queries", default=os.path.join(
        HERE, "..", "..", "shared", "relevance", "queries.tsv"))
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--cli-runs", type=int, default=20)
    ap.add_argument("--cli-queries", type=int, default=8)
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    content = os.path.abspath(a.content)
    queries = read_queries(a.queries)
    en = [(i, q) for i, q in queries if not 51 <= int(i[1:]) <= 58]
    py = next((p for p in (sys.executable, "/usr/bin/python3")
               if subprocess.run([p, "-c", "import xapian"],
                                 capture_output=True).returncode == 0), None)
    rows, cli = [], []
    with tempfile.TemporaryDirectory(prefix="recap-search-") as tmp:
        ours = os.path.join(tmp, "ours")
        subprocess.run([os.path.join(a.bin, "recapsearch-index"), "-q",
                        "--db", ours, content], check=True)
        fts = os.path.join(tmp, "fts5.db")
        subprocess.run(["sqlite3", fts,
                        "CREATE VIRTUAL TABLE d USING fts5(path, body);"
                        "INSERT INTO d SELECT name, readfile(name) FROM "
                        "fsdir('.') WHERE name LIKE '%.md';"],
                       cwd=content, check=True)
        per = ours_in_process(a, ours, a.queries)
        plain = ours_in_process(a, ours, a.queries, snippets=False)
        rows.append(("recapsearch", stats_ms(per), stats_ms(plain)))
        f = fts5_in_process(fts, queries, a.rounds)
        rows.append(("SQLite FTS5", stats_ms(f["snip"]),
                     stats_ms(f["plain"])))
        xdb = None
        if py:
            xdb = os.path.join(tmp, "xapian")
            subprocess.run([py, "-c", bench_build.XAPIAN_PY, content, xdb],
                           check=True)
            x = xapian_in_process(py, xdb, queries, a.rounds)
            rows.append(("Xapian from Python", stats_ms(x["snip"]),
                         stats_ms(x["plain"])))
        if shutil.which("hyperfine"):
            sample = en[:: max(1, len(en) // a.cli_queries)][:a.cli_queries]
            systems = [("recapsearch", lambda q: [
                os.path.join(a.bin, "recapsearch"), "--db", ours, q])]
            systems.append(("sqlite3 CLI (FTS5)", lambda q: [
                "sqlite3", fts, "SELECT path, snippet(d, 1, '<b>', '</b>', "
                "'…', 30) FROM d WHERE d MATCH '%s' ORDER BY rank LIMIT 10"
                % fts5_terms(q).replace("'", "''")]))
            if xdb and shutil.which("quest"):
                systems.append(("Xapian quest", lambda q: [
                    "quest", "-d", xdb, "-m", "10", q]))
            for name, mk in systems:
                means = hyperfine([" ".join(shlex_quote(x) for x in mk(q))
                                   for _, q in sample], a.cli_runs)
                cli.append((name, statistics.median(means) * 1e3))
    print(f"In-process latency, 10 hits, {len(queries)} queries, median of "
          f"{a.rounds} rounds per query; ms.\n")
    print("| system | with snippets: median | p95 | p99 | no snippets: "
          "median | p95 | p99 | ours/theirs (median, snippets) |")
    print("|---|---|---|---|---|---|---|---|")
    base = rows[0][1][0]
    for name, s, p in rows:
        ps = " | ".join(f"{x:.3f}" for x in p) if p else "- | - | -"
        ratio = "" if name == "recapsearch" else f"{base / s[0]:.2f}"
        print(f"| {name} | {s[0]:.3f} | {s[1]:.3f} | {s[2]:.3f} | {ps} | "
              f"{ratio} |")
    if cli:
        print(f"\nWhole-process latency (hyperfine, {a.cli_runs} runs of "
              f"each of {a.cli_queries} queries, median of the means); ms.\n")
        print("| command | median ms | ours/theirs |")
        print("|---|---|---|")
        for name, ms in cli:
            ratio = "" if name == "recapsearch" else f"{cli[0][1] / ms:.2f}"
            print(f"| {name} | {ms:.2f} | {ratio} |")


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


if __name__ == "__main__":
    main()
