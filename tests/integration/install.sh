#!/usr/bin/env bash
# Installs the build into a temporary prefix with `cmake --install` and
# checks it the way a C library user would: files in place, SONAME, only
# the public API exported, pkg-config, the CMake package, the man pages,
# and examples/related_posts.c built against the installed library (shared
# and static) and run.  Then `cpack -G DEB` when dpkg-deb is available.
. "$(dirname "$0")/common.bash"
P=$TMP/prefix
cmake --install "$BIN" --prefix "$P" >"$TMP/install.log" 2>&1
expect_eq "cmake --install" 0 $?
LIB=$P/lib
[ -d "$P/lib64" ] && LIB=$P/lib64
[ -d "$LIB/pkgconfig" ] || LIB=$(dirname "$(find "$P" -name recapsearch.pc | head -1)")/..
for f in include/recapsearch.h bin/recapsearch bin/recapsearch-index \
         share/man/man1/recapsearch.1 share/man/man1/recapsearch-index.1 \
         share/man/man1/recapsearch-server.1 share/man/man3/recapsearch.3; do
  [ -e "$P/$f" ] && pass "installed $f" || fail "missing $f"
done
for f in librecapsearch.so librecapsearch.so.0 librecapsearch.a \
         pkgconfig/recapsearch.pc cmake/recapsearch/recapsearchConfig.cmake \
         cmake/recapsearch/recapsearchConfigVersion.cmake; do
  [ -e "$LIB/$f" ] && pass "installed lib/$f" || fail "missing lib/$f"
done
expect_match "SONAME" "SONAME +librecapsearch\.so\.0$" \
  "$(objdump -p "$LIB/librecapsearch.so" | grep SONAME)"
expect_eq "only recap_ symbols exported" "" \
  "$(nm -D --defined-only "$LIB/librecapsearch.so" | awk '$2 != "A" {print $3}' | grep -v '^recap_')"
expect_match "recap_related exported" " recap_related@@RECAPSEARCH_0" \
  "$(nm -D --defined-only "$LIB/librecapsearch.so")"
if command -v groff >/dev/null; then
  for m in "$P"/share/man/man1/*.1 "$P"/share/man/man3/*.3; do
    w=$(groff -man -Tutf8 -ww -z "$m" 2>&1)
    expect_eq "man page $(basename "$m") renders cleanly" "" "$w"
  done
fi

# A sanitizer build's library needs the sanitizer runtime in its users.
SAN=
grep -q '^RECAP_SANITIZE:BOOL=ON' "$BIN/CMakeCache.txt" && SAN="-fsanitize=address,undefined"

# The example, with pkg-config.
export PKG_CONFIG_PATH=$LIB/pkgconfig
expect_eq "pkg-config version" "$("$BIN/recapsearch" --version | awk '{print $2}')" \
  "$(pkg-config --modversion recapsearch)"
cc -std=c17 -Wall -Wextra -Werror $SAN "$SRC/examples/related_posts.c" \
  $(pkg-config --cflags --libs recapsearch) -o "$TMP/ex_shared"
expect_eq "example builds with pkg-config (shared)" 0 $?
expect_match "example linked to the installed library" "$LIB/librecapsearch.so.0" \
  "$(LD_LIBRARY_PATH=$LIB ldd "$TMP/ex_shared")"
cp -r "$SRC/corpus" "$TMP/site"
out=$(LD_LIBRARY_PATH=$LIB "$TMP/ex_shared" "$TMP/db" "$TMP/site" multi-cluster)
expect_eq "example runs" 0 $?
expect_match "example: synced" "synced 26 files: 25 added" "$out"
expect_match "example: hits" "hit 1: /blog/2025/multi-cluster-failover/" "$out"
expect_match "example: related" "related: /" "$out"
expect_match "example: add_doc" "added /example/from-memory/" "$out"
expect_eq "example's document searchable" /example/from-memory/ \
  "$(search "$TMP/db" never existed | jq -r '.hits[0].url')"

cc -std=c17 $SAN "$SRC/examples/related_posts.c" $(pkg-config --cflags recapsearch) \
  "$LIB/librecapsearch.a" $(pkg-config --static --libs recapsearch | sed 's/-lrecapsearch//') \
  -o "$TMP/ex_static"
expect_eq "example builds against the static library" 0 $?
expect_eq "static example needs no librecapsearch.so" "" \
  "$(ldd "$TMP/ex_static" | grep librecapsearch)"
out=$("$TMP/ex_static" "$TMP/db" "$TMP/site" multi-cluster)
expect_match "static example: nothing to re-read" "synced 26 files: 0 added, 0 updated, 26 unchanged" "$out"

# The example, with the CMake package.
cmake -S "$SRC/examples" -B "$TMP/exb" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_C_FLAGS="$SAN" >"$TMP/exb.log" 2>&1 &&
  cmake --build "$TMP/exb" >>"$TMP/exb.log" 2>&1
expect_eq "example builds with find_package(recapsearch)" 0 $?
out=$(LD_LIBRARY_PATH=$LIB "$TMP/exb/related_posts" "$TMP/db" "$TMP/site" multi-cluster)
expect_match "CMake example runs" "hit 1: /blog/2025/multi-cluster-failover/" "$out"

# cpack -G DEB: an installable package with the library and the programs.
if command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null; then
  (cd "$TMP" && cpack -G DEB --config "$BIN/CPackConfig.cmake" -B "$TMP/deb") >"$TMP/cpack.log" 2>&1
  expect_eq "cpack -G DEB" 0 $?
  deb=$(ls "$TMP"/deb/recapsearch_*.deb 2>/dev/null | head -1)
  [ -n "$deb" ] && pass "package built: $(basename "$deb")" || fail "no .deb in $TMP/deb: $(tail -5 "$TMP/cpack.log")"
  if [ -n "$deb" ]; then
    expect_match "package depends on libxapian" "Depends:.*libxapian" "$(dpkg-deb -I "$deb")"
    list=$(dpkg-deb -c "$deb")
    expect_match "package has the library" "librecapsearch\.so\.0\.1\.0" "$list"
    expect_match "package has the programs" "bin/recapsearch-index" "$list"
    dpkg-deb -x "$deb" "$TMP/root"
    r=$(find "$TMP/root" -name librecapsearch.so.0 -printf '%h')
    expect_match "packaged program runs" "recapsearch " \
      "$(LD_LIBRARY_PATH=$r "$(find "$TMP/root" -path '*bin/recapsearch')" --version)"
  fi
else
  echo "skip: cpack -G DEB needs dpkg-deb and dpkg-shlibdeps (dpkg-dev)"
fi
[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
