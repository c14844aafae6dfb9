#!/usr/bin/env bash
# The public header compiles on its own, as C and as C++, with strict
# warnings, and declares nothing outside the recap_/RECAP_ namespace.
. "$(dirname "$0")/common.bash"
H=$SRC/include/recapsearch.h
printf '#include "recapsearch.h"\n#include "recapsearch.h"\nint main(void) { recap_search_options o = RECAP_SEARCH_OPTIONS_INIT; recap_related_options r = RECAP_RELATED_OPTIONS_INIT; recap_doc_fields f = RECAP_DOC_FIELDS_INIT; recap_sync_options s = RECAP_SYNC_OPTIONS_INIT; (void)o; (void)r; (void)f; (void)s; return recap_version() == 0; }\n' >"$TMP/t.c"
cp "$TMP/t.c" "$TMP/t.cc"
for std in c99 c11 c17; do
  out=$(cc -std=$std -Wall -Wextra -pedantic -Werror -I"$SRC/include" -c "$TMP/t.c" -o "$TMP/t.o" 2>&1)
  expect_eq "header as C ($std)" "" "$out"
done
for std in c++11 c++17; do
  out=$(c++ -std=$std -Wall -Wextra -pedantic -Werror -Wno-missing-field-initializers \
        -I"$SRC/include" -c "$TMP/t.cc" -o "$TMP/t.o" 2>&1)
  expect_eq "header as C++ ($std)" "" "$out"
done
out=$(c++ -std=c++17 -Wall -Wextra -pedantic -Werror -I"$SRC/include" -c "$TMP/t.cc" -o "$TMP/t.o" 2>&1)
expect_eq "header as C++ with -Wextra (all _INIT macros complete)" "" "$out"
# The macros it adds to those of the standard headers it includes are all
# RECAP_ ones (and its include guard).
printf '#include <stddef.h>\n#include <stdint.h>\n' | cc -E -dM - | awk '{print $2}' | sort >"$TMP/base"
printf '#include "recapsearch.h"\n' | cc -I"$SRC/include" -E -dM - | awk '{print $2}' | sort >"$TMP/with"
expect_eq "macros outside RECAP_" "" \
  "$(comm -13 "$TMP/base" "$TMP/with" | grep -v '^RECAP_\|^RECAPSEARCH_H$')"
expect_match "the macros are there" "RECAP_SEARCH_OPTIONS_INIT" "$(comm -13 "$TMP/base" "$TMP/with")"
[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
