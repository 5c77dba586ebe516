#!/bin/bash
# build.sh [BUILD_DIR] [extra cmake args...] — configures and builds Kiln.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$dir/CMakeCache.txt" ]; then
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
else
  cmake -S . -B "$dir" "$@" > /dev/null
fi
cmake --build "$dir" -j "$(nproc)"
