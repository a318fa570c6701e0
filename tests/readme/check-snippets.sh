#!/usr/bin/env bash
# Every ```cpp block of README.md must compile against foxport's headers.
#   check-snippets.sh SOURCE_DIR COMPILER GENERATED_INCLUDE_DIR (foxport/export.hpp)
set -euo pipefail
source=$1
compiler=$2
generated=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/foxport-readme-XXXXXX")
trap 'rm -rf "$work"' EXIT
awk -v dir="$work" '/^```cpp$/ {n++; file=dir "/snippet" n ".cpp"; inside=1; next}
                    /^```$/ {inside=0; next}
                    inside {print > file}' "$source/README.md"
count=0
for snippet in "$work"/snippet*.cpp; do
  "$compiler" -std=c++20 -fsyntax-only -Wall -Werror -I "$source/include" -I "$generated" "$snippet"
  count=$((count + 1))
done
echo "README: $count C++ snippets compile"
[[ $count -ge 2 ]]
