#!/usr/bin/env bash
# The search page in a real browser: Debian's chromium driven by
# playwright-core (tests/browser/, installed by .ci/run with npm).  Skips
# with a message when node, chromium or playwright-core is missing.  The
# screenshot goes to $RECAP_BIN/test-output/server_browser/search.png.
. "$(dirname "$0")/common.bash"
BROWSER_DIR=$SRC/tests/browser
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip() { echo "SKIP: $*" >&2; FINISHED=1; exit 77; }
command -v node >/dev/null || skip "node is not installed (needed for the browser test)"
[ -x "$CHROMIUM" ] || skip "no chromium at $CHROMIUM (apt-get install chromium)"
[ -d "$BROWSER_DIR/node_modules/playwright-core" ] ||
  skip "playwright-core is not installed: run npm install --prefix tests/browser"
. "$(dirname "$0")/server_common.bash"
DB=$TMP/db
OUT=$BIN/test-output/server_browser
BASE=https://harbor-light.example

"$BIN/recapsearch-index" -q --db "$DB" "$SRC/corpus" 2>/dev/null
start_server "$DB" --base-url "$BASE" --threads 2
if CHROMIUM=$CHROMIUM node "$BROWSER_DIR/search.mjs" "$URL" "$BASE" "$OUT"; then
  pass "browser test"
else
  fail "browser test"
fi
[ -s "$OUT/search.png" ] && pass "screenshot saved" || fail "no screenshot"
FINISHED=1
finish
