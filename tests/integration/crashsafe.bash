# crashsafe.bash: the SIGKILL test of recapsearch-index (sourced by
# tests/integration/crashsafe.sh and bench/crashsafe.sh, after common.bash).
#
# Each round writes generation G of a site: a copy of a content folder
# (COPIES times, under <lang>/c<N>/ for the extra copies) in which a
# different seventh of the files is left out and every file ends with a
# marker word of its generation.  The indexer is started on it and killed
# with SIGKILL after a random delay; then the index must pass Xapian's
# consistency check (recapsearch-index --check), and searches must answer
# without error with exactly generation G-1 (the old contents) or exactly
# generation G (the new ones): the documents of one marker and none of the
# other, and the document count of that generation.  Then an uninterrupted
# run must complete the update.  Every third round starts from no index
# (a full build, where the old contents are "no index" or an empty one);
# the others update the index of the previous round.
#
# Settings (variables): CS_SRC content folder, CS_COPIES, CS_KILLS (kills
# that hit a running indexer), CS_SEED (random seed, printed).

# Xapian's checker, run under ASan, trips new_delete_type_mismatch inside
# the uninstrumented libxapian (see tests/unit/test_xap.c): not our bug.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}new_delete_type_mismatch=0

# The marker word of generation $1: letters only, so the analyser keeps it
# one term, and 3 edits away from every other generation's marker.
cs_marker() {
  local a=({a..z}) g=$1
  local x=${a[$((g % 26))]} y=${a[$((g / 26 % 26))]}
  echo "crashmark$x$x$x$y$y$y"
}

# cs_make_tree DIR GEN: writes generation GEN of the site into DIR.
cs_make_tree() {
  local dir=$1 gen=$2 c lang marker
  marker=$(cs_marker "$gen")
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -r "$CS_SRC"/. "$dir"/
  for ((c = 2; c <= CS_COPIES; c++)); do
    for lang in "$CS_SRC"/*/; do
      lang=$(basename "$lang")
      mkdir -p "$dir/$lang/c$c"
      cp -r "$CS_SRC/$lang"/. "$dir/$lang/c$c"/
    done
  done
  find "$dir" -name '*.md' | sort | awk -v g="$gen" 'NR % 7 == g % 7' |
    xargs -r rm -f
  find "$dir" -name '*.md' -exec sh -c \
    'for f; do printf "\n\n%s\n" "$0" >>"$f"; done' "$marker" {} +
}

# cs_count DB GEN: the number of documents a reader finds with the marker of
# GEN; "none" when there is no index; "error" when the search fails (exit 2
# or no JSON).
cs_count() {
  local out rc=0
  out=$("$BIN/recapsearch" --db "$1" --json --lang '*' -n 10000 \
        --snippet-length 20 "$(cs_marker "$2")" 2>"$TMP/search.err") || rc=$?
  if [ "$rc" -gt 1 ]; then
    if grep -q 'no index at' "$TMP/search.err"; then echo none; else echo error; fi
    return
  fi
  printf '%s' "$out" | jq -e '.hits | length' 2>/dev/null || echo error
}

# cs_docs DB: the document count after a successful consistency check;
# "none" when there is no index, "error" when the check fails.
cs_docs() {
  local out rc=0
  out=$("$BIN/recapsearch-index" --check --db "$1" 2>"$TMP/check.err") ||
    rc=$?
  if [ "$rc" -eq 0 ]; then
    printf '%s' "$out" | sed -n 's/.* is sound: \([0-9]*\) documents$/\1/p'
  elif grep -q 'no index at' "$TMP/check.err"; then
    echo none
  else
    echo error
  fi
}

# cs_run: the whole test.  Prints one line per round and a summary.
cs_run() {
  local tree=$TMP/site db=$TMP/db gen=0 kills=0 rounds=0 full pid delay
  local n_old=0 n_new t0 t_full t_upd t_run t_ms docs c_old c_new state killed
  local n_state_old=0 n_state_new=0 n_state_none=0 started=$SECONDS
  RANDOM=$CS_SEED
  echo "crash test: seed $CS_SEED, $CS_KILLS kills, $CS_SRC x$CS_COPIES"
  # Calibration: how long an uninterrupted full build takes.
  cs_make_tree "$tree" 0
  t0=$(date +%s%N)
  "$BIN/recapsearch-index" -q --db "$db" "$tree" ||
    { fail "calibration build failed"; return; }
  t_full=$((($(date +%s%N) - t0) / 1000000))
  # Until a round measures an update, take it as long as a full build.
  t_upd=$t_full
  n_old=$(cs_docs "$db")
  echo "full build: $t_full ms, $n_old documents"
  [ "$(cs_count "$db" 0)" = "$n_old" ] ||
    fail "generation 0: $(cs_count "$db" 0) documents have the marker of $n_old"
  while [ "$kills" -lt "$CS_KILLS" ] && [ "$FAILS" -eq 0 ]; do
    rounds=$((rounds + 1))
    gen=$((gen + 1))
    full=$((rounds % 3 == 1))
    if [ "$full" -eq 1 ]; then rm -rf "$db"; n_old=0; fi
    cs_make_tree "$tree" "$gen"
    # A random moment of the run; every other round one near its usual
    # end, where the commit is.
    t_run=$([ "$full" -eq 1 ] && echo "$t_full" || echo "$t_upd")
    if [ $((rounds % 2)) -eq 0 ]; then
      t_ms=$((t_run * 7 / 10 + RANDOM % (t_run * 35 / 100 + 1)))
    else
      t_ms=$((RANDOM % (t_run + 1)))
    fi
    delay=$(printf '%d.%03d' $((t_ms / 1000)) $((t_ms % 1000)))
    "$BIN/recapsearch-index" -q --db "$db" "$tree" 2>"$TMP/index.err" &
    pid=$!
    sleep "$delay"
    killed=0
    kill -KILL "$pid" 2>/dev/null && killed=1
    wait "$pid" 2>/dev/null || true
    if [ "$killed" -eq 1 ]; then kills=$((kills + 1)); fi
    # What a reader sees now.
    docs=$(cs_docs "$db")
    c_old=$(cs_count "$db" $((gen - 1)))
    c_new=$(cs_count "$db" "$gen")
    # The next run completes the update.  Its duration is the next
    # estimate of how long a run takes (the machine's load varies).
    t0=$(date +%s%N)
    if ! "$BIN/recapsearch-index" -q --db "$db" "$tree" 2>"$TMP/index.err"
    then
      fail "round $rounds: the run after the kill failed: $(head -3 "$TMP/index.err")"
      break
    fi
    t_ms=$((($(date +%s%N) - t0) / 1000000))
    if [ "$docs" = none ] || { [ "$c_new" = 0 ] && [ "$c_old" = 0 ]; }; then
      t_full=$t_ms
    else
      t_upd=$t_ms
    fi
    n_new=$(cs_docs "$db")
    [ "$(cs_count "$db" "$gen")" = "$n_new" ] ||
      fail "round $rounds: the completed update does not hold exactly generation $gen"
    # Judge the state after the kill.
    if [ "$docs" = error ] || [ "$c_old" = error ] || [ "$c_new" = error ]
    then
      state=ERROR
      fail "round $rounds (killed after $delay s): check: $docs, generation $((gen - 1)): $c_old, generation $gen: $c_new; $(cat "$TMP/check.err" "$TMP/search.err")"
    elif [ "$docs" = none ] && [ "$full" -eq 1 ] && [ "$c_old" = none ] &&
      [ "$c_new" = none ]; then
      state=none
    elif [ "$docs" = "$n_old" ] && [ "$c_old" = "$n_old" ] && [ "$c_new" = 0 ]
    then
      state=old
    elif [ "$docs" = "$n_new" ] && [ "$c_new" = "$n_new" ] && [ "$c_old" = 0 ]
    then
      state=new
    else
      state=MIX
      fail "round $rounds (killed after $delay s): $docs documents, $c_old of generation $((gen - 1)) (of $n_old), $c_new of generation $gen (of $n_new)"
    fi
    case $state in
      old) n_state_old=$((n_state_old + 1)) ;;
      new) n_state_new=$((n_state_new + 1)) ;;
      none) n_state_none=$((n_state_none + 1)) ;;
    esac
    printf 'round %2d: %-6s %s after %s s -> %s\n' "$rounds" \
      "$([ "$full" -eq 1 ] && echo full || echo update)" \
      "$([ "$killed" -eq 1 ] && echo killed || echo finished)" "$delay" "$state"
    n_old=$n_new
  done
  echo "crash test: $kills kills in $rounds rounds ($n_state_old old, $n_state_new new, $n_state_none no index), $((SECONDS - started)) s"
  [ "$kills" -ge "$CS_KILLS" ] || fail "only $kills kills"
}
