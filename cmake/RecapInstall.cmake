# Installs recapsearch the way C libraries are installed: the shared
# library (with a SONAME) and the static one, the public header, a
# pkg-config file, a CMake package, the programs and their man pages; and
# packs it as a Debian package with `cpack -G DEB`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The shared library is made of the static library's objects (already
# position independent), so nothing is compiled twice.  Only the public
# API (recap_*) is exported; everything else stays internal.
add_library(recapsearch_shared SHARED
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/shared_stub.c)
target_link_libraries(recapsearch_shared PRIVATE
  "$<LINK_LIBRARY:WHOLE_ARCHIVE,recapsearch_static>")
target_link_options(recapsearch_shared PRIVATE
  "-Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/cmake/recapsearch.map"
  "-Wl,--no-undefined")
set_target_properties(recapsearch_shared PROPERTIES
  OUTPUT_NAME recapsearch
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/recapsearch.map
  PUBLIC_HEADER ${CMAKE_CURRENT_SOURCE_DIR}/include/recapsearch.h)
target_include_directories(recapsearch_shared INTERFACE
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
add_library(recapsearch::recapsearch ALIAS recapsearch_shared)

install(TARGETS recapsearch_shared EXPORT recapsearchTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS recapsearch_static
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set(RECAP_PROGRAMS recapsearch recapsearch-index)
if(TARGET recapsearch-server)
  list(APPEND RECAP_PROGRAMS recapsearch-server)
endif()
install(TARGETS ${RECAP_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES
  docs/man/recapsearch.1 docs/man/recapsearch-index.1
  docs/man/recapsearch-server.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/man/recapsearch.3
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man3)

# pkg-config: relocatable (prefix from the .pc file's own place).
configure_file(cmake/recapsearch.pc.in recapsearch.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/recapsearch.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake: find_package(recapsearch) gives recapsearch::recapsearch.
set_target_properties(recapsearch_shared PROPERTIES EXPORT_NAME recapsearch)
install(EXPORT recapsearchTargets NAMESPACE recapsearch::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/recapsearch)
configure_package_config_file(cmake/recapsearchConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/recapsearchConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/recapsearch)
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/recapsearchConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/recapsearchConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/recapsearchConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/recapsearch)

# cpack -G DEB
set(CPACK_PACKAGE_NAME recapsearch)
set(CPACK_PACKAGE_VENDOR "recapsearch")
set(CPACK_PACKAGE_CONTACT "recapsearch maintainers <recapsearch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "full-text search for Hugo-style markdown sites (library and programs)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION text)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
