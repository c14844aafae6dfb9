/*
 * shared_stub.c: librecapsearch.so is linked from the static library's
 * objects (cmake/RecapInstall.cmake); a target needs one source of its
 * own, and this is it.
 */
typedef int recap_shared_stub;
