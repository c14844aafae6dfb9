#!/usr/bin/env bash
# Indexes the bundled corpus/ with recapsearch-index and checks what
# recapsearch finds, against the facts listed in corpus/README.md.
. "$(dirname "$0")/common.bash"
DB=$TMP/db

"$BIN/recapsearch-index" --db "$DB" "$SRC/corpus" 2>"$TMP/log"
expect_eq "index exit status" 0 $?
log=$(cat "$TMP/log")
expect_match "draft listed with reason" \
  "skipped en/blog/2026/roadmap-2026/index.md: draft" "$log"
expect_match "summary" "indexed 25 documents \(1 skipped, 0 failed" "$log"

expect_eq "x-forwarded-for" en/blog/2025/preserving-client-ip/index.md \
  "$(top_path "$DB" x-forwarded-for)"
expect_eq "multi-cluster" en/blog/2025/multi-cluster-failover/index.md \
  "$(top_path "$DB" multi-cluster)"
expect_eq "multicluster = multi-cluster" "$(top_paths "$DB" 5 multi-cluster)" \
  "$(top_paths "$DB" 5 multicluster)"
expect_eq "CVE in front matter only" "en/news/security/hl-2026-001/index.md" \
  "$(top_paths "$DB" 10 CVE-2026-01234)"
expect_eq "Chinese without spaces" zh/blog/2025/multi-cluster-failover/index.md \
  "$(top_path "$DB" --lang zh 多集群)"
expect_eq "Chinese: only zh pages" "" \
  "$(search "$DB" --lang zh 多集群 | jq -r '.hits[] | select(.lang != "zh") | .path')"
expect_eq "version number" en/news/security/hl-2026-001/index.md \
  "$(top_path "$DB" v1.4.2)"
expect_eq "stemming" en/blog/2025/rotating-root-certificates/index.md \
  "$(top_path "$DB" rotate root certificates)"
expect_eq "tab content" en/docs/setup/install/index.md \
  "$(top_paths "$DB" 10 kustomize)"
expect_eq "code only" en/blog/2024/tuning-lantern-memory/index.md \
  "$(top_paths "$DB" 10 LANTERN_MAX_HEAP_MB)"
expect_eq "Ukrainian" uk/blog/2025/harbor-light-1-4-released/index.md \
  "$(top_paths "$DB" 10 --lang uk бюджет)"

search "$DB" quokkaflux >/dev/null
expect_eq "draft text is not indexed (exit 1)" 1 "$SEARCH_RC"
search "$DB" zephyrine >/dev/null
expect_eq "HTML comment text is not indexed (exit 1)" 1 "$SEARCH_RC"

json=$(search "$DB" -n 3 multi-cluster failover)
expect_eq "hit fields" \
  "1 /blog/2025/multi-cluster-failover/ blog en" \
  "$(printf '%s' "$json" | jq -r '.hits[0] | "\(.rank) \(.url) \(.section) \(.lang)"')"
expect_match "snippet highlights" "<mark>" \
  "$(printf '%s' "$json" | jq -r '.hits[0].snippets[0].html')"
expect_match "date is ISO 8601" '^[0-9]{4}-[0-9]{2}-[0-9]{2}' \
  "$(printf '%s' "$json" | jq -r '.hits[0].date')"
for q in "multi-cluster failover" "mTLS" "x-forwarded-for header" \
         "hlctl install" "retry budget" "wasm plugin" "certificate" \
         "gloss control plane" "abbr" "kbd" "image caption"; do
  check_clean "$q" "$(search "$DB" -n 50 --lang '*' "$q")"
done

# Text output: plain when piped, with title, URL and snippet.
out=$("$BIN/recapsearch" --db "$DB" x-forwarded-for)
expect_match "text output title" "Preserving" "$out"
expect_match "text output URL" "/blog/2025/preserving-client-ip/" "$out"
if printf '%s' "$out" | grep -q $'\033'; then fail "escape codes when piped"
else pass "no escape codes when piped"; fi

# Exit codes and messages.
"$BIN/recapsearch" --db "$TMP/missing" mesh 2>"$TMP/err"
expect_eq "missing index exit 2" 2 $?
expect_match "missing index message" "no index at .*run recapsearch-index" \
  "$(cat "$TMP/err")"
"$BIN/recapsearch" --db "$DB" 2>/dev/null
expect_eq "no query exit 2" 2 $?
"$BIN/recapsearch" --db "$DB" -n abc mesh 2>"$TMP/err"
expect_eq "bad --limit exit 2" 2 $?
expect_match "bad --limit message" "limit" "$(cat "$TMP/err")"
RECAPSEARCH_DB=$DB "$BIN/recapsearch" mesh >/dev/null
expect_eq "RECAPSEARCH_DB" 0 $?

# A full re-run removes pages whose files are gone, and keeps the rest.
cp -r "$SRC/corpus/content" "$TMP/site"
"$BIN/recapsearch-index" -q --db "$TMP/db2" "$TMP/site"
rm -r "$TMP/site/en/news/security/hl-2026-001"
"$BIN/recapsearch-index" -q --db "$TMP/db2" "$TMP/site"
search "$TMP/db2" CVE-2026-01234 >/dev/null
expect_eq "deleted page is gone" 1 "$SEARCH_RC"
expect_eq "other pages stay" en/blog/2025/preserving-client-ip/index.md \
  "$(top_path "$TMP/db2" x-forwarded-for)"

# The progress line (forced off a terminal): files, rate and time left,
# then what the commit is doing, then the summary on a line of its own.
"$BIN/recapsearch-index" --progress --db "$TMP/db4" "$SRC/corpus" \
  2>"$TMP/progress"
progress=$(tr '\r' '\n' <"$TMP/progress")
expect_match "progress: files, rate, time left" \
  '^.\[K\[26/26\] 100%  [0-9]+ files/s  ETA 0s$' "$progress"
expect_match "progress: the commit" '\[26/26\] 100%  writing the index\.\.\.$' \
  "$progress"
expect_match "progress: summary after it" \
  '^.\[Krecapsearch-index: indexed 25 documents' "$progress"

finish
