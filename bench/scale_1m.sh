#!/usr/bin/env bash
# scale_1m.sh: the one-million-post run of issue #8.  Writes the synthetic
# corpus (bench/gen_corpus.py, learned from the Istio site), builds its
# index, and prints the build's wall and CPU time, peak RSS, index size
# and the query latency over the relevance queries.  Takes hours on a
# 2-core machine; not part of CI.
#
#   bench/scale_1m.sh [OUT]        (default /tmp/c1m; the index goes to
#                                   OUT/db, the logs to OUT/*.log)
#
# The corpus is posts 0-99,999 from seed 1 (the 100k corpus of
# bench_scale.py: hard-linked from $REUSE_100K when that is given), then
# posts 100,000-549,999 from seed 2 and 550,000-999,999 from seed 3,
# written by two processes at once.  Each step is skipped when its output
# is already there, so the run can be resumed.
#
# Environment: RECAP_BIN (default build/), SOURCE (the site to learn
# from, default ../shared/corpus/istio.io/content), REUSE_100K, POSTS
# (default 1000000; must be at least 100,000), GEN_ONLY (write the corpus
# and stop).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RECAP_BIN:-$PWD/build}
SRC=${SOURCE:-../shared/corpus/istio.io/content}
OUT=${1:-/tmp/c1m}
POSTS=${POSTS:-1000000}
[ -d "$SRC" ] || { echo "scale_1m: no source site at $SRC (set SOURCE)" >&2; exit 2; }
[ "$POSTS" -ge 100000 ] || { echo "scale_1m: POSTS must be at least 100000" >&2; exit 2; }
mkdir -p "$OUT"

gen() { # SEED FIRST N
  python3 bench/gen_corpus.py --from "$SRC" --seed "$1" --first "$2" \
    --posts "$3" --out "$OUT" 2>"$OUT/gen-$1.log"
}

if [ ! -e "$OUT/.generated" ]; then
  t0=$(date +%s)
  if [ -n "${REUSE_100K:-}" ]; then
    cp -al "$REUSE_100K/content" "$OUT/" 2>/dev/null ||
      cp -a "$REUSE_100K/content" "$OUT/"
  else
    gen 1 0 100000
  fi
  rest=$((POSTS - 100000))
  half=$((rest / 2))
  gen 2 100000 "$half" &
  g2=$!
  gen 3 $((100000 + half)) $((rest - half)) &
  g3=$!
  wait "$g2"
  wait "$g3"
  echo "corpus: $POSTS posts, $(du -sm --apparent-size "$OUT/content" | cut -f1) MB of markdown," \
    "generated in $(($(date +%s) - t0)) s" | tee "$OUT/gen.summary"
  touch "$OUT/.generated"
fi
[ -z "${GEN_ONLY:-}" ] || exit 0

if [ ! -e "$OUT/db/XAPIANDB" ]; then
  /usr/bin/time -v "$BIN/recapsearch-index" --progress --db "$OUT/db" \
    "$OUT/content" 2>"$OUT/build.log" >"$OUT/build.out" || {
    echo "scale_1m: the build failed, see $OUT/build.log" >&2
    exit 1
  }
fi
grep -E "Elapsed|User time|System time|Maximum resident" "$OUT/build.log"
echo "index: $(du -sm "$OUT/db" | cut -f1) MB"
"$BIN/bench_query" "$OUT/db" ../shared/relevance/queries.tsv 3
BENCH_NO_SNIPPETS=1 "$BIN/bench_query" "$OUT/db" ../shared/relevance/queries.tsv 3
