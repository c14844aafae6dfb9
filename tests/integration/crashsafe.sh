#!/usr/bin/env bash
# crashsafe.sh: recapsearch-index killed with SIGKILL at random moments of
# full builds and updates never leaves a damaged or half-updated index (see
# crashsafe.bash).  The CI version: 20 kills over 3 copies of corpus/.
# bench/crashsafe.sh runs the long version on the Istio site.
. "$(dirname "$0")/common.bash"
. "$(dirname "$0")/crashsafe.bash"
CS_SRC=$SRC/corpus/content
# The sanitizer build is about three times slower: a smaller site there.
if ldd "$BIN/recapsearch-index" | grep -q libasan; then
  CS_COPIES=${CS_COPIES:-2}
fi
CS_COPIES=${CS_COPIES:-3}
CS_KILLS=${CS_KILLS:-20}
CS_SEED=${CS_SEED:-$((($$ + $(date +%s)) % 32768))}
cs_run
finish
