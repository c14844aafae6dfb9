#!/usr/bin/env python3
"""Writes the query mix of bench/server.sh, one URL-encoded query a line.

    bench/server_queries.py CONTENT_DIR QUERIES_TSV [N] > queries.txt
    bench/server_queries.py --prefixes M CONTENT_DIR QUERIES_TSV > prefixes.txt

The mix is the relevance queries (QUERIES_TSV: id TAB query; English,
Chinese and Ukrainian), then N two-word queries taken from the index's
vocabulary as people would type them: pairs of neighbouring words of the
pages' titles and headings ("egress gateway", "sidecar injection"), lower-cased, short
and common words left out, each pair once, in a fixed pseudo-random order
(the same list on every run).  With --prefixes M: every distinct prefix
of the first M queries of that list, as typed ("s", "si", "sid"...), for
/suggest.
"""
import os
import random
import re
import sys
import urllib.parse

STOP = set("""a an and are as at be by can for from how in into is it its of on
or the to via vs what when why with without your you using use new""".split())


def titles(content):
    """The title and the headings of every page."""
    for root, _dirs, files in os.walk(content):
        for name in files:
            if not name.endswith(".md"):
                continue
            try:
                with open(os.path.join(root, name), encoding="utf-8",
                          errors="replace") as f:
                    text = f.read()
            except OSError:
                continue
            m = re.search(r"^title:\s*(.+)$", text[:4096], re.M)
            if m:
                yield m.group(1).strip().strip("\"'")
            text = re.sub(r"^ *(```|\{\{< *text).*?^ *(```|\{\{< */text)", "",
                          text, flags=re.M | re.S)  # code blocks
            for h in re.findall(r"^#{1,4} +(.+)$", text, re.M):
                yield re.sub(r"\{#[^}]*\}", "", h)  # without the anchor


def pairs(content):
    seen = set()
    for t in titles(content):
        words = [w for w in re.findall(r"[a-z][a-z0-9-]+", t.lower())]
        for a, b in zip(words, words[1:]):
            if a in STOP or b in STOP or len(a) < 3 or len(b) < 3 or a == b:
                continue
            if (a, b) not in seen:
                seen.add((a, b))
    out = sorted(seen)
    random.Random(1).shuffle(out)
    return [a + " " + b for a, b in out]


def main():
    args = sys.argv[1:]
    prefixes = 0
    if args[:1] == ["--prefixes"] and len(args) > 1:
        prefixes = int(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    content, tsv = args[0], args[1]
    n = int(args[2]) if len(args) > 2 else 2000
    queries = []
    with open(tsv, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and parts[1].strip():
                queries.append(parts[1].strip())
    queries += pairs(content)[:n]
    if prefixes:
        seen, typed = set(), []
        for q in queries[:prefixes]:
            for i in range(1, len(q) + 1):
                if q[:i].strip() and q[:i] not in seen:
                    seen.add(q[:i])
                    typed.append(q[:i])
        queries = typed
    for q in queries:
        print(urllib.parse.quote_plus(q))


if __name__ == "__main__":
    main()
