#!/usr/bin/env bash
# run.sh: runs every libFuzzer target (or the ones named) for SECONDS each,
# with clang's ASan+UBSan.  New inputs that crash are copied into
# tests/fuzz/corpus/<name>/ so the regular tests replay them from then on.
#
#   tests/fuzz/run.sh [-t SECONDS] [-w DIR] [NAME...]
#
#   -t SECONDS  time per target (default 30)
#   -w DIR      keep the inputs libFuzzer finds in DIR/<name>/ and start
#               from them next time, so several short runs add up to one
#               long one (default: a temporary folder, removed at the end)
#
# Prints, per target, libFuzzer's last status line: executions, coverage
# (cov: edges, ft: features) and corpus size.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=30
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    -t) secs=$2; shift 2 ;;
    -w) keep=$2; shift 2 ;;
    *) break ;;
  esac
done
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DRECAP_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.c; do n=${f##*/fuzz_}; names+=("${n%.c}"); done
fi
# Only the fuzz targets: the rest of the tree (the shared library) is not
# meant to be built with -fsanitize=fuzzer-no-link.
cmake --build build-fuzz -j"$(nproc)" \
  $(for n in "${names[@]}"; do printf -- '--target fuzz_%s ' "$n"; done) \
  >"build-fuzz/build.log" 2>&1 || { tail -30 build-fuzz/build.log; exit 2; }
status=0
for n in "${names[@]}"; do
  work=$(mktemp -d)
  gen=$work/gen
  if [ -n "$keep" ]; then gen=$keep/$n; fi
  mkdir -p "$gen"
  echo "fuzz_$n: ${secs}s"
  if ! (cd "$work" && "$OLDPWD/build-fuzz/tests/fuzz/fuzz_$n" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 "$gen" "$OLDPWD/tests/fuzz/corpus/$n" \
        "$OLDPWD/corpus/content" >"$work/log" 2>&1); then
    tail -40 "$work/log"
    for c in "$work"/crash-* "$work"/timeout-* "$work"/oom-* \
             "$work"/slow-unit-*; do
      [ -e "$c" ] && cp "$c" "tests/fuzz/corpus/$n/" && echo "kept $c"
    done
    status=1
  fi
  grep -E '^#[0-9]+.*(DONE|pulse)' "$work/log" | tail -1 || true
  rm -rf "$work"
done
exit $status
