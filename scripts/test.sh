#!/bin/bash
# test.sh — installs what is missing, builds Kiln with warnings as errors, runs
# every test; then builds again with AddressSanitizer + UBSan and reruns the
# suite there. Set KILN_SKIP_SANITIZE=1 to skip the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
# The CLI's compile cache goes into each build tree, not the user's ~/.cache.

scripts/build.sh build -DKILN_WERROR=ON
(cd build && XDG_CACHE_HOME="$PWD/test-cache" ctest --output-on-failure -j "$jobs")

if [ "${KILN_SKIP_SANITIZE:-0}" != 1 ]; then
  # Every 3rd op and conformance case (KILN_TEST_SAMPLE): the full sets run above.
  scripts/build.sh build-asan -DKILN_WERROR=ON -DKILN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DKILN_TEST_SAMPLE=3
  # Everything but the tests labelled slow (the OCR example recompiles det per
  # image); LeakSanitizer stays on.
  (cd build-asan && XDG_CACHE_HOME="$PWD/test-cache" ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure -j "$jobs" -LE slow)
fi
