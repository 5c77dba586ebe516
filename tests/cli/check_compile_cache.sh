#!/bin/bash
# check_compile_cache.sh KILN MODELS_DIR — the persistent compile cache across
# processes: two `kiln run`s of one model started together (both miss and
# compile, both store) give the same outputs and leave one complete entry; the
# next run hits it; a truncated entry is rejected, rebuilt, and hit again.
set -euo pipefail
kiln=$1
model=$2/ch_ppocr_mobile_v2.0_cls_infer.onnx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
/usr/bin/python3 -c "import numpy as np; np.save('$work/x.npy', np.random.default_rng(1).random((1,3,48,192), dtype=np.float32))"

"$kiln" run "$model" -i x="$work/x.npy" -o "$work/a" &
"$kiln" run "$model" -i x="$work/x.npy" -o "$work/b" &
wait %1 && wait %2
cmp "$work/a/softmax_0.tmp_0.npy" "$work/b/softmax_0.tmp_0.npy"
entries=("$XDG_CACHE_HOME"/kiln/*)
[ "${#entries[@]}" = 1 ] || { echo "expected one cache entry, found: ${entries[*]}"; exit 1; }
[[ "${entries[0]}" == *.kce ]] || { echo "unexpected file ${entries[0]}"; exit 1; }

cache_state() { "$kiln" bench "$model" --shape x=1x3x48x192 --iters 1 --warmup 0 --json |
                /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['cache'])"; }
[ "$(cache_state)" = hit ] || { echo "third run missed the cache"; exit 1; }
"$kiln" run "$model" -i x="$work/x.npy" -o "$work/c"
cmp "$work/a/softmax_0.tmp_0.npy" "$work/c/softmax_0.tmp_0.npy"

truncate -s 1000 "${entries[0]}"
[ "$(cache_state)" = miss ] || { echo "a truncated entry was not rejected"; exit 1; }
[ "$(cache_state)" = hit ] || { echo "the rejected entry was not rebuilt"; exit 1; }
[ "$("$kiln" bench "$model" --shape x=1x3x48x192 --iters 1 --warmup 0 --json --no-cache |
     /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['cache'])")" = off ]
echo "compile cache: concurrent runs, hit, truncated entry rebuilt: ok"
