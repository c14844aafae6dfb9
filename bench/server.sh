#!/usr/bin/env bash
# bench/server.sh: load test of recapsearch-server with wrk.
#
#   bench/server.sh [BUILD_DIR] [CONTENT_DIR]
#
# Indexes CONTENT_DIR (default: the Istio site in ../shared/corpus), starts
# the server on a free loopback port and runs, each for $DURATION seconds
# at $CONNECTIONS connections:
#   1. /search, 48 typical two-word queries, 10 hits with snippets, no
#      answer cache (--cache 0): the cost of a search;
#   2. the same with the answer cache (the default), after one warm-up pass;
#   3. /suggest over 48 prefixes, as typed;
#   4. /suggest with the answer cache;
#   5. /search (default settings), for $REBUILD_DURATION seconds, while recapsearch-index rebuilds the index
#      twice: wrk must report no socket errors and no non-2xx answers (each
#      commit empties the answer cache, so this also measures cold misses).
# Needs wrk (apt-get install wrk).  Everything stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
CONTENT=${2:-../shared/corpus/istio.io/content}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
REBUILD_DURATION=${REBUILD_DURATION:-60} # long enough for two rebuilds
RUNS=${RUNS:-12345}                      # which of the runs below
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
[ -d "$CONTENT" ] || { echo "no content folder at $CONTENT" >&2; exit 2; }
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && { kill "$PID"; wait "$PID"; }; rm -rf "$TMP"' EXIT

echo "== indexing $CONTENT"
/usr/bin/time -f "indexed in %e s" "$BUILD/recapsearch-index" -q --db "$TMP/db" "$CONTENT"

start() { # start [SERVER OPTIONS...]
  [ -n "$PID" ] && { kill "$PID"; wait "$PID" 2>/dev/null || true; }
  "$BUILD/recapsearch-server" --db "$TMP/db" --listen 127.0.0.1:0 \
    --threads "$THREADS" "$@" 2>"$TMP/err" &
  PID=$!
  for _ in $(seq 100); do
    PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TMP/err")
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  [ -n "$PORT" ] || { cat "$TMP/err" >&2; exit 1; }
  URL=http://127.0.0.1:$PORT
}

# lua PATH WORDS...: a wrk script cycling through "PATH?q=WORD".
lua() {
  local path=$1; shift
  {
    printf 'local qs = {'
    printf '"%s",' "$@"
    printf '}\nlocal i = 0\nrequest = function()\n  i = i + 1\n'
    printf '  return wrk.format("GET", "%s" .. qs[(i %% #qs) + 1])\nend\n' "$path"
  } >"$TMP/script.lua"
}

QUERIES=(traffic+management mutual+tls ambient+mesh sidecar+injection
  gateway+api virtual+service authorization+policy multicluster+installation
  envoy+filter certificate+rotation egress+gateway circuit+breaking
  fault+injection request+routing ingress+traffic service+entry
  destination+rule peer+authentication jwt+authentication rate+limiting
  access+logs distributed+tracing prometheus+metrics kiali+dashboard
  helm+install istioctl+analyze upgrade+canary revision+tags
  waypoint+proxy ztunnel+performance locality+failover outlier+detection
  wasm+plugin telemetry+api dns+proxying external+authorization
  security+bulletin cve+envoy grpc+transcoding tcp+traffic
  mirroring+traffic timeout+retries header+routing load+balancing
  sidecar+resources cni+plugin kubernetes+gateway operator+install)
PREFIXES=(a am amb ambi ambient+m ambient+me s si sid side sidec sideca
  t tr tra traf traffic+m traffic+man g ga gat gate gatew gateway+a
  m mu mut mutu mutual+t e en env envo envoy+f c ce cer cert certif
  v vi vir virtual+s w wa way waypo i in ins inst)

run() { # run LABEL PATH [DURATION]
  echo "== $1 (from $(date +%T))"
  wrk -t2 -c"$CONNECTIONS" -d"${3:-$DURATION}s" --timeout 10s --latency \
    -s "$TMP/script.lua" "$URL$2" |
    grep -E 'Requests/sec|Latency  |  50%|  99%|Non-2xx|Socket errors|requests in'
}

want() { [[ $RUNS == *$1* ]]; }

if want 1; then
start --cache 0
lua "/search?limit=10&q=" "${QUERIES[@]}"
run "/search, 10 hits with snippets, no answer cache" ""
fi

if want 2; then
start
lua "/search?limit=10&q=" "${QUERIES[@]}"
wrk -t1 -c4 -d2s -s "$TMP/script.lua" "$URL" >/dev/null
run "/search, 10 hits with snippets, answer cache (warm)" ""
fi

if want 3; then
start --cache 0
lua "/suggest?q=" "${PREFIXES[@]}"
run "/suggest, no answer cache" ""
fi

if want 4; then
start
lua "/suggest?q=" "${PREFIXES[@]}"
wrk -t1 -c4 -d2s -s "$TMP/script.lua" "$URL" >/dev/null
run "/suggest, answer cache (warm)" ""
fi

if want 5; then
start
lua "/search?limit=10&q=" "${QUERIES[@]}"
(
  sleep 1
  for i in 1 2; do
    "$BUILD/recapsearch-index" -q --full --db "$TMP/db" "$CONTENT"
    echo "   (rebuild $i committed at $(date +%T))"
  done
) &
REBUILD=$!
run "/search while the index is rebuilt twice (expect no errors)" "" \
  "$REBUILD_DURATION"
wait "$REBUILD" # not a bare wait: the server is a child too
curl -s "$URL/healthz" && echo " (after the run, $(date +%T))"
fi
