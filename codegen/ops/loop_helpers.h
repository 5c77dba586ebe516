// Loop-building helpers shared by the linalg and movement emitters: index
// arithmetic, scalar accumulators, the parallel-split heuristic and strided
// copy nests (the one loop shape behind Transpose, Slice, Expand, Concat,
// Reshape and friends).
#pragma once

#include <cstdint>
#include <vector>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// base + index * stride on i64 offsets (no-signed-wrap: offsets of valid
// elements fit in i64, and the flag lets LLVM reason about the addresses).
llvm::Value* addScaled(KernelContext& ctx, llvm::Value* base, llvm::Value* index, int64_t stride);

// A stack slot of `count` elements of `type`, allocated once in the kernel's
// entry block so loops reusing it do not grow the stack. A single-element slot
// used as an accumulator is promoted to a register by LLVM (SROA).
llvm::AllocaInst* entryAlloca(KernelContext& ctx, llvm::Type* type, int64_t count = 1);

// Whether splitting `work` (about one arithmetic op or 4 bytes moved per unit)
// over threads pays for waking them.
bool worthParallel(int64_t work);

// The unsigned integer dtype with t's element size. Movement ops only move
// bytes, so they load and store every dtype through these; fails for strings.
DType bitsType(const KernelContext& ctx, DType t);

// One loop of a strided copy: `extent` iterations, each advancing the source
// and destination offsets by their strides (in elements; 0 repeats an element,
// negative walks backwards).
struct CopyDim {
  int64_t extent;
  int64_t srcStride;
  int64_t dstStride;
};

// For every index vector i over `dims` (outermost first):
//   dst[dstOffset + sum(i_d * dstStride_d)] = src[srcOffset + sum(i_d * srcStride_d)]
// Size-1 dims are dropped and dims contiguous in both buffers merged first, so
// the innermost loop is as long as possible (unit stride where the layout
// allows, which LLVM vectorizes or turns into memcpy). With allowParallel the
// outermost loop becomes the kernel's parallelFor when the copy is large.
void emitStridedCopy(KernelContext& ctx, DType elem, llvm::Value* src, llvm::Value* srcOffset,
                     llvm::Value* dst, llvm::Value* dstOffset, std::vector<CopyDim> dims,
                     bool allowParallel);

// Product of shape[begin, end).
int64_t product(const std::vector<int64_t>& shape, size_t begin, size_t end);
inline int64_t product(const std::vector<int64_t>& shape) { return product(shape, 0, shape.size()); }

}  // namespace kiln::codegen
