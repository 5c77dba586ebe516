// Row staging for the direct convolution kernels (conv_direct.cpp,
// conv_transpose.cpp).
//
// A kernel that vectorizes over output columns reads, for kernel tap kw, the
// input columns ow * s + kw * d - pad: strided when s > 1, and partly outside
// the row (the padding). Staging copies each input row a task needs into a
// stack buffer once, zero-padded and split into s phases: phase r holds the
// padded columns r, r + s, r + 2s, ... So tap kw of output columns
// [ow, ow + lanes) is the unit-stride vector at phase (kw * d) % s, offset
// ow + (kw * d) / s: one unaligned load that stays inside the buffer, with no
// masks and no gathers. The staged rows of a task are few and contiguous, so
// they stay in L1 while the task's output channels reuse them, where the
// rows of X lie one plane apart.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

struct StagedRow {
  int64_t stride = 1, dilation = 1, padBegin = 0, inWidth = 0;
  int64_t phaseLen = 0;  // staged elements per phase
  int64_t pitch = 0;     // elements per staged row: stride * phaseLen rounded up to a vector

  // Where tap kw's element for output column 0 lies in a staged row.
  int64_t tapOffset(int64_t kw) const {
    int64_t o = kw * dilation;
    return (o % stride) * phaseLen + o / stride;
  }
  // Emits the copy of the input row at element `src` of `x` into element
  // `dst` of the stack buffer `buf`: staged phase r element m is padded
  // column m * stride + r, that is x column m * stride + r - padBegin, or 0
  // outside [0, inWidth).
  // padBegin may be negative: the staged row then starts -padBegin columns
  // into the input row.
  void emit(KernelContext& ctx, DType dt, int64_t lanes, llvm::Value* x, llvm::Value* src, llvm::Value* buf,
            llvm::Value* dst) const;
  // A staged row of zeros (an input row outside X).
  void emitZeros(KernelContext& ctx, DType dt, llvm::Value* buf, llvm::Value* dst) const;
};

// Staging for kernels that compute output columns [0, outCols) (outCols may
// exceed the real output width: those lanes are computed but not stored) with
// `kernel` taps of dilation `dilation`, stride `stride` and begin padding
// `padBegin` over input rows of `inWidth` elements.
StagedRow planStagedRow(int64_t outCols, int64_t kernel, int64_t stride, int64_t dilation, int64_t padBegin,
                        int64_t inWidth, int64_t lanes);

}  // namespace kiln::codegen
