#!/usr/bin/env bash
# Golden tests of recapsearch's output on the bundled corpus/: for each case
# of tests/data/output/queries.txt, the text output at 80 and 200 columns
# (plain, and with --color=always --hyperlinks at 80), and the JSON output,
# compared with tests/data/output/NAME.{text80,text200,color80,json}.
# Timings and scores (which move with ranking tweaks) are left out.  RECAP_UPDATE_GOLDEN=1
# rewrites the expected files from the current output (read the diff before
# committing it).  Also checks NO_COLOR and the other formats.
. "$(dirname "$0")/common.bash"
DB=$TMP/db
DATA=$SRC/tests/data/output
"$BIN/recapsearch-index" -q --db "$DB" "$SRC/corpus" 2>/dev/null

mask_ms() { sed -E 's/\([0-9]+\.[0-9] ms\)/(N ms)/'; }
rs() { "$BIN/recapsearch" --db "$DB" "$@"; }

# golden NAME SUFFIX ACTUAL
golden() {
  local file=$DATA/$1.$2
  if [ -n "${RECAP_UPDATE_GOLDEN:-}" ]; then
    printf '%s\n' "$3" > "$file"
  elif [ ! -f "$file" ]; then
    fail "$1.$2: no expected file (run with RECAP_UPDATE_GOLDEN=1)"
  elif [ "$(cat "$file")" == "$3" ]; then
    pass "$1.$2"
  else
    fail "$1.$2 differs:"
    diff <(cat "$file") <(printf '%s\n' "$3") | head -20 >&2
  fi
}

n=0
while IFS=$'\t' read -r name args; do
  case $name in '#'* | '') continue ;; esac
  read -r -a argv <<<"$args"
  argv=("${argv[@]/#\*/'*'}")
  argv=("${argv[@]//\'/}")
  golden "$name" text80 "$(COLUMNS=80 rs "${argv[@]}" | mask_ms)"
  golden "$name" text200 "$(COLUMNS=200 rs "${argv[@]}" | mask_ms)"
  golden "$name" color80 "$(COLUMNS=80 rs --color=always --hyperlinks \
    --base-url https://harbor.example "${argv[@]}" | mask_ms)"
  golden "$name" json "$(rs --format json "${argv[@]}" | jq -S \
    'del(.elapsed_ms, .hits[].score)')"
  n=$((n + 1))
done < "$DATA/queries.txt"
[ "$n" -ge 12 ] && pass "$n golden cases" || fail "only $n golden cases"

# Every line of the wrapped text fits the width (display columns).
for w in 80 200; do
  widest=$(COLUMNS=$w rs -n 10 --lang '*' mesh | LC_ALL=C.UTF-8 wc -L)
  [ "$widest" -le "$w" ] && pass "no line over $w columns" \
    || fail "a line of $widest columns at COLUMNS=$w"
done

# Piped without --color: no escapes; NO_COLOR on a terminal: none either,
# while a terminal without it gets them (needs script(1) for a pty).
out=$(rs mesh)
if printf '%s' "$out" | grep -q $'\033'; then fail "escapes when piped"
else pass "no escapes when piped"; fi
if command -v script >/dev/null; then
  tty_out=$(COLUMNS=80 script -qec "$BIN/recapsearch --db $DB mesh" /dev/null)
  expect_match "colour on a terminal" $'\033\\[' "$tty_out"
  tty_out=$(NO_COLOR=1 COLUMNS=80 script -qec \
    "$BIN/recapsearch --db $DB mesh" /dev/null)
  if printf '%s' "$tty_out" | grep -q $'\033'; then
    fail "NO_COLOR on a terminal"
  else pass "NO_COLOR on a terminal"; fi
  expect_eq "NO_COLOR text = piped text" \
    "$(COLUMNS=80 rs mesh | mask_ms)" \
    "$(printf '%s' "$tty_out" | tr -d '\r' | mask_ms)"
fi

# Other formats.
expect_eq "paths" "en/blog/2025/preserving-client-ip/index.md" \
  "$(rs --format paths -n 1 x-forwarded-for)"
expect_eq "jsonl: one hit per line" "3 3" \
  "$(rs --format jsonl -n 3 mesh | jq -s 'length' | tr '\n' ' ')$(rs \
    --format jsonl -n 3 mesh | wc -l)"
expect_eq "tsv: 9 fields per line" "9" \
  "$(rs --format tsv -n 5 mesh | awk -F'\t' '{print NF}' | sort -u)"
expect_eq "json total = facet sum" \
  "$(rs --json --facets section mesh | jq '.total')" \
  "$(rs --json --facets section mesh | jq '[.facets.section[].count] | add')"
rs --format yaml mesh 2>"$TMP/err"
expect_eq "bad --format exit 2" 2 $?
rs --facets colour mesh 2>"$TMP/err"
expect_eq "bad --facets exit 2" 2 $?
expect_match "bad --facets message" "unknown facet 'colour'" "$(cat "$TMP/err")"
rs --color=sometimes mesh 2>/dev/null
expect_eq "bad --color exit 2" 2 $?

finish
