#!/usr/bin/env bash
# bench/tsan_server.sh: recapsearch-server built with ThreadSanitizer,
# under mixed load while its index is reloaded and rebuilt; reports the
# data races TSan saw.  Minutes of CPU; not part of CI.
#
#   bench/tsan_server.sh [CONTENT_DIR]     (default: the Istio site)
#
# Builds the server and the indexer with -fsanitize=thread into a
# temporary folder, indexes CONTENT_DIR, starts the server with 3 threads
# and the answer cache off, and for $DURATION seconds (default 20) runs
# wrk on /search, /suggest and /related at once, curl on /metrics,
# /healthz and a faceted /search, sends SIGHUP, rebuilds the index with
# the plain indexer (the server picks it up), and SIGHUP again.  Prints
# each race's summary line and exits 1 when there was one.
#
# The match time limit is turned off (--time-limit 0): Xapian implements
# it with a POSIX timer whose glibc helper thread TSan does not see, and
# TSan's allocator crashes in it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/server_lib.bash
CONTENT=${1:-$(first ../shared/corpus/istio.io/content ../../shared/corpus/istio.io/content)}
QUERIES_TSV=$(first ../shared/relevance/queries.tsv ../../shared/relevance/queries.tsv)
DURATION=${DURATION:-20}
need_wrk
[ -d "$CONTENT" ] || { echo "no content folder at $CONTENT" >&2; exit 2; }
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT

index_opts "$CONTENT"
echo "== building with -fsanitize=thread"
CFLAGS="-fsanitize=thread -g -O1" CXXFLAGS="-fsanitize=thread -g -O1" \
  LDFLAGS="-fsanitize=thread" cmake -S . -B "$TMP/build" >/dev/null
cmake --build "$TMP/build" -j"$(nproc)" --target recapsearch-server recapsearch-index recapsearch >/dev/null
echo "== indexing $CONTENT"
"$TMP/build/recapsearch-index" -q "${INDEX_OPTS[@]}" --db "$TMP/db" "$CONTENT"
python3 bench/server_queries.py "$CONTENT" "$QUERIES_TSV" >"$TMP/queries"
python3 bench/server_queries.py --prefixes 300 "$CONTENT" "$QUERIES_TSV" >"$TMP/prefixes"
"$TMP/build/recapsearch" --db "$TMP/db" --json --limit 50 "mesh" |
  python3 -c 'import json, sys; [print("path=" + h["path"]) for h in json.load(sys.stdin)["hits"]]' >"$TMP/related"
[ -s "$TMP/related" ] || head -n 1 "$TMP/queries" | sed 's/^/q=/' >"$TMP/related"

TSAN_OPTIONS="halt_on_error=0 log_path=$TMP/tsan" "$TMP/build/recapsearch-server" \
  --db "$TMP/db" --listen 127.0.0.1:0 --threads 3 --cache 0 --time-limit 0 2>"$TMP/err" &
PID=$!
wait_port "$TMP/err" 100
URL=http://127.0.0.1:$PORT
echo "== load for ${DURATION}s on $URL"
load() { wrk -t1 -c"$1" -d"${DURATION}s" --timeout 30s -s bench/server.lua "$URL" -- "$2" "$3" | grep -E "Requests/sec|errors|Non-2xx" |
  while read -r l; do echo "   $2 $l"; done; }
load 16 "/search?limit=10&q=" "$TMP/queries" &
load 8 "/suggest?q=" "$TMP/prefixes" &
load 4 "/related?" "$TMP/related" &
end=$((SECONDS + DURATION))
(while [ $SECONDS -lt $end ]; do
  curl -s "$URL/metrics" >/dev/null; curl -s "$URL/healthz" >/dev/null
  curl -s "$URL/search?q=mesh&facets=section,tag&limit=5" >/dev/null; sleep 0.2
done) &
sleep $((DURATION / 4)); kill -HUP "$PID"
nice "$TMP/build/recapsearch-index" -q --full "${INDEX_OPTS[@]}" --db "$TMP/db" "$CONTENT"
kill -HUP "$PID"
wait %2 %3 %4 %5
kill -TERM "$PID"
wait "$PID" || { echo "the server exited with status $?" >&2; PID=; exit 1; }
PID=
races=$(cat "$TMP"/tsan* 2>/dev/null | grep -c "^SUMMARY: ThreadSanitizer" || true)
cat "$TMP"/tsan* 2>/dev/null | grep "^SUMMARY: ThreadSanitizer" | sort | uniq -c || true
echo "== $races reports from ThreadSanitizer"
[ "$races" -eq 0 ]
