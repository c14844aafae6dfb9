#!/usr/bin/env bash
# Indexes the real Istio website (../shared/corpus/istio.io/content) and
# checks the walking skeleton's promises on it.  Skips (exit 77) when the
# folder is absent, as in a user's checkout.
. "$(dirname "$0")/common.bash"
CONTENT=${RECAP_SHARED_CORPUS:-}
if [ -z "$CONTENT" ] || [ ! -d "$CONTENT" ]; then
  echo "skipped: the Istio corpus is not at '${CONTENT}' (it is only in the" \
       "project's shared folder, not in a checkout)"
  exit 77
fi
DB=$TMP/db

start=$(date +%s.%N)
rm -rf "$ISTIO_DB_DIR" # this test is the one that builds it
istio_index "$DB" "$TMP/log" "$CONTENT"
rc=$?
end=$(date +%s.%N)
expect_eq "index exit status" 0 $rc
tail -1 "$TMP/log"
echo "wall time: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s"
n_md=$(find "$CONTENT" -name '*.md' | wc -l)
added=$(sed -n 's/.*indexed \([0-9]*\) documents (\([0-9]*\) skipped, \([0-9]*\) failed.*/\1 \2 \3/p' "$TMP/log")
set -- $added
expect_eq "every file indexed or listed" "$n_md" "$(( $1 + $2 + $3 ))"
expect_eq "no file failed" 0 "$3"
expect_eq "each skipped file listed" "$2" "$(grep -c ': skipped ' "$TMP/log")"

# At least two of the first three hits are pages judged relevant for this
# query in ../shared/relevance (when the judgments are there).
QRELS=$(dirname "$CONTENT")/../../relevance/qrels.tsv
if [ -f "$QRELS" ]; then
  judged=$(awk '$1 == "q01" { sub("^content/", "", $3); print $3 }' "$QRELS")
  n=0
  for p in $(top_paths "$DB" 3 ambient mesh multi-cluster); do
    printf '%s\n' "$judged" | grep -qx "$p" && n=$((n + 1))
  done
  [ "$n" -ge 2 ] && pass "ambient multi-cluster: $n of top 3 judged relevant" \
    || fail "ambient multi-cluster: only $n of top 3 judged relevant"
fi
expect_eq "kubecon europe 2025" en/blog/2025/istio-at-kubecon-eu/index.md \
  "$(top_path "$DB" kubecon europe 2025)"
expect_match "CVE in front matter" \
  "en/news/security/istio-security-2019-002/index.md" \
  "$(top_paths "$DB" 3 CVE-2019-12995)"
expect_eq "multicluster = multi-cluster" "$(top_paths "$DB" 5 multicluster)" \
  "$(top_paths "$DB" 5 multi-cluster)"
zh=$(top_paths "$DB" 5 --lang zh 多集群)
expect_match "zh multi-cluster" "^zh/.*multicluster" "$zh"
if printf '%s' "$zh" | tr ' ' '\n' | grep -qv '^zh/'; then
  fail "zh results are all zh"; else pass "zh results are all zh"; fi

for q in "ambient mesh multi-cluster" "kubecon europe 2025" "sidecar injection" \
         "authorization policy deny" "CVE-2019-12995" "install istioctl" \
         "gateway api" "wasm plugin" "envoy filter" "traffic shifting" \
         "telemetry api" "upgrade canary"; do
  check_clean "$q" "$(search "$DB" -n 50 "$q")"
done
check_clean "zh 多集群" "$(search "$DB" -n 50 --lang zh 多集群)"
check_clean "uk кластер" "$(search "$DB" -n 50 --lang uk кластер)"

# The content prior reorders the top hits of each tier: pages of results
# still add up to the one long list (nothing repeated, nothing skipped),
# and the scores go down the list.
for q in "sidecar injection" "about performance" "traffic management" \
         "istio version" "deploy clusters"; do
  long=$(search "$DB" -n 40 "$q" | jq -r '[.hits[].path] | join(" ")')
  paged=$(for off in 0 10 20 30; do
            search "$DB" -n 10 --offset $off "$q" | jq -r '.hits[].path'
          done | paste -sd' ')
  expect_eq "pages of '$q' make the one list" "$long" "$paged"
  expect_eq "scores of '$q' go down" "" "$(search "$DB" -n 40 "$q" |
    jq -r '[.hits[].score] | . as $s | range(1; length) |
           select($s[.] > $s[. - 1]) | "rank \(. + 1) above rank \(.)"')"
done
# Pages where the words stand together earn the proximity bonus: the
# page titled "Traffic Shifting" scores higher with it than without.
with=$(search "$DB" -n 1 "traffic shifting" | jq -r '.hits[0] | "\(.path) \(.score)"')
without=$(search "$DB" -n 1 --ranking proximity=0 "traffic shifting" |
  jq -r '.hits[0] | "\(.path) \(.score)"')
if [ "${with% *}" = "${without% *}" ] &&
   awk -v a="${with#* }" -v b="${without#* }" 'BEGIN { exit !(a > b * 1.05) }'; then
  pass "proximity bonus: ${with% *} $without -> ${with#* }"
else
  fail "proximity bonus: '$without' -> '$with'"
fi

finish
