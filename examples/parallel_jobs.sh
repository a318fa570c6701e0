#!/usr/bin/env bash
# Several test suites in parallel on one machine, with no port configuration at all: each
# job gets its own Firefox on a port the kernel picked, and nothing is left afterwards.
#   parallel_jobs.sh GTEST_SUITE [JOBS]
set -euo pipefail
suite=$1
jobs=${2:-4}
pids=()
for i in $(seq "$jobs"); do
  "$suite" --gtest_brief=1 > "${TMPDIR:-/tmp}/parallel-job-$$-$i.log" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    failed=$((failed + 1))
    cat "${TMPDIR:-/tmp}/parallel-job-$$-$((i + 1)).log"
  fi
done
ports=$(grep -ho 'endpoint: port [0-9]*' "${TMPDIR:-/tmp}"/parallel-job-$$-*.log | sort -u | wc -l)
rm -f "${TMPDIR:-/tmp}"/parallel-job-$$-*.log
# Ports are informational: a job that finished early frees its port for a later one.
echo "parallel_jobs: $jobs jobs, $failed failed, $ports distinct ports"
[[ $failed -eq 0 ]]
