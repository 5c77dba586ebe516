// Dtype-generic arithmetic for the linalg emitters (MatMul, Gemm, Softmax,
// reductions): one spelling of add / multiply-add / max for float and integer
// element types, so each kernel is written once.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Fails naming the node unless t is a dtype the linalg kernels compute in:
// f32 and f64, plus the 32/64-bit integers when `allowInt`.
void requireLinalgDType(const KernelContext& ctx, DType t, bool allowInt);

llvm::Value* emitAdd(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b);
llvm::Value* emitMul(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b);
// a * b + c; floats may fuse it into one FMA (llvm.fmuladd).
llvm::Value* emitMulAdd(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b, llvm::Value* c);
// max(a, b); a NaN operand gives NaN.
llvm::Value* emitMax(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b);
// The identity of max: -inf for floats, the type's minimum for integers.
llvm::Value* lowestValue(KernelContext& ctx, DType t);

// While alive, float ops built by ctx.b may be reassociated and contracted.
// Reductions need it: without reassociation LLVM cannot vectorize a sum.
class ReassocScope {
 public:
  explicit ReassocScope(KernelContext& ctx);

 private:
  llvm::IRBuilderBase::FastMathFlagGuard guard_;
};

}  // namespace kiln::codegen
