# Finds the Debian 12 packages recapsearch builds on and gathers them into
# one interface target, recap::deps.  Everything that has a .pc file is found
# with pkg-config; libstemmer and the cmark-gfm extensions have none in
# Debian, so their header and library are looked up directly.
find_package(PkgConfig REQUIRED)
pkg_check_modules(XAPIAN REQUIRED IMPORTED_TARGET xapian-core>=1.4)
pkg_check_modules(CMARK_GFM REQUIRED IMPORTED_TARGET libcmark-gfm)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)

find_path(CMARK_GFM_EXT_INCLUDE cmark-gfm-core-extensions.h REQUIRED)
find_library(CMARK_GFM_EXT_LIB cmark-gfm-extensions REQUIRED)
find_path(STEMMER_INCLUDE libstemmer.h REQUIRED)
find_library(STEMMER_LIB stemmer REQUIRED)

add_library(recap_deps INTERFACE)
target_include_directories(recap_deps INTERFACE
  ${CMARK_GFM_EXT_INCLUDE} ${STEMMER_INCLUDE})
target_link_libraries(recap_deps INTERFACE
  PkgConfig::XAPIAN ${CMARK_GFM_EXT_LIB} PkgConfig::CMARK_GFM
  PkgConfig::UTF8PROC PkgConfig::YAML PkgConfig::JANSSON PkgConfig::LZ4
  ${STEMMER_LIB} m)
add_library(recap::deps ALIAS recap_deps)
