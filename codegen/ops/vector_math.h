// float32 exp, sigmoid and erf as inline LLVM IR that vectorizes, instead of
// per-lane calls to libm's expf/erff (LLVM has no vector libm on Linux, so a
// vector llvm.exp becomes one call per lane).
//
// Accuracy (float32, checked against libm in tests/unit/test_vector_math.cpp):
//   exp:     Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, and a degree-6
//            Taylor polynomial for e^r, scaled by 2^n in two steps so that
//            results overflow to +inf and underflow through denormals like
//            expf: within 3 ulp on normal results; NaN stays NaN.
//   erf:     |x| < 0.5: odd Taylor series to x^13 (relative error < 1e-7);
//            else 1 - P(t) e^(-x^2), t = 1 / (1 + p|x|), the Abramowitz-Stegun
//            7.1.26 approximation (absolute error <= 1.5e-7); NaN stays NaN.
//   sigmoid: 1 / (1 + exp(-x)).
// Each takes and returns a float or a vector of floats.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

llvm::Value* emitFastExp(KernelContext& ctx, llvm::Value* x);
llvm::Value* emitFastErf(KernelContext& ctx, llvm::Value* x);
llvm::Value* emitFastSigmoid(KernelContext& ctx, llvm::Value* x);

}  // namespace kiln::codegen
