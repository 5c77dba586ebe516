// Helpers shared by the indexing kernels (GatherElements, GatherND,
// ScatterElements, ScatterND, OneHot, ReverseSequence): reading runtime index
// tensors safely, the scatter reductions, and filling a buffer with one value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Fails unless input i holds int32 or int64 indices.
void requireIndexDType(const KernelContext& ctx, size_t i);

// Element `pos` of index input `input` as i64, a negative value counting from
// the end of an axis of length `axisLen` (> 0), then clamped into
// [0, axisLen - 1]. Out-of-range indices are invalid model input; clamping
// keeps the kernel from ever touching memory outside its buffers.
llvm::Value* loadAxisIndex(KernelContext& ctx, size_t input, llvm::Value* pos, int64_t axisLen);

// ScatterElements / ScatterND `reduction` attribute.
enum class Reduction { None, Add, Mul, Max, Min };
// Parses `reduction` (default "none"); fails with "unsupported" for others.
Reduction parseReduction(const KernelContext& ctx);
// Combines the element already in the output (`old`) with an update, in dtype t.
llvm::Value* reduce(KernelContext& ctx, Reduction r, DType t, llvm::Value* old, llvm::Value* update);

// Loops over every index vector i of `extents` (outermost first) and calls
// body(offsets) with offsets[k] = sum_d i_d * strides[k][d] (i64 values).
// With `parallel`, the outermost dim longer than 1 becomes the kernel's
// parallelFor; the caller decides whether the work is worth it.
using OffsetBody = std::function<void(const std::vector<llvm::Value*>& offsets)>;
void emitOffsetNest(KernelContext& ctx, const std::vector<int64_t>& extents,
                    const std::vector<std::vector<int64_t>>& strides, bool parallel, const OffsetBody& body);

// Sets out[0, count) to v (dtype t). Single-threaded.
void emitFill(KernelContext& ctx, DType t, llvm::Value* out, int64_t count, llvm::Value* v);

}  // namespace kiln::codegen
