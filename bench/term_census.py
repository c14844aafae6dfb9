#!/usr/bin/python3
"""Term census of an index: distinct terms, postings and positions by kind.

Kinds are the term prefixes of lib/schema.h ("" for unprefixed words, "Z"
stems, "S" title, "XC" code...), each split into terms with CJK text
("cjk1" single characters, "cjk2" bigrams), terms with digits, and the
others.  Reads every document's term list with Xapian's Python bindings
(Debian python3-xapian; run it with /usr/bin/python3 when another
python3 comes first on the PATH):

  /usr/bin/python3 bench/term_census.py .recapsearch
"""
import collections
import re
import sys

import xapian

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
PREFIX = re.compile(r"^(Z?)(XD|XH|XC|XS|XT|XY|[A-Z]?)(.*)$", re.S)


def kind(term):
    z, prefix, word = PREFIX.match(term).groups()
    k = (z + prefix) or '""'
    if CJK.search(word):
        return "%s cjk%d" % (k, len(word))
    if re.search(r"[0-9]", word):
        return k + " digit"
    return k


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = xapian.Database(sys.argv[1])
    terms, posts, poss = (collections.Counter() for _ in range(3))
    kinds = {}
    for did in range(1, db.get_lastdocid() + 1):
        try:
            doc = db.get_document(did)
        except xapian.DocNotFoundError:
            continue
        for t in doc.termlist():
            k = kinds.get(t.term)
            if k is None:
                k = kinds[t.term] = kind(t.term.decode("utf-8", "replace"))
                terms[k] += 1
            posts[k] += 1
            poss[k] += sum(1 for _ in t.positer)
    print("| kind | distinct terms | postings | positions |")
    print("|---|---|---|---|")
    for k in sorted(posts, key=lambda k: -posts[k]):
        print("| %s | %d | %d | %d |" % (k, terms[k], posts[k], poss[k]))
    print("| total | %d | %d | %d |" % (sum(terms.values()),
                                        sum(posts.values()),
                                        sum(poss.values())))


if __name__ == "__main__":
    main()
