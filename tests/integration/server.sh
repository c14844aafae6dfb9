#!/usr/bin/env bash
# recapsearch-server on the bundled corpus/: every endpoint, the error
# cases and limits, caching headers, CORS, the access log and shutdown.
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/server_common.bash"
DB=$TMP/db

"$BIN/recapsearch-index" -q --db "$DB" "$SRC/corpus" 2>/dev/null
start_server "$DB" --cors-origin https://site.example --base-url \
  'https://docs.example/"x' --access-log "$TMP/access.log" --threads 2

# /healthz
get /healthz; body=$BODY
expect_eq "healthz status" 200 "$STATUS"
expect_eq "healthz" "ok 25" \
  "$(printf '%s' "$body" | jq -r '"\(.status) \(.documents)"')"
expect_match "healthz revision" '^[1-9][0-9]*$' \
  "$(printf '%s' "$body" | jq -r .revision)"

# /search answers exactly what recapsearch --json prints.
get '/search?q=multi-cluster+failover&limit=3'; body=$BODY
expect_eq "search status" 200 "$STATUS"
expect_eq "same JSON as the CLI" \
  "$("$BIN/recapsearch" --db "$DB" --json -n 3 multi-cluster failover |
     jq -cS 'del(.elapsed_ms)')" \
  "$(printf '%s' "$body" | jq -cS 'del(.elapsed_ms)')"
expect_eq "top hit" /blog/2025/multi-cluster-failover/ \
  "$(printf '%s' "$body" | jq -r '.hits[0].url')"
expect_match "highlighted snippet" "<mark>" \
  "$(printf '%s' "$body" | jq -r '.hits[0].snippets[0].html')"
check_clean "server search" "$body"
get '/search?q=certificate&limit=2&offset=1&section=blog&sort=date'; body=$BODY
expect_eq "limit, offset" "2 2 3" \
  "$(printf '%s' "$body" | jq -r '"\(.hits | length) \(.hits[0].rank) \(.next_offset)"')"
expect_eq "section filter" "" \
  "$(printf '%s' "$body" | jq -r '.hits[] | select(.section != "blog") | .url')"
get '/search?q=%E5%A4%9A%E9%9B%86%E7%BE%A4&lang=zh'; body=$BODY
expect_eq "Chinese, lang=zh" /zh/blog/2025/multi-cluster-failover/ \
  "$(printf '%s' "$body" | jq -r '.hits[0].url')"
get '/search?q=failover&facets=section,year&since=2025&until=2025-12-31&tag=&author=&snippets=2'; body=$BODY
expect_eq "all parameters accepted" 200 "$STATUS"
# snippets=: passages per hit; 0 for titles only (the same hits).
get '/search?q=multi-cluster+failover&limit=3&snippets=0'; body=$BODY
expect_eq "snippets=0: no snippets, same hits" \
  "$("$BIN/recapsearch" --db "$DB" --json -n 3 multi-cluster failover |
     jq -c '[.hits[] | .url, 0]')" \
  "$(printf '%s' "$body" | jq -c '[.hits[] | .url, (.snippets | length)]')"
get '/search?q=multi-cluster+failover&limit=3&snippets=1'; body=$BODY
expect_eq "snippets=1: one per hit" 1 \
  "$(printf '%s' "$body" | jq '[.hits[].snippets | length] | max')"
expect_error "snippets over 3" 400 bad_parameter '/search?q=x&snippets=4'

# /suggest
get '/suggest?q=Multi-clu'; body=$BODY
expect_eq "suggest status" 200 "$STATUS"
expect_match "completion of a joined word" '"text":"multicluster"' "$body"
get '/suggest?q=root+cert'; body=$BODY
expect_match "completion keeps earlier words" '"text":"root certificates?"' \
  "$body"
expect_eq "title suggestion" /blog/2025/rotating-root-certificates/ \
  "$(printf '%s' "$body" | jq -r '.titles[0].url')"
get '/suggest?q=zzqqxx'; body=$BODY
expect_eq "no suggestion" "0 0" \
  "$(printf '%s' "$body" | jq -r '"\(.completions | length) \(.titles | length)"')"

# /related
get '/related?path=en/blog/2025/multi-cluster-failover/index.md&limit=3'
expect_eq "related status" 200 "$STATUS"
expect_match "related pages" '^[1-3]$' "$(printf '%s' "$BODY" | jq '.hits | length')"
expect_eq "related excludes the page and its translation" "" \
  "$(printf '%s' "$BODY" | jq -r '.hits[] | select(.url | test("multi-cluster-failover")) | .url')"
get '/related?url=/blog/2025/multi-cluster-failover/&limit=3'
expect_eq "related by URL = by path" \
  "$(get '/related?path=en/blog/2025/multi-cluster-failover/index.md&limit=3'; printf '%s' "$BODY" | jq -c '[.hits[].url]')" \
  "$(printf '%s' "$BODY" | jq -c '[.hits[].url]')"
expect_error "related: unknown page" 404 not_found '/related?url=/no/such/page/'
expect_error "related: no page" 400 bad_parameter '/related'
expect_error "related: two pages" 400 bad_parameter '/related?url=/a/&path=b.md'

# Web page and script.
get /; body=$BODY
expect_eq "page status" 200 "$STATUS"
expect_match "page uses the script" 'RecapSearch\.attach' "$body"
expect_match "base URL escaped into the page" \
  'content="https://docs.example/&quot;x"' "$body"
get /recapsearch.js
expect_match "script" 'global\.RecapSearch' "$BODY"
expect_match "script type" '^content-type: text/javascript' \
  "$(curl -sI "$URL/recapsearch.js" | tr -d '\r' | tr 'A-Z' 'a-z')"

# Errors: 4xx with a JSON message, and the server goes on.
expect_error "unknown parameter" 400 unknown_parameter '/search?q=x&color=red'
expect_error "repeated parameter" 400 bad_parameter '/search?q=x&q=y'
expect_error "invalid UTF-8" 400 bad_parameter '/search?q=%FF%FE'
expect_error "overlong UTF-8" 400 bad_parameter '/search?q=%C0%AF'
expect_error "NUL in a value" 400 bad_parameter '/search?q=a%00b'
expect_error "bad percent-encoding" 400 bad_request '/search?q=100%zz'
expect_error "truncated percent-encoding" 400 bad_request '/search?q=a%2'
expect_error "huge limit" 400 bad_parameter '/search?q=x&limit=10000000'
expect_error "limit 0" 400 bad_parameter '/search?q=x&limit=0'
expect_error "negative offset" 400 bad_parameter '/search?q=x&offset=-1'
expect_error "huge offset" 400 bad_parameter '/search?q=x&offset=99999'
expect_error "bad sort" 400 bad_parameter '/search?q=x&sort=random'
expect_error "bad date" 400 bad_parameter '/search?q=x&since=2025-13'
expect_error "bad facet" 400 bad_parameter '/search?q=x&facets=section,colour'
expect_error "bad lang" 400 bad_parameter '/search?q=x&lang=%3Cscript%3E'
expect_error "long query" 400 bad_parameter "/search?q=$(printf 'a%.0s' $(seq 600))"
expect_error "too many words" 400 bad_parameter \
  "/search?q=$(printf 'w%d+' $(seq 40))"
expect_error "unknown endpoint" 404 not_found '/nope'
expect_error "healthz takes no parameters" 400 unknown_parameter '/healthz?x=1'
# A 1 MB request line, sent by hand (too long for a command argument).
big=$(printf 'a%.0s' $(seq 1000))
big=$(printf "$big%.0s" $(seq 1000))
exec 3<>"/dev/tcp/127.0.0.1/${URL##*:}"
( trap '' PIPE
  printf 'GET /search?q=%s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
    "$big" >&3 ) 2>/dev/null
expect_match "1 MB query string" '^HTTP/1\.1 414' "$(head -c 12 <&3)"
exec 3<&-
expect_status "POST" 405 /search -X POST -d q=x
start=$(date +%s%N)
expect_status "deep nesting" 200 \
  "/search?q=$(printf '%%28%.0s' $(seq 150))a$(printf '%%29%.0s' $(seq 150))"
expect_status "wildcard" 200 '/search?q=a*&limit=50'
expect_status "unbalanced" 200 '/search?q=%22a+%28b+OR'
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed" -lt 3000 ] && pass "hostile queries answered in ${elapsed} ms" ||
  fail "hostile queries took ${elapsed} ms"
expect_status "still serving" 200 /healthz

# HTTP caching: the ETag is the index revision.
etag=$(curl -sI "$URL/search?q=mtls" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
expect_match "ETag" '^W/"r[0-9]+-25"$' "$etag"
expect_status "If-None-Match" 304 /search?q=mtls -H "If-None-Match: $etag"
expect_match "Cache-Control" 'public, max-age=' \
  "$(curl -sI "$URL/search?q=mtls" | tr -d '\r' | grep -i '^cache-control')"

# CORS
headers=$(curl -sI -H 'Origin: https://site.example' "$URL/search?q=mtls" | tr -d '\r')
expect_match "CORS allowed origin" \
  '^Access-Control-Allow-Origin: https://site.example$' "$headers"
headers=$(curl -sI -H 'Origin: https://evil.example' "$URL/search?q=mtls" | tr -d '\r')
if printf '%s' "$headers" | grep -qi '^access-control-allow-origin'; then
  fail "CORS header for an origin not allowed"
else pass "no CORS header for other origins"; fi
expect_status "preflight" 204 /search -X OPTIONS -H 'Origin: https://site.example'

# /metrics
get /metrics; body=$BODY
expect_match "metrics: requests" \
  'recapsearch_requests_total\{endpoint="search",status="400"\} [1-9]' "$body"
expect_match "metrics: histogram" \
  'recapsearch_request_duration_seconds_bucket\{endpoint="search",le="\+Inf"\} [1-9]' \
  "$body"
expect_match "metrics: revision" 'recapsearch_index_revision [1-9]' "$body"

# Access log: one line per request, in the Common Log Format.
expect_match "access log" \
  '^127\.0\.0\.1 - - \[[^]]+\] "GET /search\?q=multi-cluster\+failover&limit=3 HTTP/1\.1" 200 [0-9]+ ' \
  "$(cat "$TMP/access.log")"

# SIGTERM: exit 0 after finishing.
stop_server
expect_eq "SIGTERM exit status" 0 "$SERVER_RC"
expect_match "SIGTERM message" "finishing requests in flight" \
  "$(cat "$TMP/server.err")"

# The page cache only saves work: the same answers with it off, asked
# twice (the second time the default server reads its pages from it).
start_server "$DB" --cache 0
for i in 1 2; do
  get "/search?q=mesh+gateway&limit=5"
  with[$i]=$(printf '%s' "$BODY" | jq -cS 'del(.elapsed_ms)')
done
stop_server
start_server "$DB" --cache 0 --page-cache 0
get "/search?q=mesh+gateway&limit=5"
without=$(printf '%s' "$BODY" | jq -cS 'del(.elapsed_ms)')
stop_server
expect_match "search answers" '"hits":\[\{' "$without"
expect_eq "answer from cached pages" "$without" "${with[2]}"
expect_eq "answer before caching pages" "$without" "${with[1]}"
out=$("$BIN/recapsearch-server" --db "$DB" --page-cache lots 2>&1)
expect_eq "bad --page-cache exit status" 2 $?
expect_match "bad --page-cache message" "--page-cache" "$out"

# Start-up errors say what to do.
out=$("$BIN/recapsearch-server" --db "$TMP/none" --listen 127.0.0.1:0 2>&1)
expect_eq "missing index exit status" 2 $?
expect_match "missing index message" "run recapsearch-index" "$out"
out=$("$BIN/recapsearch-server" --db "$DB" --listen nowhere 2>&1)
expect_eq "bad --listen exit status" 2 $?

FINISHED=1
finish
