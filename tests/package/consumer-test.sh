#!/usr/bin/env bash
# foxport as its users get it. Configures the source on its own, without tests, installs it
# into a temporary prefix and DELETES that build tree; then, with nothing set (no
# FOXPORT_GUARD):
#   1. builds tests/package/consumer with find_package(foxport) alone and runs it: a program
#      under the installed guard, and a GoogleTest suite that opens a page in Firefox through
#      foxport::gtest (the guard found at the compiled-in install path);
#   2. builds the same program and suite with pkg-config (foxport.pc, foxport-gtest.pc);
#   3. moves the prefix: the installed programs find the guard in ../libexec, and the moved
#      package still configures;
#   4. configures the consumer with foxport added from source (add_subdirectory).
# Everything happens in one temporary directory, removed at exit.
#   consumer-test.sh SOURCE_DIR
set -euo pipefail
source=$(cd "$1" && pwd)
consumer=$source/tests/package/consumer
jobs=$(nproc)
work=$(mktemp -d "${TMPDIR:-/tmp}/foxport-package-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
unset FOXPORT_GUARD
step() { echo "consumer-test: $*"; }
quiet() { # runs "$@", showing its output only when it fails
  local log=$work/last.log
  "$@" > "$log" 2>&1 || { cat "$log" >&2; echo "consumer-test: failed: $*" >&2; return 1; }
}
expect_guard() { # expect_guard GUARD OUTPUT
  grep -qx "guard $1" <<< "$2" || { echo "$2" >&2; echo "consumer-test: not the guard $1" >&2; return 1; }
}

step "installing foxport into $prefix from a build without tests (Debug: quicker to compile)"
quiet cmake -S "$source" -B "$work/build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DFOXPORT_BUILD_TESTS=OFF -DFOXPORT_BUILD_EXAMPLES=OFF -DFOXPORT_BUILD_CLI=OFF
quiet cmake --build "$work/build" -j "$jobs"
quiet cmake --install "$work/build"
rm -rf "$work/build"
# The CMake and pkg-config files and headers must not point into the deleted build tree.
# (The library itself knows it, on purpose: only programs in that tree use its guard.)
if grep -rlI "$work/build" "$prefix"/include "$prefix"/lib*/cmake "$prefix"/lib*/pkgconfig >&2; then
  echo "consumer-test: the installed package refers to the deleted build tree" >&2
  exit 1
fi
test -x "$prefix/libexec/foxport-guard"
test -f "$prefix/include/foxport/export.hpp"

step "find_package(foxport): building the consumer"
quiet cmake -S "$consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_BUILD_TYPE=Debug
quiet cmake --build "$work/consumer" -j "$jobs"
quiet cmake --install "$work/consumer"
output=$("$prefix/bin/foxport-consumer")
echo "$output"
expect_guard "$prefix/libexec/foxport-guard" "$output"
grep -qx "stopped yes" <<< "$output"
# From the consumer's build tree: nothing beside the program, so the compiled-in path finds it.
output=$(FOXPORT_EXPECT_GUARD="$prefix/libexec/foxport-guard" "$work/consumer/foxport-consumer-test" 2>&1) ||
  { echo "$output" >&2; exit 1; }
echo "$output" | grep -E '^(guard|\[  PASSED|\[  FAILED|\[  SKIPPED)'
grep -q '^\[  PASSED  \] 2 tests' <<< "$output"

step "pkg-config: building the consumer"
pc_dir=$(dirname "$(find "$prefix" -name foxport.pc)")
export PKG_CONFIG_PATH=$pc_dir
pkg-config --exists --print-errors "foxport = 0.1.0" "foxport-gtest = 0.1.0"
read -ra foxport_flags <<< "$(pkg-config --cflags --libs foxport)"
read -ra gtest_flags <<< "$(pkg-config --cflags --libs foxport-gtest)"
quiet c++ -std=c++20 "$consumer/main.cpp" "${foxport_flags[@]}" -o "$prefix/bin/foxport-consumer-pc"
quiet c++ -std=c++20 "$consumer/title_test.cpp" "${gtest_flags[@]}" -o "$prefix/bin/foxport-consumer-test-pc"
output=$("$prefix/bin/foxport-consumer-pc")
echo "$output"
expect_guard "$prefix/libexec/foxport-guard" "$output"
output=$(FOXPORT_EXPECT_GUARD="$prefix/libexec/foxport-guard" "$prefix/bin/foxport-consumer-test-pc" 2>&1) ||
  { echo "$output" >&2; exit 1; }
grep -q '^\[  PASSED  \] 2 tests' <<< "$output"
echo "pkg-config consumer: 2 tests passed"

moved=$work/moved
step "moving the prefix to $moved"
mv "$prefix" "$moved"
for program in foxport-consumer foxport-consumer-pc; do
  output=$("$moved/bin/$program")
  echo "$output"
  expect_guard "$moved/libexec/foxport-guard" "$output"
done
output=$(FOXPORT_EXPECT_GUARD="$moved/libexec/foxport-guard" "$moved/bin/foxport-consumer-test" 2>&1) ||
  { echo "$output" >&2; exit 1; }
grep -q '^\[  PASSED  \] 2 tests' <<< "$output"
echo "moved prefix: the guard found in ../libexec, 2 tests passed"
quiet cmake -S "$consumer" -B "$work/consumer-moved" -DCMAKE_PREFIX_PATH="$moved"
PKG_CONFIG_PATH=${pc_dir/$prefix/$moved} pkg-config --libs foxport | grep -q -- "-L$moved/"

step "add_subdirectory: configuring the consumer with foxport from source"
quiet cmake -S "$consumer" -B "$work/from-source" -DFOXPORT_SOURCE_DIR="$source"
echo "consumer-test: installed package (CMake and pkg-config), moved prefix and add_subdirectory all work"
