#!/usr/bin/env bash
# Sharded search: the same corpus built as one database, as 3 local shards
# (recapsearch-index --shards 3) and as those 3 shards served by 3
# xapian-tcpsrv processes on loopback, behind a stub of "remote" lines.
# Every query of the relevance set (or a few on corpus/ when the shared
# corpus is absent) must give the same top 10 with the same scores; pages
# with exactly equal scores may come in another order (document ids
# interleave across shards), so equal scores are compared as sets.
. "$(dirname "$0")/common.bash"
command -v xapian-tcpsrv >/dev/null && command -v jq >/dev/null || {
  echo "skip: needs xapian-tcpsrv (xapian-tools) and jq"; exit 77; }

CORPUS=${RECAP_SHARED_CORPUS:-}
QUERIES=
if [ -n "$CORPUS" ] && [ -d "$CORPUS" ] &&
   [ -f "$CORPUS/../../../relevance/queries.tsv" ]; then
  QUERIES=$CORPUS/../../../relevance/queries.tsv
else
  CORPUS=$SRC/corpus
  QUERIES=$TMP/queries.tsv
  printf 'q1\tcontrol plane\nq2\tmtls modes\nq3\tretries timeouts\nq4\tproxy memory\n' \
    > "$QUERIES"
fi

"$BIN/recapsearch-index" -q --db "$TMP/one" "$CORPUS"
"$BIN/recapsearch-index" -q --shards 3 --db "$TMP/three" "$CORPUS"
gen=$(awk '{print $2}' "$TMP/three/XAPIANDB")
expect_eq "3 shards listed" 3 "$(wc -l < "$TMP/three/$gen/XAPIANDB")"

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
base=$((20000 + $$ % 20000))
# serve DIR STUB: start xapian-tcpsrv on DIR on a free loopback port
# (trying several), wait until it listens and add it to STUB.
NPORT=0
serve() {
  local pid port try
  for try in $(seq 0 19); do
    port=$((base + NPORT * 10 + try * 100))
    # A session of its own: on SIGTERM xapian-tcpsrv signals its whole
    # process group, which would otherwise be this test and ctest.
    setsid xapian-tcpsrv --port "$port" "$1" > "$TMP/srv$NPORT.log" 2>&1 \
      < /dev/null &
    pid=$!
    for _ in $(seq 150); do
      grep -q "Listening" "$TMP/srv$NPORT.log" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if grep -q "Listening" "$TMP/srv$NPORT.log"; then
      PIDS+=("$pid")
      echo "remote 127.0.0.1:$port" >> "$2"
      NPORT=$((NPORT + 1))
      return 0
    fi
    kill "$pid" 2>/dev/null
  done
  NPORT=$((NPORT + 1))
  return 1
}
: > "$TMP/remote.stub"
for k in 0 1 2; do serve "$TMP/three/$gen/shard-0$k" "$TMP/remote.stub"; done
expect_eq "3 servers listening" 3 "${#PIDS[@]}"

# top DB LANG QUERY: "score path" of the top 10, equal scores sorted by
# path, without the last group of equal scores (it may be cut anywhere),
# then the number of hits.
top() {
  local json
  json=$("$BIN/recapsearch" --db "$1" --json -n 10 --lang "$2" "$3") || true
  printf '%s' "$json" | jq -r '
    [.hits[] | {s: (.score * 1e6 | round), p: .path}] as $h
    | ($h | length) as $n
    | (if $n > 0 then $h[$n - 1].s else null end) as $last
    | ([$h[] | select(.s != $last)] | sort_by(-.s, .p)
       | map("\(.s) \(.p)") | join("\n")) + "\nhits \($n)"'
}

n=0
same_local=0
same_remote=0
while IFS=$'\t' read -r qid q; do
  [ -z "$qid" ] && continue
  num=${qid#q}
  lang=en
  if [ "$num" -ge 51 ] && [ "$num" -le 55 ]; then lang=zh; fi
  if [ "$num" -ge 56 ] && [ "$num" -le 58 ]; then lang=uk; fi
  one=$(top "$TMP/one" "$lang" "$q")
  loc=$(top "$TMP/three" "$lang" "$q")
  rem=$(top "$TMP/remote.stub" "$lang" "$q")
  n=$((n + 1))
  if [ "$one" == "$loc" ]; then same_local=$((same_local + 1))
  else fail "$qid local shards differ:"; diff <(echo "$one") <(echo "$loc") >&2; fi
  if [ "$one" == "$rem" ]; then same_remote=$((same_remote + 1))
  else fail "$qid remote shards differ:"; diff <(echo "$one") <(echo "$rem") >&2; fi
done < "$QUERIES"
expect_eq "queries run" 1 "$([ "$n" -gt 3 ] && echo 1 || echo 0)"
expect_eq "local shards identical" "$n" "$same_local"
expect_eq "remote shards identical" "$n" "$same_remote"

# Xapian 1.4 does not serve synonyms over its remote protocol: a local
# database without documents holds them, listed in the stub with the
# remote shards.  (Scores of synonym groups are estimated per shard, so
# they may differ a little from one database: compare the pages.)
SYN=$SRC/corpus/istio-synonyms.txt
mkdir "$TMP/empty"
"$BIN/recapsearch-index" -q --synonyms "$SYN" --db "$TMP/meta" "$TMP/empty"
"$BIN/recapsearch-index" -q --synonyms "$SYN" --db "$TMP/sone" "$SRC/corpus"
"$BIN/recapsearch-index" -q --shards 2 --db "$TMP/stwo" "$SRC/corpus"
sgen=$(awk '{print $2}' "$TMP/stwo/XAPIANDB")
: > "$TMP/syn.stub"
for k in 0 1; do
  serve "$TMP/stwo/$sgen/shard-0$k" "$TMP/syn.stub" ||
    fail "synonym shard $k server did not start"
done
echo "auto $TMP/meta" >> "$TMP/syn.stub"
pages() { "$BIN/recapsearch" --db "$1" --json k8s | jq -r '[.hits[].path] | sort | join(" ")'; }
expect_match "synonyms find pages" "index.md" "$(pages "$TMP/sone")"
expect_eq "synonyms through a local database" "$(pages "$TMP/sone")" \
  "$(pages "$TMP/syn.stub")"

# Snippets come through the remote protocol too.
expect_match "remote snippets" '"snippets": ?\[ *\{' \
  "$("$BIN/recapsearch" --db "$TMP/remote.stub" --json -n 1 \
     "$(head -1 "$QUERIES" | cut -f2)" | tr -d '\n')"

# A shard server that stops: the others answer, flagged as partial.
q=$(head -1 "$QUERIES" | cut -f2)
full=$("$BIN/recapsearch" --db "$TMP/remote.stub" --json "$q" | jq '.total')
kill "${PIDS[2]}"
wait "${PIDS[2]}" 2>/dev/null
start=$(date +%s%N)
part=$("$BIN/recapsearch" --db "$TMP/remote.stub" --json "$q" 2>"$TMP/err") \
  || fail "partial search failed: $(cat "$TMP/err")"
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "missing shards flagged" 1 "$(printf '%s' "$part" | jq '.missing_shards')"
expect_eq "hits from the other shards" 1 \
  "$(printf '%s' "$part" | jq '(.hits | length) > 0 and .total < '"$full"' | if . then 1 else 0 end')"
expect_eq "partial answer within 2 s" 1 "$([ "$ms" -lt 2000 ] && echo 1 || echo 0)"
"$BIN/recapsearch" --db "$TMP/remote.stub" "$q" >/dev/null 2>"$TMP/err"
expect_match "text output notes it" "partial results: 1 shard" "$(cat "$TMP/err")"

[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
