#!/usr/bin/env bash
# Installs foxport from BUILD_DIR into a temporary prefix, builds a consumer project against
# the installed package, runs it, and checks that it used the installed guard. Then checks
# that the same project configures with foxport added from source.
#   consumer-test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d "${TMPDIR:-/tmp}/foxport-package-XXXXXX")
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" > /dev/null
cmake -S "$source/tests/package/consumer" -B "$prefix/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$prefix/build" > /dev/null
cmake --install "$prefix/build" > /dev/null
output=$(env -u FOXPORT_GUARD "$prefix/bin/foxport-consumer")
echo "$output"
grep -qx "guard $prefix/libexec/foxport-guard" <<< "$output" || { echo "not the installed guard" >&2; exit 1; }
grep -qx "stopped yes" <<< "$output"

cmake -S "$source/tests/package/consumer" -B "$prefix/from-source" -DFOXPORT_SOURCE_DIR="$source" > /dev/null
echo "consumer: installed package and add_subdirectory both work"
