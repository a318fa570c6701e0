#!/bin/sh
# The issue's scenario: `foxport run --firefox -- ctest -jN` over a suite whose every test is
# a process of its own (as gtest_discover_tests makes it). Every test must pass, and every test
# process must have had a Firefox of its own (no two record the same pid). With --recycle,
# Firefoxes are handed out again after a recycle: every test passes on fewer of them.
#   suite-under-run.sh FOXPORT CTEST_DIR TESTS JOBS [--recycle]
set -eu
foxport=$1 dir=$2 tests=$3 jobs=$4 recycle=${5:-}
SUITE_RECORD=$(mktemp -d "${TMPDIR:-/tmp}/foxport-suite-XXXXXX")
export SUITE_RECORD
trap 'rm -rf "$SUITE_RECORD"' EXIT
"$foxport" run --firefox -q $recycle -- ctest --test-dir "$dir" -j "$jobs" --output-on-failure
recorded=$(cat "$SUITE_RECORD"/* | wc -l)
distinct=$(sort -u "$SUITE_RECORD"/* | wc -l)
echo "suite-under-run: $recorded test processes, $distinct distinct Firefox processes"
[ "$recorded" -eq "$tests" ] || exit 1
if [ -n "$recycle" ]; then [ "$distinct" -lt "$tests" ]; else [ "$distinct" -eq "$tests" ]; fi
