#!/usr/bin/env python3
"""Index build benchmark: recapsearch against its peers on the same files.

Times, over --runs runs each (medians), the full build of a content folder
by recapsearch-index and by each peer found on the machine, and the
incremental update after one file changed.  Prints one markdown table:
wall and CPU seconds, peak RSS, markdown MB/s, index size as built and
after compaction, and our wall time as a ratio to each peer's (below 1: we
are faster).

Peers (each skipped with a note when its tool is missing):
  fts5       SQLite FTS5 through the sqlite3 CLI (Debian sqlite3): one table
             (path, body) filled with readfile(); compacted with
             'optimize' and VACUUM.
  xapian-py  Xapian from Python (python3-xapian): TermGenerator, English
             stemmer, positions, the file as document data.
  omindex    Xapian Omega's omindex (xapian-omega), markdown as text/plain.
  pagefind   Pagefind (npm; `npm install pagefind` in bench/, or the binary
             in $PAGEFIND), on HTML rendered from the markdown with the
             cmark-gfm CLI beforehand (not timed).

Usage: bench/bench_build.py [--content DIR] [--runs N] [--bin DIR]
                            [--peers fts5,xapian-py,omindex,pagefind]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
XAPIAN_PY = r'''
import os, sys, xapian
root, out = sys.argv[1], sys.argv[2]
db = xapian.WritableDatabase(out, xapian.DB_CREATE_OR_OVERWRITE)
tg = xapian.TermGenerator()
tg.set_stemmer(xapian.Stem("english"))
for d, _, files in sorted(os.walk(root)):
    for f in sorted(files):
        if not f.endswith(".md"):
            continue
        p = os.path.join(d, f)
        text = open(p, encoding="utf-8", errors="replace").read()
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(text)
        doc.set_data(text)
        rel = os.path.relpath(p, root)
        doc.add_boolean_term("Q" + rel)
        db.replace_document("Q" + rel, doc)
db.commit()
'''
XAPIAN_PY_UPDATE = r'''
import sys, xapian
out, root, rel = sys.argv[1], sys.argv[2], sys.argv[3]
db = xapian.WritableDatabase(out, xapian.DB_OPEN)
tg = xapian.TermGenerator()
tg.set_stemmer(xapian.Stem("english"))
text = open(root + "/" + rel, encoding="utf-8", errors="replace").read()
doc = xapian.Document()
tg.set_document(doc)
tg.index_text(text)
doc.set_data(text)
doc.add_boolean_term("Q" + rel)
db.replace_document("Q" + rel, doc)
db.commit()
'''


def run(cmd, **kw):
    """Runs cmd; returns (wall s, cpu s, peak RSS KiB)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def du(path):
    total = 0
    if os.path.isfile(path):
        return os.path.getsize(path)
    for d, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(d, f))
    return total


def md_bytes(root):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, fs in os.walk(root) for f in fs if f.endswith(".md"))


def live_generation(db):
    stub = os.path.join(db, "XAPIANDB")
    if os.path.exists(stub):
        return os.path.join(db, open(stub).read().split()[1])
    return db


def xapian_compacted(path, tmp):
    out = os.path.join(tmp, "compacted")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["xapian-compact", "--fuller", path, out],
                   stdout=subprocess.DEVNULL, check=True)
    size = du(out)
    shutil.rmtree(out)
    return size


class System:
    """One indexer: build(dst) and update(dst, relpath) commands."""

    def __init__(self, name, build, update=None, size=None, compact=None,
                 prepare=None):
        self.name, self.build, self.update = name, build, update
        self.size = size or du
        self.compact = compact
        self.prepare = prepare


def systems(a, content, tmp):
    b = os.path.abspath(a.bin)
    idx = os.path.join(b, "recapsearch-index")
    out = [System(
        "recapsearch",
        lambda dst: [idx, "-q", "--full", "--db", dst, content],
        lambda dst, rel: [idx, "-q", "--db", dst, content],
        size=lambda dst: du(live_generation(dst)),
        compact=lambda dst: xapian_compacted(live_generation(dst), tmp))]
    notes = []
    want = a.peers.split(",") if a.peers else []
    if "fts5" in want:
        if shutil.which("sqlite3"):
            sql = ("CREATE VIRTUAL TABLE d USING fts5(path, body);"
                   "INSERT INTO d SELECT name, readfile(name) FROM "
                   "fsdir('.') WHERE name LIKE '%.md';")
            out.append(System(
                "SQLite FTS5",
                lambda dst: ["sqlite3", dst, sql],
                lambda dst, rel: ["sqlite3", dst,
                                  f"UPDATE d SET body = readfile('./{rel}') "
                                  f"WHERE path = './{rel}';"],
                compact=lambda dst: fts5_compacted(dst, tmp)))
        else:
            notes.append("fts5: no sqlite3 (apt-get install sqlite3)")
    if "xapian-py" in want:
        py = next((p for p in (sys.executable, "/usr/bin/python3")
                   if subprocess.run([p, "-c", "import xapian"],
                                     capture_output=True).returncode == 0),
                  None)
        if py:
            out.append(System(
                "Xapian from Python",
                lambda dst: [py, "-c", XAPIAN_PY, content, dst],
                lambda dst, rel: [py, "-c", XAPIAN_PY_UPDATE, dst, content,
                                  rel],
                compact=lambda dst: xapian_compacted(dst, tmp)))
        else:
            notes.append("xapian-py: no python3-xapian")
    if "omindex" in want:
        if shutil.which("omindex"):
            cmd = lambda dst: ["omindex", "--db", dst, "--url", "/",
                               "--mime-type", "md:text/plain", "-p",
                               content]
            out.append(System("Xapian omindex", cmd,
                              lambda dst, rel: cmd(dst),
                              compact=lambda dst: xapian_compacted(dst, tmp)))
        else:
            notes.append("omindex: no xapian-omega")
    if "pagefind" in want:
        pf = os.environ.get("PAGEFIND") or shutil.which("pagefind") or \
            os.path.join(HERE, "node_modules", ".bin", "pagefind")
        if os.path.exists(pf) and shutil.which("cmark-gfm"):
            site = os.path.join(tmp, "site")
            out.append(System(
                "Pagefind",
                lambda dst: [pf, "--site", site, "--output-path", dst],
                None, prepare=lambda: render_html(content, site)))
        else:
            notes.append("pagefind: needs `npm install pagefind` in bench/ "
                         "(or $PAGEFIND) and the cmark-gfm CLI")
    return out, notes


def fts5_compacted(dst, tmp):
    copy = os.path.join(tmp, "fts5-compacted.db")
    shutil.copy(dst, copy)
    subprocess.run(["sqlite3", copy,
                    "INSERT INTO d(d) VALUES('optimize'); VACUUM;"],
                   check=True)
    size = os.path.getsize(copy)
    os.remove(copy)
    return size


def render_html(content, site):
    if os.path.isdir(site):
        return
    for d, _, files in os.walk(content):
        for f in files:
            if not f.endswith(".md"):
                continue
            rel = os.path.relpath(os.path.join(d, f), content)
            html = os.path.join(site, rel[:-3] + ".html")
            os.makedirs(os.path.dirname(html), exist_ok=True)
            body = subprocess.run(["cmark-gfm", os.path.join(d, f)],
                                  capture_output=True).stdout
            with open(html, "wb") as o:
                o.write(b"<html><body><main>" + body +
                        b"</main></body></html>")


def pick_file(content):
    for d, _, files in sorted(os.walk(content)):
        for f in sorted(files):
            if f.endswith(".md") and "blog" in d:
                return os.path.relpath(os.path.join(d, f), content)
    sys.exit("no markdown file to update")


def measure(s, content, tmp, runs, rel):
    if s.prepare:
        s.prepare()
    walls, cpus, rss, upd = [], [], [], []
    dst = None
    for i in range(runs):
        dst = os.path.join(tmp, f"{s.name.split()[0]}-{i}")
        cwd = content if s.name == "SQLite FTS5" else None
        w, c, r = run(s.build(os.path.abspath(dst)), cwd=cwd)
        walls.append(w)
        cpus.append(c)
        rss.append(r)
    size = s.size(dst)
    compacted = s.compact(dst) if s.compact else None
    if s.update:
        path = os.path.join(content, rel)
        for i in range(runs):
            with open(path, "a") as f:  # new content, as an edit
                f.write(f"\nBenchmark edit {i}.\n")
            cwd = content if s.name == "SQLite FTS5" else None
            upd.append(run(s.update(os.path.abspath(dst), rel), cwd=cwd)[0])
    for i in range(runs):
        p = os.path.join(tmp, f"{s.name.split()[0]}-{i}")
        shutil.rmtree(p, ignore_errors=True)
        if os.path.isfile(p):
            os.remove(p)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "rss": statistics.median(rss), "size": size,
            "compacted": compacted,
            "update": statistics.median(upd) if upd else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", default=os.path.join(
        HERE, "..", "..", "shared", "corpus", "istio.io", "content"))
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peers", default="fts5,xapian-py,omindex,pagefind")
    a = ap.parse_args()
    content = os.path.abspath(a.content)
    mb = md_bytes(content) / 1e6
    with tempfile.TemporaryDirectory(prefix="recap-bench-") as tmp:
        # Work on a copy: updates touch a file.
        copy = os.path.join(tmp, "content")
        shutil.copytree(content, copy)
        rel = pick_file(copy)
        syss, notes = systems(a, copy, tmp)
        res = {}
        for s in syss:
            res[s.name] = measure(s, copy, tmp, a.runs, rel)
    ours = res["recapsearch"]
    print(f"Full build of {a.content} ({mb:.1f} MB of markdown), median "
          f"of {a.runs} runs; update = one file changed.\n")
    print("| system | wall s | CPU s | peak RSS MiB | MB/s | index MB | "
          "compacted MB | update ms | ours/theirs (wall) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in res.items():
        ratio = "" if name == "recapsearch" else f"{ours['wall'] / r['wall']:.2f}"
        comp = f"{r['compacted'] / 1e6:.1f}" if r["compacted"] else "-"
        upd = f"{r['update'] * 1000:.0f}" if r["update"] is not None else "-"
        print(f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | "
              f"{r['rss'] / 1024:.0f} | {mb / r['wall']:.1f} | "
              f"{r['size'] / 1e6:.1f} | {comp} | {upd} | {ratio} |")
    for n in notes:
        print(f"\nskipped {n}")


if __name__ == "__main__":
    main()
