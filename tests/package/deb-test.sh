#!/usr/bin/env bash
# The Debian package: builds it (the `package` preset, CMAKE_INSTALL_PREFIX=/usr, then
# cpack -G DEB) in a temporary directory, installs it with dpkg -i, runs
# /usr/bin/foxport --version, builds tests/package/consumer against /usr and runs it (the
# guard found at /usr/libexec/foxport-guard), and removes the package again, whatever
# happened. Exit status 77 (skipped) when not root or without dpkg, or when a foxport
# package is already installed (this test will not replace or remove someone's package).
#   deb-test.sh SOURCE_DIR
set -euo pipefail
source=$(cd "$1" && pwd)
consumer=$source/tests/package/consumer
jobs=$(nproc)
skip() { echo "package.deb skipped: $*"; exit 77; }
((EUID == 0)) || skip "needs root for dpkg -i"
for tool in dpkg dpkg-deb dpkg-query cpack; do
  command -v "$tool" > /dev/null || skip "$tool not found"
done
if [[ "$(dpkg-query -W -f='${Status}' foxport 2> /dev/null || true)" == *" installed" ]]; then
  skip "a foxport package is already installed"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/foxport-deb-XXXXXX")
installed=false
cleanup() {
  if $installed; then
    dpkg -r foxport > /dev/null || echo "package.deb: dpkg -r foxport failed" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
unset FOXPORT_GUARD
quiet() { # runs "$@", showing its output only when it fails
  local log=$work/last.log
  "$@" > "$log" 2>&1 || { cat "$log" >&2; echo "package.deb: failed: $*" >&2; return 1; }
}

echo "package.deb: building the package in $work"
# The package preset, but unoptimized: this tests how the package is made, installed and
# used, and -O0 compiles in about half the time (CPack strips the binaries either way).
quiet cmake -S "$source" --preset package -B "$work/build" -DCMAKE_BUILD_TYPE=Debug
quiet cmake --build "$work/build" -j "$jobs"
(cd "$work/build" && quiet cpack -G DEB -B "$work/deb")
deb=$(find "$work/deb" -maxdepth 1 -name 'foxport_*.deb')
[[ -n "$deb" ]] || { echo "package.deb: no .deb produced" >&2; exit 1; }
dpkg-deb --info "$deb" | grep -E '^ (Package|Version|Architecture|Depends):'
dpkg-deb --contents "$deb" | awk '{print $6}' | grep -E 'bin/foxport$|libexec/foxport-guard$|foxportConfig.cmake$|foxportGTestTargets.cmake$|pkgconfig/foxport.pc$|foxport/export.hpp$'
rm -rf "$work/build"

echo "package.deb: dpkg -i"
installed=true
quiet dpkg -i "$deb"
/usr/bin/foxport --version
test -x /usr/libexec/foxport-guard

echo "package.deb: building the consumer against /usr"
quiet cmake -S "$consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Debug
quiet cmake --build "$work/consumer" -j "$jobs"
output=$("$work/consumer/foxport-consumer")
echo "$output"
grep -qx "guard /usr/libexec/foxport-guard" <<< "$output"
output=$(FOXPORT_EXPECT_GUARD=/usr/libexec/foxport-guard "$work/consumer/foxport-consumer-test" 2>&1) ||
  { echo "$output" >&2; exit 1; }
grep -q '^\[  PASSED  \] 2 tests' <<< "$output"
pkg-config --exists --print-errors foxport foxport-gtest

echo "package.deb: dpkg -r"
quiet dpkg -r foxport
installed=false
for path in /usr/bin/foxport /usr/libexec/foxport-guard /usr/include/foxport; do
  [[ ! -e "$path" ]] || { echo "package.deb: $path left behind" >&2; exit 1; }
done
echo "package.deb: built, installed, used and removed"
