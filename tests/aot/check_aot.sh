#!/bin/bash
# check_aot.sh KILN AOT_REC_EXAMPLE LIBREC MODELS_DIR — ahead-of-time libraries:
#  - the C example (examples/aot, linked to librec.so) and `kiln run --aot`
#    give outputs identical to the JIT path on PP-OCRv4 rec;
#  - librec.so needs no LLVM, ONNX or protobuf at run time (ldd);
#  - a library built for x86-64-v3 runs correctly here;
#  - a znver4 library runs here if this CPU has AVX-512, and otherwise
#    refuses to load with an error naming the missing features;
#  - bad names and non-library files are clear errors.
set -euo pipefail
kiln=$1 example=$2 librec=$3
model=$4/ch_PP-OCRv4_rec_infer.onnx
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$py -c "import numpy as np; np.save('$work/x.npy', np.random.default_rng(7).random((1,3,48,320), dtype=np.float32))"
out=softmax_11.tmp_0.npy

"$kiln" run "$model" --no-cache -i x="$work/x.npy" -o "$work/jit"
"$example" "$work/x.npy" 2 "$work/example.npy" > "$work/example.txt"
grep -q "^output 1x40x6625$" "$work/example.txt"
"$kiln" run --aot "$librec" -i x="$work/x.npy" -o "$work/aot"
same() { $py -c "import numpy as np, sys; a, b = np.load(sys.argv[1]), np.load(sys.argv[2]); \
d = float(np.abs(a - b).max()); print(sys.argv[3], 'max |diff|', d); sys.exit(0 if d <= float(sys.argv[4]) else 1)" "$@"; }
same "$work/jit/$out" "$work/example.npy" "C example vs JIT:" 0
same "$work/jit/$out" "$work/aot/$out" "kiln run --aot vs JIT:" 0

if ldd "$librec" | grep -Ei "llvm|onnx|protobuf|libkiln"; then echo "librec.so depends on the libraries above"; exit 1; fi

"$kiln" compile "$model" -o "$work/librec_v3.so" --target-cpu x86-64-v3 --shape x=1x3x48x320
"$kiln" run --aot "$work/librec_v3.so" -i x="$work/x.npy" -o "$work/v3"
same "$work/jit/$out" "$work/v3/$out" "x86-64-v3 library vs JIT:" 1e-5

"$kiln" compile "$model" -o "$work/librec_z4.so" --target-cpu znver4 --shape x=1x3x48x320
if grep -qw avx512f /proc/cpuinfo; then
  "$kiln" run --aot "$work/librec_z4.so" -i x="$work/x.npy" -o "$work/z4"
  same "$work/jit/$out" "$work/z4/$out" "znver4 library vs JIT:" 1e-5
else
  if "$kiln" run --aot "$work/librec_z4.so" -i x="$work/x.npy" 2> "$work/z4.err"; then
    echo "a znver4 library loaded on a CPU without AVX-512"; exit 1
  fi
  grep -q "compiled for CPU 'znver4' and needs avx512f" "$work/z4.err" || { cat "$work/z4.err"; exit 1; }
  echo "znver4 library refused on this CPU without AVX-512: ok"
fi

expect_error() {  # expect_error PATTERN CMD...: exit status 2 and PATTERN on stderr
  local pattern=$1; shift
  set +e; "$@" > /dev/null 2> "$work/err"; local rc=$?; set -e
  [ "$rc" = 2 ] && grep -q -- "$pattern" "$work/err" || { echo "expected error '$pattern' from $*: rc $rc"; cat "$work/err"; exit 1; }
}
expect_error "is not a C identifier" "$kiln" compile "$model" -o "$work/x.so" --name 9lives --shape x=1x3x48x320
expect_error "unknown target CPU 'pentium9'" "$kiln" compile "$model" -o "$work/x.so" --target-cpu pentium9
expect_error "cannot load model library" "$kiln" run --aot "$work/x.npy" -i x="$work/x.npy"
expect_error "give either a MODEL.onnx or --aot" "$kiln" run
echo "aot: ok"
