#!/usr/bin/env bash
# concurrency.sh: readers keep answering while recapsearch-index commits,
# and a second indexer on the same index stops at once with a message that
# names the lock and says what to do.
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/crashsafe.bash"
CS_SRC=$SRC/corpus/content
CS_COPIES=3
db=$TMP/db

# Two generations of the site; the writer switches between them.
cs_make_tree "$TMP/a" 1
cs_make_tree "$TMP/b" 2
"$BIN/recapsearch-index" -q --db "$db" "$TMP/a" || fail "first build"
n_a=$(cs_docs "$db")

# A writer commits again and again while readers search.
(
  for i in $(seq 1 12); do
    if [ $((i % 2)) -eq 0 ]; then t=$TMP/a; else t=$TMP/b; fi
    "$BIN/recapsearch-index" -q --db "$db" "$t" || echo "writer run $i failed"
  done
) >"$TMP/writer.log" 2>&1 &
writer=$!
n_ok=0 n_bad=0
while kill -0 "$writer" 2>/dev/null; do
  for q in "mesh" "$(cs_marker 1)" "$(cs_marker 2)" "traffic routing"; do
    rc=0
    out=$("$BIN/recapsearch" --db "$db" --json --lang '*' -n 50 "$q" \
          2>"$TMP/reader.err") || rc=$?
    if [ "$rc" -le 1 ] && printf '%s' "$out" | jq -e '.hits' >/dev/null; then
      n_ok=$((n_ok + 1))
    else
      n_bad=$((n_bad + 1))
      echo "reader failed (exit $rc): $(head -c 300 "$TMP/reader.err")" >&2
    fi
  done
done
wait "$writer"
expect_eq "writer runs all succeeded" "" "$(cat "$TMP/writer.log")"
expect_eq "reader errors while the writer commits" 0 "$n_bad"
[ "$n_ok" -ge 20 ] && pass "readers answered $n_ok times during 12 commits" ||
  fail "readers answered only $n_ok times"
# A reader between two commits sees one whole generation.
c1=$(cs_count "$db" 1)
c2=$(cs_count "$db" 2)
expect_eq "after the writer: generation 1 only" "$n_a 0" "$c1 $c2"

# A second indexer while the first holds the lock.
CS_COPIES=8 cs_make_tree "$TMP/big" 3
tries=0 done_=0
while [ "$tries" -lt 5 ] && [ "$done_" -eq 0 ]; do
  tries=$((tries + 1))
  "$BIN/recapsearch-index" -q --db "$db" "$TMP/big" &
  first=$!
  sleep 0.1
  t0=$(date +%s%N)
  rc=0
  "$BIN/recapsearch-index" -q --db "$db" "$TMP/a" 2>"$TMP/second.err" || rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  if kill -0 "$first" 2>/dev/null; then
    done_=1
    expect_eq "second indexer exit status" 2 "$rc"
    [ "$ms" -lt 1000 ] && pass "second indexer stopped in $ms ms" ||
      fail "second indexer took $ms ms to stop"
    msg=$(cat "$TMP/second.err")
    expect_match "message names the lock file" "$db/(gen-[0-9]+/)?flintlock" "$msg"
    expect_match "message says what to do" \
      "another recapsearch-index running.*wait for it to finish or stop it" \
      "$msg"
    # Readers are not held up by the lock either.
    rc=0
    "$BIN/recapsearch" --db "$db" --lang '*' mesh >/dev/null || rc=$?
    expect_eq "a reader while the writer holds the lock" 0 "$rc"
  fi
  wait "$first" || fail "the first indexer failed"
done
[ "$done_" -eq 1 ] || fail "the first indexer always finished too soon"
expect_eq "the first indexer's update is whole" "$(cs_docs "$db")" \
  "$(cs_count "$db" 3)"
finish
