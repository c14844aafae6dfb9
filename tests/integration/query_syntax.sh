#!/usr/bin/env bash
# The query language on the bundled corpus: every syntax element through
# the real recapsearch program, including the degrade-gracefully cases.
. "$(dirname "$0")/common.bash"
DB=$TMP/db
"$BIN/recapsearch-index" -q --synonyms "$SRC/corpus/istio-synonyms.txt" \
  --db "$DB" "$SRC/corpus" || fail "indexing"

# Every hit of a query satisfies a jq condition.
all_hits() { # WHAT JQ-CONDITION ARGS...
  local what=$1 cond=$2 json n bad; shift 2
  json=$(search "$DB" -n 50 "$@")
  n=$(printf '%s' "$json" | jq '.hits | length')
  bad=$(printf '%s' "$json" | jq -r ".hits[] | select(($cond) | not) | .path")
  if [ "$n" -gt 0 ] && [ -z "$bad" ]; then pass "$what ($n hits)"
  else fail "$what: $n hits, failing: $bad"; fi
}

all_hits "title: field" '.title | test("lantern"; "i")' 'title:lantern'
all_hits "section: field" '.section == "docs"' 'section:docs proxy'
all_hits "date: year" '.date | startswith("2025")' 'date:2025'
all_hits "date: range" '.date >= "2024-06" and .date < "2025-07"' \
  'date:2024-06..2025-06 mesh'
all_hits "after:" '.date >= "2025-06"' 'after:2025-06 mesh'
all_hits "--section flag" '.section == "news"' --section news release
all_hits "--since/--until" '.date >= "2025" and .date < "2026"' \
  --since 2025 --until 2025-12-31 mesh
all_hits "lang: field" '.lang == "zh"' --lang '*' 'lang:zh 集群'

expect_eq "exclusion" "" \
  "$(search "$DB" -n 50 'multi-cluster -failover' | jq -r '.hits[].path' | grep multi-cluster-failover)"
expect_eq "excluded phrase" "" \
  "$(search "$DB" -n 50 'certificates -"root certificates"' | jq -r '.hits[].path' | grep rotating-root)"
expect_eq "phrase" en/blog/2025/rotating-root-certificates/index.md \
  "$(top_path "$DB" '"root certificates"')"
both=$(top_paths "$DB" 10 'kustomize OR LANTERN_MAX_HEAP_MB')
expect_match "OR (1)" "en/docs/setup/install/index.md" "$both"
expect_match "OR (2)" "tuning-lantern-memory" "$both"
expect_eq "AND NOT" "" \
  "$(search "$DB" -n 50 'mesh AND NOT lantern' | jq -r '.hits[] | select(.title | test("lantern";"i")) | .path')"
expect_match "prefix search" "tuning-lantern-memory" \
  "$(top_paths "$DB" 20 'lantern_max*')"
search "$DB" 'retries NEAR/3 timeouts' >/dev/null
expect_eq "NEAR finds something" 0 "$SEARCH_RC"
search "$DB" 'zephyrine NEAR timeouts' >/dev/null
expect_eq "NEAR with an absent word" 1 "$SEARCH_RC"

# Malformed queries degrade to plain words; --strict reports them.
search "$DB" '(certificates rotate' >/dev/null
expect_eq "unbalanced parenthesis, lenient" 0 "$SEARCH_RC"
"$BIN/recapsearch" --db "$DB" --strict '(certificates rotate' 2>"$TMP/err"
expect_eq "unbalanced parenthesis, --strict exit" 2 $?
expect_match "--strict names the problem and position" "parenthesis at 0" \
  "$(cat "$TMP/err")"
search "$DB" '"root certificates' >/dev/null
expect_eq "unbalanced quote, lenient" 0 "$SEARCH_RC"
search "$DB" 'OR certificates AND' >/dev/null
expect_eq "lone operators, lenient" 0 "$SEARCH_RC"
expect_eq "unknown field is read as text" \
  en/blog/2025/rotating-root-certificates/index.md \
  "$(top_path "$DB" 'nosuchfield:certificates rotating')"

# Spelling: corrected and reported; --exact searches as typed.
json=$(search "$DB" 'rotating certifcates')
expect_eq "suggestion" "rotating certificates" \
  "$(printf '%s' "$json" | jq -r '.suggestion')"
expect_eq "corrected" true "$(printf '%s' "$json" | jq -r '.corrected')"
expect_eq "corrected search finds the page" \
  en/blog/2025/rotating-root-certificates/index.md \
  "$(printf '%s' "$json" | jq -r '.hits[0].path')"
json=$(search "$DB" --exact 'certifcates')
expect_eq "--exact still suggests" certificates \
  "$(printf '%s' "$json" | jq -r '.suggestion')"
expect_eq "--exact does not correct" "false 0" \
  "$(printf '%s' "$json" | jq -r '"\(.corrected) \(.hits | length)"')"
expect_match "text output says what it searched" "Showing results for" \
  "$("$BIN/recapsearch" --db "$DB" 'certifcates')"

# Synonyms from the shipped file: k8s finds pages that say Kubernetes.
all_hits "synonyms" '.snippets[0].text | test("kubernetes|k8s"; "i")' k8s

# Sorting by date.
dates=$(search "$DB" -n 20 --sort date mesh | jq -r '.hits[].date // empty')
expect_eq "--sort date is newest first" "$(printf '%s\n' "$dates" | sort -r)" \
  "$dates"

# Pathological queries finish quickly and never crash.
long=$(printf 'mesh %.0s' $(seq 1 10000))
deep=$(printf '(%.0s' $(seq 1 10000))
for q in "$long" "${deep}mesh" "a*" '""""""' '-' 'NOT' '((()))' ':' '*'; do
  timeout 5 "$BIN/recapsearch" --db "$DB" -- "$q" >/dev/null 2>&1
  rc=$?
  [ $rc -le 1 ] && pass "pathological query exit $rc" \
    || fail "pathological query '${q:0:20}...' exit $rc"
done
finish
