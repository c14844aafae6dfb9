#!/usr/bin/env bash
# bench/server.sh: load test of recapsearch-server with wrk; prints a table.
#
#   bench/server.sh [BUILD_DIR] [CONTENT_DIR]
#
# Indexes CONTENT_DIR (default: the Istio site in ../shared/corpus, with the
# standard Istio options; or give an existing index as DB=DIR), starts the
# server on a free loopback port and runs wrk ($CONNECTIONS connections,
# $DURATION seconds each) over a mix of queries written by
# bench/server_queries.py: the relevance queries (../shared/relevance/
# queries.tsv) and ~2,000 two-word queries from the site's titles and
# headings, each request the next query of the list (bench/server.lua):
#   1 /search, 10 hits with 3 snippets each, answer cache off: every
#     request is a search (the cost of search + snippets + JSON + HTTP);
#   2 the same with snippets=0 (titles only): the share of the snippets;
#   3 /search with the answer cache, warmed by one pass over the mix: every
#     request is a cache hit (the cost of the server alone);
#   4 /search with the answer cache, from cold, queries drawn with Zipf's
#     law (a few popular queries, a long tail): what a site sees;
#   5 /suggest over every prefix of the queries as typed, cache off;
#   6 /suggest with the answer cache, warm;
#   7 /search (cache on) while recapsearch-index rebuilds the index twice:
#     wrk must see no socket errors and no non-2xx answers;
#   8 as run 1, but the connections offer about $RATE requests a second
#     (default 3000) instead of as many as the server can answer: each
#     waits a random time before each request (THINK_MS in
#     bench/server.lua, 90% of CONNECTIONS / RATE on average, so that the
#     load ends a little above RATE), as visitors arrive at random moments.
#     Run 1 gives the most the server answers and the latency when
#     requests always queue (with 64 always waiting, the mean latency is
#     64 / (requests/s)); run 8 the latency at a given load.
# RUNS=12345678 picks runs; THREADS (server), WRK_THREADS, DURATION,
# CONNECTIONS, REBUILD_DURATION tune them; SERVER=PATH runs another build of
# recapsearch-server (a baseline) with the same index and queries.  The table gives requests/s,
# latency percentiles, errors (socket errors + non-2xx answers), the
# server's CPU time per request (user + system, from /proc: the figure that
# other load on the machine disturbs least) and the load average before
# the run.  Needs wrk (apt-get install wrk) and python3.  Everything stays
# on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/server_lib.bash
BUILD=${1:-build}
CONTENT=${2:-$(first ../shared/corpus/istio.io/content ../../shared/corpus/istio.io/content)}
QUERIES_TSV=${QUERIES_TSV:-$(first ../shared/relevance/queries.tsv ../../shared/relevance/queries.tsv)}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WRK_THREADS=${WRK_THREADS:-2}
REBUILD_DURATION=${REBUILD_DURATION:-60} # long enough for two rebuilds under load
RUNS=${RUNS:-12345678}
RATE=${RATE:-3000}
SERVER=${SERVER:-$BUILD/recapsearch-server} # e.g. another build, to compare
need_wrk
[ -d "$CONTENT" ] || { echo "no content folder at $CONTENT" >&2; exit 2; }
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && { kill "$PID"; wait "$PID"; } 2>/dev/null; rm -rf "$TMP"' EXIT

index_opts "$CONTENT"
if [ -n "${DB:-}" ]; then
  echo "== index $DB (given)"
else
  DB=$TMP/db
  echo "== indexing $CONTENT"
  "$BUILD/recapsearch-index" -q "${INDEX_OPTS[@]}" --db "$DB" "$CONTENT"
fi
TSV=$QUERIES_TSV
[ -f "$TSV" ] || TSV=/dev/null
python3 bench/server_queries.py "$CONTENT" "$TSV" >"$TMP/queries.txt"
python3 bench/server_queries.py --prefixes 300 "$CONTENT" "$TSV" >"$TMP/prefixes.txt"
echo "== $(wc -l <"$TMP/queries.txt") queries, $(wc -l <"$TMP/prefixes.txt") prefixes; $(nproc) CPUs; server --threads $THREADS; wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s"

start() { # start [SERVER OPTIONS...]
  [ -n "$PID" ] && { kill "$PID"; wait "$PID" 2>/dev/null || true; }
  rm -f "$TMP/err" # not the last server's port
  "$SERVER" --db "$DB" --listen 127.0.0.1:0 \
    --threads "$THREADS" "$@" 2>"$TMP/err" &
  PID=$!
  wait_port "$TMP/err" 50
  URL=http://127.0.0.1:$PORT
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }

# run LABEL PATH LIST [zipf] [DURATION]: one wrk run, one table row.
run() {
  local label=$1 path=$2 list=$3 mode=${4:-} dur=${5:-$DURATION} load c0 c1
  load=$(cut -d' ' -f1 /proc/loadavg)
  c0=$(cpu_ticks)
  THINK_MS=${THINK_MS:-} wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${dur}s" --timeout 10s --latency \
    -s bench/server.lua "$URL" -- "$path" "$list" $mode >"$TMP/wrk.out"
  c1=$(cpu_ticks)
  awk -v label="$label" -v load="$load" -v ticks=$((c1 - c0)) \
      -v hz="$(getconf CLK_TCK)" '
    function ms(s) { # wrk prints 812.00us, 3.25ms, 1.02s
      if (s ~ /us$/) return s / 1000; if (s ~ /ms$/) return s + 0
      if (s ~ /s$/) return s * 1000; return s }
    /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { n = $1 }
    /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { errs += $NF }
    /Socket errors/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errs += $i + 0 }
    END { printf "| %-44s | %8.0f | %7.2f | %7.2f | %7.2f | %6d | %7.0f | %5s |\n",
                 label, rps, p50, p90, p99, errs, n ? ticks / hz * 1e6 / n : 0, load }' \
    "$TMP/wrk.out" >>"$TMP/table"
  echo "   done: $label"
}

warm() { # warm PATH LIST: asks each query once, to fill the answer cache
  python3 - "$URL$1" "$2" <<'EOF'
import sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, lines = sys.argv[1], open(sys.argv[2]).read().split()
with ThreadPoolExecutor(4) as pool:
    list(pool.map(lambda q: urllib.request.urlopen(url + q).read(), lines))
EOF
}

want() { [[ $RUNS == *$1* ]]; }
: >"$TMP/table"
S="/search?limit=10&q="

if want 1; then start --cache 0; run "1 /search, snippets, no cache" "$S" "$TMP/queries.txt"; fi
if want 8; then
  start --cache 0
  THINK_MS=$(awk -v c="$CONNECTIONS" -v r="$RATE" 'BEGIN { printf "%.1f", 0.9 * 1000 * c / r }')
  run "8 /search, snippets, no cache, ~$RATE req/s" "$S" "$TMP/queries.txt"
  THINK_MS=
fi
if want 2; then start --cache 0; run "2 /search, snippets=0, no cache" "/search?limit=10&snippets=0&q=" "$TMP/queries.txt"; fi
if want 3; then start; warm "$S" "$TMP/queries.txt"; run "3 /search, snippets, cache warm (all hits)" "$S" "$TMP/queries.txt"; fi
if want 4; then
  start; run "4 /search, snippets, cache from cold, Zipf" "$S" "$TMP/queries.txt" zipf
  curl -s "$URL/metrics" | awk '/^recapsearch_cache_(hits|misses)_total/ { v[$1] = $2 }
    END { h = v["recapsearch_cache_hits_total"]; m = v["recapsearch_cache_misses_total"]
          printf "   (run 4: %d cache hits, %d misses: %.1f%% hits)\n", h, m, 100 * h / (h + m) }' >>"$TMP/notes"
fi
if want 5; then start --cache 0; run "5 /suggest, no cache" "/suggest?q=" "$TMP/prefixes.txt"; fi
if want 6; then start; warm "/suggest?q=" "$TMP/prefixes.txt"; run "6 /suggest, cache warm" "/suggest?q=" "$TMP/prefixes.txt"; fi
if want 7; then
  start
  before=$(curl -s "$URL/healthz")
  (
    sleep 2
    for i in 1 2; do
      nice "$BUILD/recapsearch-index" -q --full "${INDEX_OPTS[@]}" --db "$DB" "$CONTENT"
      echo "   (rebuild $i committed at $(date +%T))" >>"$TMP/notes"
    done
  ) &
  REBUILD=$!
  run "7 /search during two full rebuilds" "$S" "$TMP/queries.txt" "" "$REBUILD_DURATION"
  wait "$REBUILD" # not a bare wait: the server is a child too
  echo "   (run 7: before $before, after $(curl -s "$URL/healthz"))" >>"$TMP/notes"
fi

echo
echo "| run                                          |    req/s | p50 ms  | p90 ms  | p99 ms  | errors | CPU us/req | load |"
echo "|----------------------------------------------|---------:|--------:|--------:|--------:|-------:|--------:|-----:|"
cat "$TMP/table"
[ -f "$TMP/notes" ] && cat "$TMP/notes"
exit 0
