#!/usr/bin/env bash
# recapsearch-server picks up a rebuilt index within a second, with no
# failed request while recapsearch-index commits, and on SIGHUP.
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/server_common.bash"
DB=$TMP/db
SITE=$TMP/site

cp -r "$SRC/corpus/content" "$SITE"
"$BIN/recapsearch-index" -q --db "$DB" "$SITE" 2>/dev/null
start_server "$DB" --threads 2
get /healthz
rev0=$(printf '%s' "$BODY" | jq -r .revision)
get '/search?q=quasarwidget'
expect_eq "new word not there yet" 0 "$(printf '%s' "$BODY" | jq -r .total)"

# Requests in a loop while the index is rebuilt three times, one with a
# new page; every answer must be a 200 with the schema's fields.
(
  end=$((SECONDS + 4))
  while [ $SECONDS -lt $end ]; do
    curl -s --max-time 5 -w '%{http_code}\n' \
      -o /dev/null "$URL/search?q=multi-cluster+failover&limit=10" \
      -o /dev/null "$URL/suggest?q=certif" \
      -o /dev/null "$URL/search?q=quasarwidget"
  done
) >"$TMP/codes" &
loop=$!
mkdir -p "$SITE/en/blog/2026/quasar"
# until_served WORD: asks for WORD every 50 ms (at most 40 times) until the
# quasar page is its first hit; sets found (1 or 0), waited (ms) and tries.
# (The first "url" of the answer is the first hit's: no jq in the loop,
# whose start-up on a loaded machine would count as the server's time.)
until_served() {
  local t0 re='"url": ?"([^"]*)"'
  t0=$(date +%s%N)
  found=0
  for tries in $(seq 40); do
    get "/search?q=$1"
    if [[ $BODY =~ $re ]] && [ "${BASH_REMATCH[1]}" = /blog/2026/quasar/ ]; then
      found=1; break
    fi
    sleep 0.05
  done
  waited=$(( ($(date +%s%N) - t0) / 1000000 ))
}

printf -- '---\ntitle: Quasar widgets\ndate: 2026-01-02\n---\n\nThe quasarwidget ships today.\n' \
  >"$SITE/en/blog/2026/quasar/index.md"
for i in 1 2 3; do
  "$BIN/recapsearch-index" -q --full --db "$DB" "$SITE" 2>/dev/null ||
    fail "reindex $i"
  sleep 0.3
done
until_served quasarwidget
expect_eq "new page served after the rebuild" 1 "$found"
[ "$waited" -lt 1000 ] && pass "picked up within ${waited} ms" ||
  fail "picking up the new revision took ${waited} ms ($tries requests)"
wait "$loop"
n=$(wc -l <"$TMP/codes")
bad=$(grep -vc '^200$' "$TMP/codes")
[ "$n" -gt 20 ] && pass "$n requests during rebuilds" ||
  fail "only $n requests during rebuilds"
expect_eq "failed requests during rebuilds" 0 "$bad"

get /healthz
rev1=$(printf '%s' "$BODY" | jq -r .revision)
[ "$rev1" -gt "$rev0" ] && pass "revision $rev0 -> $rev1" ||
  fail "revision did not grow: $rev0 -> $rev1"
expect_match "reloads counted" '"reloads":[3-9]' "$BODY"
get /metrics
expect_match "metrics: reloads" 'recapsearch_index_reloads_total [1-9]' "$BODY"

# An incremental run updates the live generation in place (no new stub):
# served within a second too.
printf -- '---\ntitle: Quasar widgets\ndate: 2026-01-02\n---\n\nThe zorbleflux ships today.\n' \
  >"$SITE/en/blog/2026/quasar/index.md"
"$BIN/recapsearch-index" -q --db "$DB" "$SITE" 2>/dev/null || fail "incremental run"
until_served zorbleflux
expect_eq "incremental update served" 1 "$found"
[ "$waited" -lt 1000 ] && pass "incremental update picked up within ${waited} ms" ||
  fail "picking up the incremental update took ${waited} ms ($tries requests)"

# SIGHUP reopens now; the server goes on serving.
kill -HUP "$SERVER_PID"
sleep 0.2
expect_status "serving after SIGHUP" 200 /healthz
expect_match "SIGHUP logged" "SIGHUP" "$(cat "$TMP/server.err")"

# A SIGTERM while requests run: each of them is answered completely.
(
  for i in $(seq 30); do
    curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' \
      "$URL/search?q=multi-cluster+failover&limit=10&offset=$i"
  done
) >"$TMP/codes2" &
loop=$!
sleep 0.1
stop_server
wait "$loop"
expect_eq "SIGTERM exit status" 0 "$SERVER_RC"
expect_eq "requests cut off by SIGTERM" "" \
  "$(grep -v '^200$' "$TMP/codes2" | grep -v '^000$')"

FINISHED=1
finish
