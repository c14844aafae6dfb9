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

# The four small libraries a search uses come as archives into a program
# whose RECAP_SMALL_ARCHIVES property is set, when the -dev packages have
# them (Debian's do): loading a shared library costs a short-lived program
# about 0.1 ms (mapping, relocation, page faults), and a whole `recapsearch`
# search is about 4 ms.  Libraries and long-running programs keep the
# shared ones.
option(RECAP_STATIC_SMALL_DEPS
  "Link utf8proc, jansson, lz4 and libstemmer statically into programs that ask for it" ON)
set(_recap_small_names utf8proc jansson lz4 stemmer)
set(_recap_small_deps PkgConfig::UTF8PROC PkgConfig::JANSSON PkgConfig::LZ4
  ${STEMMER_LIB})
set(_recap_want "$<BOOL:$<TARGET_PROPERTY:RECAP_SMALL_ARCHIVES>>")
set(_recap_small_links)
foreach(_name _dep IN ZIP_LISTS _recap_small_names _recap_small_deps)
  find_library(RECAP_${_name}_ARCHIVE lib${_name}.a)
  if(RECAP_STATIC_SMALL_DEPS AND RECAP_${_name}_ARCHIVE)
    list(APPEND _recap_small_links
      "$<IF:${_recap_want},${RECAP_${_name}_ARCHIVE},${_dep}>")
  else()
    list(APPEND _recap_small_links ${_dep})
  endif()
endforeach()

add_library(recap_deps INTERFACE)
target_include_directories(recap_deps INTERFACE
  ${CMARK_GFM_EXT_INCLUDE} ${STEMMER_INCLUDE})
target_link_libraries(recap_deps INTERFACE
  PkgConfig::XAPIAN ${CMARK_GFM_EXT_LIB} PkgConfig::CMARK_GFM
  PkgConfig::YAML ${_recap_small_links} m)
add_library(recap::deps ALIAS recap_deps)
