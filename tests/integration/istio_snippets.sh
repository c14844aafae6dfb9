#!/usr/bin/env bash
# Snippets on the real Istio site: for every query of
# ../shared/relevance/queries.tsv (in its language: q51-q55 zh, q56-q58 uk,
# the others en), every top-10 hit whose body contains a query word has a
# snippet with at least one highlighted word, and no snippet, title or
# heading contains markup.  Skips (exit 77) when the corpus or the queries
# are absent.
. "$(dirname "$0")/common.bash"
CONTENT=${RECAP_SHARED_CORPUS:-}
QUERIES=$(dirname "$CONTENT")/../../relevance/queries.tsv
if [ -z "$CONTENT" ] || [ ! -d "$CONTENT" ] || [ ! -f "$QUERIES" ]; then
  echo "skipped: no Istio corpus at '${CONTENT}' or no queries.tsv next to it"
  exit 77
fi
DB=$TMP/db
istio_index "$DB" "$TMP/log" "$CONTENT"

# body_has FILE WORDS...: whether the page's body (front matter, headings,
# link targets and shortcode or HTML tags left out) contains one of the
# words as written, case-insensitively; CJK words as substrings.
body_has() {
  local file=$1; shift
  local body
  body=$(awk 'NR == 1 && /^---/ { fm = 1; next } fm && /^---/ { fm = 0; next }
              !fm && !/^#/' "$file" |
         sed -E 's/\]\([^)]*\)/]/g; s/\{\{[<%][^}]*[>%]\}\}//g; s/<[^>]*>//g')
  for w in "$@"; do
    if printf '%s' "$w" | LC_ALL=C grep -q '[^ -~]' &&
       printf '%s' "$w" | grep -qP '\p{Han}'; then
      printf '%s' "$body" | grep -qF -- "$w" && return 0
    else
      printf '%s' "$body" | grep -qiwF -- "$w" && return 0
    fi
  done
  return 1
}

n_hits=0 n_lit=0
while IFS=$'\t' read -r id q; do
  num=$((10#${id#q}))
  lang=en
  [ "$num" -ge 51 ] && [ "$num" -le 55 ] && lang=zh
  [ "$num" -ge 56 ] && [ "$num" -le 58 ] && lang=uk
  json=$(search "$DB" --lang "$lang" -n 10 "$q")
  check_clean "$id $q" "$json" >/dev/null || true
  read -r -a words <<<"$q"
  while IFS=$'\t' read -r path lit; do
    [ -z "$path" ] && continue
    n_hits=$((n_hits + 1))
    if [ "$lit" = true ]; then
      n_lit=$((n_lit + 1))
    elif body_has "$CONTENT/$path" "${words[@]}"; then
      fail "$id '$q': $path matches in its body but no snippet highlights it"
    fi
  done < <(printf '%s' "$json" | jq -r '.hits[] |
    "\(.path)\t\([.snippets[].html | test("<mark>")] | any)"')
done < "$QUERIES"
echo "$n_lit of $n_hits top-10 hits have a highlighted snippet"
[ "$n_hits" -gt 300 ] && pass "$n_hits hits checked" \
  || fail "only $n_hits hits checked"
finish
