#!/usr/bin/env bash
# The blog generator's commands on a copy of corpus/: related pages, the
# Hugo data file, JSON-lines input, incremental runs and --watch.
. "$(dirname "$0")/common.bash"
DB=$TMP/db
SITE=$TMP/site
cp -r "$SRC/corpus" "$SITE"
IDX="$BIN/recapsearch-index"
RS="$BIN/recapsearch"

"$IDX" -q --db "$DB" "$SITE"
expect_eq "full index" 0 $?

# ---- related ----------------------------------------------------------------
page=en/blog/2025/multi-cluster-failover/index.md
out=$("$RS" related --db "$DB" "$page")
expect_eq "related exit status" 0 $?
expect_match "related text output" "pages? related to $page" "$out"
json=$("$RS" related --db "$DB" --json -n 3 /blog/2025/multi-cluster-failover/)
expect_eq "related by URL = by path" \
  "$("$RS" related --db "$DB" --json -n 3 "$page" | jq -c '[.hits[].path]')" \
  "$(printf '%s' "$json" | jq -c '[.hits[].path]')"
expect_eq "related: at most 3" true "$(printf '%s' "$json" | jq '.hits | length <= 3 and length > 0')"
expect_eq "related: not itself, not its translation" "" \
  "$("$RS" related --db "$DB" --json --lang '*' -n 50 "$page" |
     jq -r '.hits[].path | select(. == "'$page'" or . == "zh/blog/2025/multi-cluster-failover/index.md")')"
"$RS" related --db "$DB" en/nothing.md 2>"$TMP/err" >/dev/null
expect_eq "related: unknown page exit 2" 2 $?
expect_match "related: unknown page message" "no page en/nothing.md" "$(cat "$TMP/err")"
"$RS" related --db "$DB" 2>/dev/null
expect_eq "related: no page is a usage error" 2 $?

# ---- export related -----------------------------------------------------------
"$RS" export related --db "$DB" --limit 2 >"$TMP/related.json"
expect_eq "export exit status" 0 $?
expect_eq "export: every list has at most 2 pages" true \
  "$(jq '[.[] | length] | all(. <= 2)' "$TMP/related.json")"
expect_eq "export: only the Ukrainian page (alone in its language) has none" \
  '["/uk/blog/2025/harbor-light-1-4-released/"]' \
  "$(jq -c '[to_entries[] | select(.value | length == 0) | .key]' "$TMP/related.json")"
expect_eq "export: entries have title, url, date, score" true \
  "$(jq '[.[][] | has("title") and has("url") and has("date") and has("score")] | all' "$TMP/related.json")"
expect_eq "export: page key" true \
  "$(jq 'has("/blog/2025/multi-cluster-failover/")' "$TMP/related.json")"
expect_eq "export: never related to itself" 0 \
  "$(jq '[to_entries[] | .key as $k | .value[] | select(.url == $k)] | length' "$TMP/related.json")"
"$RS" export bogus --db "$DB" 2>/dev/null
expect_eq "export: unknown export exit 2" 2 $?

# ---- incremental ----------------------------------------------------------------
log=$("$IDX" --db "$DB" "$SITE" 2>&1)
expect_match "second run: all unchanged" "26 files: 26 unchanged, 0 added, 0 updated, 0 dependent, 0 removed" "$log"
# The stamps are lines: "recap-stamps 1 REV TERMS", then one line per file
# (path, size, mtime, hash, included files; tab-separated).  Stamps name
# the revision their commit makes: setting them by hand makes one more.
# Stamps written as JSON by earlier versions still count; stamps written by
# a program that made other terms (no "terms" version, as before the
# content prior) make the next run re-read every file.
if command -v xapian-metadata >/dev/null && command -v xapian-delve >/dev/null; then
  next_rev() { echo $(( $(xapian-delve "$DB" | sed -n 's/^revision = //p') + 1 )); }
  stamps=$(xapian-metadata get "$DB" recap.stamps)
  expect_match "stamps are lines" "^recap-stamps 1 [0-9]+ [0-9]+$" \
    "$(printf '%s\n' "$stamps" | head -1)"
  expect_eq "one stamp line per file" 26 "$(printf '%s\n' "$stamps" | tail -n +2 | wc -l)"
  terms=$(printf '%s\n' "$stamps" | head -1 | cut -d' ' -f4)
  xapian-metadata set "$DB" recap.stamps \
    "$(printf '%s\n' "$stamps" | sed "1s/.*/recap-stamps 1 $(next_rev) $terms/")"
  log=$("$IDX" --db "$DB" "$SITE" 2>&1)
  expect_match "stamps of this program: all unchanged" "26 files: 26 unchanged, 0 added, 0 updated" "$log"
  # The same stamps in the JSON form of earlier versions.
  restamp() {
    xapian-metadata set "$DB" recap.stamps "$(xapian-metadata get "$DB" recap.stamps |
      tail -n +2 | jq -R -s -c --argjson r "$(next_rev)" --argjson t "$terms" '
        split("\n") | map(select(length > 0) | split("\t")) |
        {rev: $r, terms: $t, files: (map({key: .[0],
           value: [(.[1] | tonumber), (.[2] | tonumber), .[3], .[4:]]}) |
           from_entries)}' | jq -c "$1")"
  }
  restamp .
  log=$("$IDX" --db "$DB" "$SITE" 2>&1)
  expect_match "stamps as JSON: all unchanged" "26 files: 26 unchanged, 0 added, 0 updated" "$log"
  ndocs=$(xapian-delve "$DB" | grep 'number of documents')
  restamp 'del(.terms)'
  log=$("$IDX" --db "$DB" "$SITE" 2>&1)
  expect_match "stamps of an older program: all re-read" "26 files: 0 unchanged, 25 added" "$log"
  expect_eq "re-read pages replace their documents" "$ndocs" \
    "$(xapian-delve "$DB" | grep 'number of documents')"
fi
echo "A glimmerwort appears." >>"$SITE/content/en/blog/2025/wasm-plugins/index.md"
rm -r "$SITE/content/en/blog/2024/tuning-lantern-memory"
log=$("$IDX" --db "$DB" "$SITE" 2>&1)
expect_match "edit + delete" "25 files: 24 unchanged, 0 added, 1 updated, 0 dependent, 1 removed" "$log"
expect_eq "edited text found" en/blog/2025/wasm-plugins/index.md "$(top_path "$DB" glimmerwort)"
search "$DB" LANTERN_MAX_HEAP_MB >/dev/null
expect_eq "deleted page gone" 1 "$SEARCH_RC"
log=$("$IDX" --full --db "$DB" "$SITE" 2>&1)
expect_match "--full re-reads all" "indexed 24 documents" "$log"

# ---- --watch ------------------------------------------------------------------
"$IDX" --watch --db "$DB" "$SITE" 2>"$TMP/watch.log" &
watcher=$!
for _ in $(seq 50); do grep -q watching "$TMP/watch.log" && break; sleep 0.1; done
mkdir -p "$SITE/content/en/blog/2026/fresh"
printf -- '---\ntitle: Fresh\n---\nA snorkelbloom post.\n' >"$SITE/content/en/blog/2026/fresh/index.md"
for _ in $(seq 100); do grep -q "1 added" "$TMP/watch.log" && break; sleep 0.1; done
kill "$watcher"
wait "$watcher"
expect_eq "--watch stops cleanly on SIGTERM" 0 $?
expect_match "--watch indexed the new file" "1 added" "$(cat "$TMP/watch.log")"
expect_eq "--watch: new page found" en/blog/2026/fresh/index.md "$(top_path "$DB" snorkelbloom)"

# ---- --jsonl ------------------------------------------------------------------
JDB=$TMP/jdb
printf '%s\n' \
  '{"path": "posts/a.md", "url": "/2025/a/", "title": "A", "body": "# H\n\nThe **quokkalite** post.", "date": "2025-01-02", "tags": ["x", "y"]}' \
  '{"path": "posts/b.md", "title": "B", "text": "Plain quokkalite text.", "author": "Ana"}' \
  '' '{"title": "no path"}' 'not json' |
  "$IDX" --db "$JDB" --jsonl - 2>"$TMP/jlog"
expect_eq "--jsonl: bad lines give exit 1" 1 $?
expect_match "--jsonl: summary" "indexed 2 documents from standard input \(2 failed" "$(cat "$TMP/jlog")"
expect_match "--jsonl: line numbers" "standard input:4: no \"path\"" "$(cat "$TMP/jlog")"
expect_eq "--jsonl: documents searchable" "/2025/a/ /posts/b/" \
  "$(search "$JDB" quokkalite | jq -r '[.hits[].url] | sort | join(" ")')"
printf '%s\n' '{"path": "posts/b.md", "text": "only quokkalite"}' >"$TMP/one.jsonl"
"$IDX" -q --db "$JDB" --jsonl "$TMP/one.jsonl"
expect_eq "--jsonl: the index holds exactly the input" "posts/b.md" \
  "$(search "$JDB" quokkalite | jq -r '[.hits[].path] | join(" ")')"

[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
