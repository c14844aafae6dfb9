# common.bash: helpers for the integration tests (sourced, not run).
# The tests run the real programs from $RECAP_BIN on real content.
set -u
BIN=${RECAP_BIN:?RECAP_BIN must name the build directory}
SRC=${RECAP_SRC:?RECAP_SRC must name the source directory}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# expect_match WHAT REGEX TEXT
expect_match() {
  if printf '%s' "$3" | grep -Eq -- "$2"; then pass "$1"
  else fail "$1: '$2' not found in: $(printf '%s' "$3" | head -c 400)"; fi
}

# search DB ARGS...: JSON of a search (exit status kept in $SEARCH_RC)
search() {
  local db=$1; shift
  SEARCH_RC=0
  "$BIN/recapsearch" --db "$db" --json "$@" || SEARCH_RC=$?
}

# top_path DB ARGS...: path of the first hit
top_path() { search "$@" | jq -r '.hits[0].path // "none"'; }

# top_paths DB N ARGS...: paths of the first N hits, one line
top_paths() {
  local db=$1 n=$2; shift 2
  search "$db" -n "$n" "$@" | jq -r '[.hits[].path] | join(" ")'
}

# check_clean WHAT JSON: no markup in any shown field of any hit, and every
# hit has the documented fields.
check_clean() {
  local bad
  bad=$(printf '%s' "$2" | jq -r '
    .hits[] | [.title, .url, (.snippets[] | .text, .heading,
      (.html | gsub("</?mark>"; "")))] | .[] | select(. != null)
    | select(test("\\{\\{<|\\{\\{%|>\\}\\}|%\\}\\}|\\]\\(|<!--|</?(a|abbr|b|br|button|code|dd|details|div|dl|dt|em|figcaption|figure|h[1-6]|i|iframe|img|input|kbd|li|nav|ol|p|pre|script|section|small|span|strong|style|sub|summary|sup|table|td|th|tr|u|ul|video)( [^<>]*)?/?>"))')
  [ -z "$bad" ] && pass "$1: no markup" || fail "$1: markup in output: $bad"
  bad=$(printf '%s' "$2" | jq -r '
    .hits[] | select((has("rank") and has("path") and has("url") and
      has("title") and has("date") and has("section") and has("lang") and
      has("score") and (.snippets | type == "array") and
      all(.snippets[]; has("text") and has("html") and has("heading") and
        has("anchor"))) | not) | .path')
  [ -z "$bad" ] && pass "$1: schema" || fail "$1: hits missing fields: $bad"
}

finish() {
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
}

# The Istio index, built once per test run by integration/istio (a ctest
# fixture) with the shipped params, shortcodes and synonyms, and reused by
# the other Istio tests.  istio_index DB LOG: builds it when absent (a test
# run on its own), else links DB and LOG to the shared one.
ISTIO_DB_DIR=$BIN/test-output/istio-index
istio_index() {
  local db=$1 log=$2 content=${3:-$RECAP_SHARED_CORPUS}
  if [ ! -f "$ISTIO_DB_DIR/done" ]; then
    rm -rf "$ISTIO_DB_DIR"
    mkdir -p "$ISTIO_DB_DIR"
    "$BIN/recapsearch-index" --db "$ISTIO_DB_DIR/db" \
      --params "$SRC/corpus/istio-params.yaml" \
      --shortcodes "$SRC/corpus/istio-shortcodes.yaml" \
      --synonyms "$SRC/corpus/istio-synonyms.txt" "$content" \
      2>"$ISTIO_DB_DIR/log"
    echo $? >"$ISTIO_DB_DIR/status"
    touch "$ISTIO_DB_DIR/done"
  fi
  ln -s "$ISTIO_DB_DIR/db" "$db"
  cp "$ISTIO_DB_DIR/log" "$log"
  return "$(cat "$ISTIO_DB_DIR/status")"
}
