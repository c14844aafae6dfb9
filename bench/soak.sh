#!/usr/bin/env bash
# soak.sh: recapsearch-server under steady load (wrk on loopback) for a
# while: no failed request, and memory that stays flat.  Prints requests,
# rate, latency, errors and the server's RSS after a warm-up, half-way and
# at the end, and fails when there were errors or RSS grew by 10% or more
# over the second half (the answer cache fills up to its bound first; run
# with SOAK_SERVER_OPTS=--cache 0 to see the search path alone).
#
#   bench/soak.sh [SECONDS [CONTENT_DIR]]   (default 600 s; the Istio site
#                                            if present, else corpus/)
#
# Environment: RECAP_BIN (default build/), WRK_THREADS (2), WRK_CONNS (16),
# SOAK_SERVER_OPTS (more options for recapsearch-server, e.g. --cache 0).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RECAP_BIN:-$PWD/build}
secs=${1:-600}
content=${2:-}
if [ -z "$content" ]; then
  content=../shared/corpus/istio.io/content
  [ -d "$content" ] || content=corpus
fi
command -v wrk >/dev/null || { echo "soak: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT

"$BIN/recapsearch-index" -q --db "$TMP/db" "$content"
"$BIN/recapsearch-server" --db "$TMP/db" --listen 127.0.0.1:0 \
  ${SOAK_SERVER_OPTS:-} 2>"$TMP/server.err" &
SERVER=$!
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' \
    "$TMP/server.err")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "soak: server did not start: $(cat "$TMP/server.err")" >&2; exit 2; }

# Requests cycle through varied queries (hits, no hits, phrases, facets,
# prefixes, suggestions, CJK) with varying limit and offset: about 40,000
# distinct requests, more than the answer cache keeps, so searches really
# run and the cache evicts.
cat >"$TMP/soak.lua" <<'LUA'
local search, suggest = {}, {}
local words = {"mesh", "traffic", "gateway", "sidecar", "ambient",
  "multi-cluster", "mtls", "certificate", "envoy", "telemetry", "wasm",
  "ingress", "egress", "policy", "authorization", "zzznothing"}
for i, w in ipairs(words) do
  search[#search + 1] = "/search?q=" .. w
  search[#search + 1] = "/search?q=" .. w .. "+" .. words[(i % #words) + 1]
  search[#search + 1] = "/search?q=%22" .. w .. "+" .. words[((i + 3) % #words) + 1] .. "%22"
  search[#search + 1] = "/search?q=" .. string.sub(w, 1, 3) .. "*&facets=section,year"
  suggest[#suggest + 1] = "/suggest?q=" .. string.sub(w, 1, 4)
end
search[#search + 1] = "/search?q=%E5%A4%9A%E9%9B%86%E7%BE%A4&lang=zh"
local n = 0
request = function()
  n = n + 1
  if n % 10 == 0 then
    return wrk.format("GET", suggest[(n / 10 % #suggest) + 1])
  end
  return wrk.format("GET", search[(n % #search) + 1] .. "&limit=" ..
    (n % 50 + 1) .. "&offset=" .. (n % 11) * 10)
end
LUA

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVER/status"; }
# Warm-up (a fifth of the run, at least 10 s) before the first RSS figure:
# the answer cache fills up to its bound (64 MB) in this time, so what grows
# afterwards is not the cache.
warm=$((secs / 5 > 10 ? secs / 5 : 10))
wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNS:-16}" -d"${warm}s" -s "$TMP/soak.lua" \
  "http://127.0.0.1:$port" >/dev/null
rss_start=$(rss)
( while kill -0 "$SERVER" 2>/dev/null; do echo "$(date +%s) $(rss)"; sleep 10; done ) \
  >"$TMP/rss.log" 2>/dev/null &
sampler=$!
wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNS:-16}" -d"${secs}s" --latency \
  -s "$TMP/soak.lua" "http://127.0.0.1:$port" >"$TMP/wrk.out"
rss_end=$(rss)
kill "$sampler" 2>/dev/null || true
cat "$TMP/wrk.out"
requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$TMP/wrk.out")
non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$TMP/wrk.out")
sockerr=$(sed -n 's/^ *Socket errors: *\(.*\)/\1/p' "$TMP/wrk.out")
rss_max=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$TMP/rss.log")
# RSS half-way through: by then the answer cache has reached its bound
# (64 MB of answers) even at a few dozen requests per second, so growth
# after it is what would be a leak.
rss_half=$(awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] + 0 }' "$TMP/rss.log")
growth=$(awk -v a="$rss_start" -v b="$rss_end" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
growth2=$(awk -v a="$rss_half" -v b="$rss_end" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
echo
echo "soak: ${secs} s, $requests requests, non-2xx: ${non2xx:-0}, socket errors: ${sockerr:-none}"
echo "soak: server RSS after ${warm} s of warm-up $((rss_start / 1024)) MB, half-way $((rss_half / 1024)) MB, at the end $((rss_end / 1024)) MB (max $((rss_max / 1024)) MB)"
echo "soak: RSS growth ${growth}% over the run, ${growth2}% over its second half"
echo "soak: RSS every minute (MB): $(awk 'NR % 6 == 1 { printf "%d ", $2 / 1024 }' "$TMP/rss.log")"
status=0
[ "${non2xx:-0}" -eq 0 ] || { echo "soak: FAIL: non-2xx answers" >&2; status=1; }
[ -z "$sockerr" ] || { echo "soak: FAIL: socket errors" >&2; status=1; }
awk -v g="$growth2" 'BEGIN { exit !(g < 10) }' ||
  { echo "soak: FAIL: RSS grew by ${growth2}% over the second half" >&2; status=1; }
exit $status
