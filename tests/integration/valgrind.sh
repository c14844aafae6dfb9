#!/usr/bin/env bash
# valgrind.sh: the command-line programs under valgrind memcheck, on the
# sample site in corpus/: no invalid access, no uninitialised read, no leak
# (definite, indirect or possible).  Skipped (77) when valgrind is missing
# or the build is instrumented with ASan (the two do not mix).
. "$(dirname "$0")/common.bash"
command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 77; }
if ldd "$BIN/recapsearch" | grep -q libasan; then
  echo "ASan build: skipped (the sanitizer build checks memory itself)"
  exit 77
fi
db=$TMP/db
n=0

# vg WHAT EXPECTED_EXIT PROGRAM ARGS...: runs under memcheck; a memory error
# or a leak makes valgrind exit with 99.
vg() {
  local what=$1 want=$2 rc=0
  shift 2
  n=$((n + 1))
  valgrind -q --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible \
    --log-file="$TMP/vg.$n" "$@" >"$TMP/out.$n" 2>"$TMP/err.$n" || rc=$?
  if [ "$rc" -eq 99 ] || [ -s "$TMP/vg.$n" ]; then
    fail "$what: memcheck found problems:"
    head -40 "$TMP/vg.$n" >&2
  elif [ "$rc" -ne "$want" ]; then
    fail "$what: exit $rc, expected $want: $(head -c 300 "$TMP/err.$n")"
  else
    pass "$what"
  fi
}

vg "index corpus/" 0 "$BIN/recapsearch-index" -q --db "$db" "$SRC/corpus"
vg "update corpus/" 0 "$BIN/recapsearch-index" --db "$db" "$SRC/corpus"
vg "full rebuild" 0 "$BIN/recapsearch-index" -q --full --db "$db" "$SRC/corpus"
printf '%s\n' '{"path":"a.md","title":"Alpha","body":"# Intro\n\nsome *text*"}' \
  '{"path":"b.md","title":"Beta","text":"plain","tags":["x"]}' >"$TMP/docs.jsonl"
vg "index JSON lines" 0 "$BIN/recapsearch-index" -q --db "$TMP/db2" \
  --jsonl "$TMP/docs.jsonl"
vg "check" 0 "$BIN/recapsearch-index" --check --db "$db"
vg "search" 0 "$BIN/recapsearch" --db "$db" "multi-cluster failover"
vg "search --json, all languages, paging" 0 "$BIN/recapsearch" --db "$db" \
  --json --lang '*' -n 3 --offset 1 --snippet-length 80 mesh traffic
vg "search with filters, by date" 0 "$BIN/recapsearch" --db "$db" --json \
  --section blog --since 2024 --until 2026-12 --sort date harbor
vg "query syntax" 0 "$BIN/recapsearch" --db "$db" --json \
  'title:harbor OR "root certificates" -wasm prox*'
vg "facets, colour, several snippets" 0 "$BIN/recapsearch" --db "$db" \
  --facets section,year --color always --hyperlinks --snippets 3 mesh
vg "tsv, typo" 0 "$BIN/recapsearch" --db "$db" --format tsv certficate
vg "related pages" 0 "$BIN/recapsearch" --db "$db" related \
  en/blog/2025/multi-cluster-failover/index.md
vg "Chinese" 0 "$BIN/recapsearch" --db "$db" --lang zh 多集群
vg "no hits" 1 "$BIN/recapsearch" --db "$db" zzzyyyxxx
vg "malformed query, strict" 2 "$BIN/recapsearch" --db "$db" --strict '"unclosed ('
vg "no index" 2 "$BIN/recapsearch" --db "$TMP/none" mesh
vg "bad option" 2 "$BIN/recapsearch" --db "$db" --limit x mesh
vg "indexer, missing folder" 2 "$BIN/recapsearch-index" --db "$db" "$TMP/none"
finish
