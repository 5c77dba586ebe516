// Helpers shared by the normalization and loss emitters: the dtype they
// compute in, and the mean / variance of a group of elements.
#pragma once

#include <cstdint>
#include <functional>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// The dtype a floating-point storage dtype is computed in: f64 for f64, f32
// for f32, f16 and bf16 (so sums of f16 data accumulate in f32). Fails as
// unsupported for other dtypes.
DType floatComputeType(const KernelContext& ctx, DType t);

// Emits loops that call `body(offset)` once for every element of one group
// (offsets in elements into the tensor).
using GroupVisitor = std::function<void(const std::function<void(llvm::Value* offset)>& body)>;

// The group [base, base + n) of a contiguous row.
GroupVisitor contiguousGroup(KernelContext& ctx, llvm::Value* base, int64_t n);

struct Moments {
  llvm::Value* mean;
  llvm::Value* variance;  // population variance, >= 0
};

// Mean and variance of the `count` elements of x (dtype t) that `visit`
// reaches, computed in ct with two passes (the mean, then the mean squared
// deviation), which stays accurate when the mean is large. An empty group has
// NaN statistics.
Moments emitMoments(KernelContext& ctx, DType t, DType ct, llvm::Value* x, const GroupVisitor& visit,
                    int64_t count);

// Mean of the squares of the `count` elements of x that `visit` reaches,
// computed in ct (RMSNormalization's statistic). An empty group gives NaN.
llvm::Value* emitMeanSquare(KernelContext& ctx, DType t, DType ct, llvm::Value* x, const GroupVisitor& visit,
                            int64_t count);

// ctx.load followed by a conversion from t to ct.
llvm::Value* loadAs(KernelContext& ctx, DType t, DType ct, llvm::Value* base, llvm::Value* index);
// A conversion from ct to t followed by ctx.store.
void storeAs(KernelContext& ctx, DType t, DType ct, llvm::Value* base, llvm::Value* index, llvm::Value* v);

}  // namespace kiln::codegen
