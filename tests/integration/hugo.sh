#!/usr/bin/env bash
# A real generator run: the small Hugo site of tests/data/hugo-site is
# indexed, its related posts exported as data/related.json, and built by
# Hugo, whose layout (the template snippet of README.md) lists each post's
# related posts.  Skipped (77) when hugo is not installed.
. "$(dirname "$0")/common.bash"
if ! command -v hugo >/dev/null; then
  echo "skip: hugo is not installed (Debian package hugo, listed in scripts/debian-packages.txt)"
  exit 77
fi
SITE=$TMP/site
cp -r "$SRC/tests/data/hugo-site" "$SITE"
mkdir -p "$SITE/data"

# The partial is the snippet README.md documents.
expect_eq "layout = README snippet" \
  "$(sed -n '/^```go-html-template$/,/^```$/p' "$SRC/README.md" | sed '1d;$d')" \
  "$(cat "$SITE/layouts/partials/related.html")"

"$BIN/recapsearch-index" -q --db "$TMP/db" "$SITE"
expect_eq "index the site" 0 $?
"$BIN/recapsearch" export related --db "$TMP/db" --limit 2 >"$SITE/data/related.json"
expect_eq "export related" 0 $?
(cd "$SITE" && hugo --quiet -d "$TMP/public") >"$TMP/hugo.log" 2>&1
expect_eq "hugo builds the site" 0 $?
[ $FAILS -eq 0 ] || cat "$TMP/hugo.log"

# links HTML_FILE: the hrefs of the related list, in order.
links() {
  sed -n '/<aside class="related">/,/<\/aside>/p' "$1" | grep -o 'href="[^"]*"' | sed 's/href="//;s/"$//' | tr '\n' ' '
}
page=$TMP/public/posts/sourdough-starter/index.html
[ -f "$page" ] && pass "page rendered" || fail "no $page"
expect_match "related list rendered" "<h2>Related posts</h2>" "$(cat "$page")"
rel=$(links "$page")
expect_match "starter -> the other sourdough posts" \
  "^(/posts/sourdough-loaf/ /posts/rye-crackers/|/posts/rye-crackers/ /posts/sourdough-loaf/) $" "$rel"
expect_match "titles and dates rendered" "A first sourdough loaf</a>" "$(cat "$page")"
expect_match "date formatted by the template" "2 February 2025|15 March 2025" "$(cat "$page")"
expect_match "lamp -> fog first" "^/posts/lighthouse-fog/ " "$(links "$TMP/public/posts/lighthouse-lamp/index.html")"
expect_eq "never related to itself" "" \
  "$(for f in "$TMP"/public/posts/*/index.html; do
       u=/posts/$(basename "$(dirname "$f")")/
       links "$f" | tr ' ' '\n' | grep -x "$u"
     done)"

# A rebuild after an edit: the index follows, and so does the site.
cat >>"$SITE/content/posts/lighthouse-fog.md" <<'TXT'

Between fogs the keeper bakes sourdough bread from a rye starter, feeding
the starter, folding the dough and baking the loaf in the lighthouse
kitchen.
TXT
log=$("$BIN/recapsearch-index" --db "$TMP/db" "$SITE" 2>&1)
expect_match "incremental rebuild" "1 updated" "$log"
"$BIN/recapsearch" export related --db "$TMP/db" --limit 2 >"$SITE/data/related.json"
(cd "$SITE" && hugo --quiet -d "$TMP/public") >"$TMP/hugo.log" 2>&1
expect_eq "hugo rebuilds" 0 $?
expect_match "the edited post now has a sourdough post among its related" \
  "/posts/(sourdough|rye)" "$(links "$TMP/public/posts/lighthouse-fog/index.html")"
[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
