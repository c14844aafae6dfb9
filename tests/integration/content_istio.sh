#!/usr/bin/env bash
# Content fidelity on the real Istio website, read with the shortcode table
# and site parameters shipped in corpus/: zero unknown shortcodes in the
# summary, --dump of a security bulletin shows its CVE and CVSS, a sentence
# that exists only in a boilerplate finds the pages that include it, and
# hits offer their translations.  One index build, so it stays fast.
# Skips (exit 77) when the corpus is absent.
. "$(dirname "$0")/common.bash"
CONTENT=${RECAP_SHARED_CORPUS:-}
[ -d "$CONTENT" ] || CONTENT=$SRC/../../shared/corpus/istio.io/content
if [ ! -d "$CONTENT" ]; then
  echo "skipped: the Istio corpus is not there (only in the project's" \
       "shared folder, not in a checkout)"
  exit 77
fi
DB=$TMP/db
CFG=(--params "$SRC/corpus/istio-params.yaml"
     --shortcodes "$SRC/corpus/istio-shortcodes.yaml")

istio_index "$DB" "$TMP/log" "$CONTENT"
expect_eq "index exit status" 0 $?
summary=$(grep ' indexed [0-9]* documents' "$TMP/log")
echo "$summary"
expect_match "zero unknown shortcodes" ", 0 unknown shortcodes," "$summary"
expect_match "no warnings" "[(].* 0 warnings[)]" "$summary"
if grep -q '^recapsearch-index: unknown shortcodes' "$TMP/log"; then
  fail "unknown shortcodes listed"; else pass "no unknown shortcodes listed"; fi

# Without the table the same run names what it does not know.
"$BIN/recapsearch-index" --dump en/docs/setup/getting-started/index.md \
  "$CONTENT" >"$TMP/plain.json"
expect_match "unknown shortcodes without the table" '"unknown_shortcodes": [{]$' \
  "$(grep unknown_shortcodes "$TMP/plain.json")"

# --dump of a bulletin: CVE and CVSS, as fields and as text.
dump=$("$BIN/recapsearch-index" "${CFG[@]}" \
  --dump en/news/security/istio-security-2019-003/index.md "$CONTENT")
expect_eq "dump exit status" 0 $?
expect_eq "dump: cves field" CVE-2019-14993 "$(printf '%s' "$dump" | jq -r '.fields.cves[0]')"
expect_eq "dump: cvss field" 7.5 "$(printf '%s' "$dump" | jq -r '.fields.cvss')"
expect_match "dump: bulletin text" "CVE: CVE-2019-14993.*CVSS Impact Score: 7.5" \
  "$(printf '%s' "$dump" | jq -r '.sections[0].text' | tr '\n' ' ')"
expect_match "dump: boilerplate heading" "Reporting vulnerabilities" \
  "$(printf '%s' "$dump" | jq -r '.sections[].heading')"
expect_eq "dump: zh translation" /zh/news/security/istio-security-2019-003/ \
  "$(printf '%s' "$dump" | jq -r '.translations[] | select(.lang == "zh") | .url')"
# A path to the file works without the content folder too.
expect_eq "dump by path" CVE-2019-14993 "$("$BIN/recapsearch-index" "${CFG[@]}" \
  --dump "$CONTENT/en/news/security/istio-security-2019-003/index.md" \
  | jq -r '.fields.cves[0]')"

# A sentence only in en/boilerplates/trace-generation.md finds the pages
# that include it.
sentence="you need to send at least 100 requests before the first trace is visible"
if grep -rlF "$sentence" "$CONTENT/en" | grep -qv /boilerplates/; then
  fail "the sentence is only in the boilerplate"; fi
want=$(grep -rlE '\{\{< *boilerplate "?trace-generation"? *>\}\}' "$CONTENT/en" \
  | sed "s|^$CONTENT/||" | sort)
got=$(search "$DB" -n 50 "\"$sentence\"" | jq -r '.hits[].path' | sort)
expect_eq "boilerplate sentence finds its including pages" "$want" "$got"
expect_match "at least three including pages" "^([^ ]+ ){2,}[^ ]+$" "$(echo $got)"

# Hits offer their other-language versions.
json=$(search "$DB" -n 3 "\"$sentence\"")
expect_match "hit translations" '"lang":"zh"' \
  "$(printf '%s' "$json" | jq -c '.hits[0].translations')"
check_clean "boilerplate search" "$json"
for q in "tab helm install" "security bulletin cvss" "gateway api"; do
  check_clean "$q" "$(search "$DB" -n 50 "$q")"
done

finish
