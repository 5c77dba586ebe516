// The discrete Fourier transform loop shared by the DFT and STFT emitters
// (codegen/ops/signal_dft.cpp).
#pragma once

#include <functional>
#include <utility>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Loads sample j of the sequence being transformed as (real, imaginary) f64.
using DftSample = std::function<std::pair<llvm::Value*, llvm::Value*>(llvm::Value* j)>;
// Stores bin k, given as (real, imaginary) f64.
using DftStore = std::function<void(llvm::Value* k, llvm::Value* re, llvm::Value* im)>;

// For k in [0, bins): X[k] = sum_{j < n} x[j] e^{-+2 pi i j k / length}, the
// sign + and a factor 1 / length when `inverse` (samples j >= n are zero:
// n <= length). Accumulates in f64 with exact twiddle factors from a table
// of length entries, indexed by j * k mod length.
void emitDftBins(KernelContext& ctx, int64_t length, int64_t n, int64_t bins, bool inverse,
                 const DftSample& sample, const DftStore& store);

}  // namespace kiln::codegen
