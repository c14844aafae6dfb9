#!/usr/bin/env bash
# crashsafe.sh: the long SIGKILL test of recapsearch-index (the CI version
# is tests/integration/crashsafe.sh; the logic is in crashsafe.bash there).
# It kills the indexer at random moments of full builds and updates of the
# Istio site (or of COPIES copies of corpus/ when that is absent) and checks
# after each kill that the index passes Xapian's consistency check and
# answers with exactly the old or exactly the new contents.
#
#   bench/crashsafe.sh [KILLS [COPIES]]     (default 100 kills)
#
# Environment: RECAP_BIN (default build/), RECAP_SHARED_CORPUS (default
# ../shared/corpus/istio.io/content), CS_SEED.
set -u
cd "$(dirname "$0")/.."
export RECAP_SRC=$PWD
export RECAP_BIN=${RECAP_BIN:-$PWD/build}
. tests/integration/common.bash
. tests/integration/crashsafe.bash
CS_KILLS=${1:-100}
CS_SRC=${RECAP_SHARED_CORPUS:-$PWD/../shared/corpus/istio.io/content}
CS_COPIES=${2:-1}
if [ ! -d "$CS_SRC" ]; then
  CS_SRC=$PWD/corpus/content
  CS_COPIES=${2:-40}
fi
CS_SEED=${CS_SEED:-$((($$ + $(date +%s)) % 32768))}
cs_run
finish
