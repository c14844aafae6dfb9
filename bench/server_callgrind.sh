#!/usr/bin/env bash
# bench/server_callgrind.sh: user-space instructions per uncached /search
# request of recapsearch-server, under callgrind (exact, unlike timings on
# a shared machine; system calls are not counted: see bench/RESULTS.md).
#
#   DB=INDEX bench/server_callgrind.sh [SERVER] [N]
#
# Starts SERVER (default build/recapsearch-server) under valgrind with one
# thread and the answer cache off, sends the first N (default 600) queries
# of bench/server_queries.py over one keep-alive connection, stops it and
# prints the instructions in total and per request (start-up included).
# KEEP_CG=FILE keeps the callgrind profile there, for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/server_lib.bash
SERVER=${1:-build/recapsearch-server}
N=${2:-600}
: "${DB:?set DB to an index}"
CONTENT=$(first ../shared/corpus/istio.io/content ../../shared/corpus/istio.io/content)
QUERIES_TSV=$(first ../shared/relevance/queries.tsv ../../shared/relevance/queries.tsv)
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
python3 bench/server_queries.py "$CONTENT" "$QUERIES_TSV" >"$TMP/all"
head -n "$N" "$TMP/all" >"$TMP/q"
valgrind --tool=callgrind --callgrind-out-file="$TMP/cg" "$SERVER" --db "$DB" \
  --listen 127.0.0.1:0 --threads 1 --cache 0 2>"$TMP/err" &
PID=$!
wait_port "$TMP/err" 300
awk -v p="$PORT" '{ print "url = \"http://127.0.0.1:" p "/search?limit=10&q=" $0 "\"\noutput = \"/dev/null\"" }' \
  "$TMP/q" >"$TMP/curl"
curl -s -K "$TMP/curl"
kill -TERM "$PID"
wait "$PID" 2>/dev/null || true
PID=
n=$(wc -l <"$TMP/q")
ir=$(sed -n 's/.*refs: *//p' "$TMP/err" | tr -d ,)
echo "requests $n, instructions $ir, per request $((ir / n))"
[ -z "${KEEP_CG:-}" ] || cp "$TMP/cg" "$KEEP_CG"
