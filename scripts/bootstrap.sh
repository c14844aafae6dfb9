#!/usr/bin/env bash
# bootstrap.sh: set up recapsearch on a Debian 12 machine.
#
#   scripts/bootstrap.sh demo   install what is missing, build, index the
#                               bundled corpus/ and run a sample search
#   scripts/bootstrap.sh test   install what is missing, build (warnings as
#                               errors) and run every test, then do the same
#                               under AddressSanitizer + UBSan, then fuzz
#                               each parser for 10 s ($RECAP_FUZZ_SECONDS)
#   scripts/bootstrap.sh deps   only install the Debian packages
#
# Builds go to build/ (build-asan/ for the sanitizer run, build-fuzz/ for
# the fuzz targets).
set -euo pipefail

cd "$(dirname "$0")/.."

mapfile -t PACKAGES < scripts/debian-packages.txt

install_deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "bootstrap: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake options...]
  local dir=$1; shift
  cmake -S . -B "$dir" -DRECAP_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}

case "${1:-demo}" in
  deps)
    install_deps
    ;;
  demo)
    install_deps
    build build
    ./build/recapsearch-index --db build/demo.recapsearch corpus
    ./build/recapsearch --db build/demo.recapsearch "multi-cluster failover"
    ;;
  test)
    install_deps
    build build
    ctest --test-dir build --output-on-failure -j"$(nproc)"
    build build-asan -DRECAP_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
    # A short libFuzzer run of every fuzz target (clang's ASan+UBSan build in
    # build-fuzz/): the long runs are tests/fuzz/run.sh -t SECONDS.
    if command -v clang >/dev/null; then
      tests/fuzz/run.sh -t "${RECAP_FUZZ_SECONDS:-10}"
    fi
    ;;
  *)
    echo "usage: $0 demo|test|deps" >&2
    exit 2
    ;;
esac
