#!/bin/sh
# The issue's scenario: `foxport run --firefox -- ctest -jN` over a suite whose every test is
# a process of its own (as gtest_discover_tests makes it). Every test must pass, and every test
# process must have had a Firefox of its own (no two record the same pid). Several suite
# directories run as that many ctest invocations at once under the one `foxport run` (CI jobs
# sharing a runner). With --recycle, Firefoxes are handed out again after a recycle: every test
# passes on fewer of them.
#   suite-under-run.sh FOXPORT TESTS JOBS [--recycle] CTEST_DIR...
set -eu
foxport=$1 tests=$2 jobs=$3
shift 3
recycle=
if [ "${1:-}" = --recycle ]; then recycle=--recycle; shift; fi
SUITE_RECORD=$(mktemp -d "${TMPDIR:-/tmp}/foxport-suite-XXXXXX")
export SUITE_RECORD
trap 'rm -rf "$SUITE_RECORD"' EXIT
# Each suite's exit status, checked after all of them ended.
suites='status=0; for dir; do ctest --test-dir "$dir" -j '"$jobs"' --output-on-failure & done
for dir; do wait -n || status=1; done; exit $status'
"$foxport" run --firefox -q $recycle -- bash -c "$suites" suites "$@"
recorded=$(cat "$SUITE_RECORD"/* | wc -l)
distinct=$(sort -u "$SUITE_RECORD"/* | wc -l)
echo "suite-under-run: $# suites, $recorded test processes, $distinct distinct Firefox processes"
[ "$recorded" -eq "$tests" ] || exit 1
if [ -n "$recycle" ]; then [ "$distinct" -lt "$tests" ]; else [ "$distinct" -eq "$tests" ]; fi
