#!/bin/bash
# check_family.sh FAMILY KILN_BIN [run_cases.py options...]
#
# Generates the op test cases of one family (tests/ops/gen_FAMILY.py) into a
# temporary directory and checks `kiln run` against ONNX Runtime on each of them.
# Meant for ctest: exit 0 when every case passes.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: check_family.sh FAMILY KILN_BIN [run_cases.py options...]" >&2
  exit 2
fi
family=$1
kiln=$2
shift 2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
generator="$here/gen_${family}.py"
if [ ! -f "$generator" ]; then
  echo "check_family: no generator $generator" >&2
  exit 2
fi

cases=$(mktemp -d "${TMPDIR:-/tmp}/kiln_${family}_XXXXXX")
trap 'rm -rf "$cases"' EXIT

/usr/bin/python3 "$generator" "$cases"
/usr/bin/python3 "$here/run_cases.py" "$cases" --kiln "$kiln" "$@"
