#include "codegen/ops/linalg_arith.h"

#include <llvm/IR/Intrinsics.h>

namespace kiln::codegen {

void requireLinalgDType(const KernelContext& ctx, DType t, bool allowInt) {
  bool ok = t == DType::F32 || t == DType::F64 ||
            (allowInt && (t == DType::I32 || t == DType::I64 || t == DType::U32 || t == DType::U64));
  if (!ok) ctx.fail("dtype {} is not supported", dtypeName(t));
}

llvm::Value* emitAdd(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b) {
  return isFloat(t) ? ctx.b.CreateFAdd(a, b) : ctx.b.CreateAdd(a, b);
}

llvm::Value* emitMul(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b) {
  return isFloat(t) ? ctx.b.CreateFMul(a, b) : ctx.b.CreateMul(a, b);
}

llvm::Value* emitMulAdd(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b, llvm::Value* c) {
  if (isFloat(t)) return ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {a, b, c});
  return ctx.b.CreateAdd(ctx.b.CreateMul(a, b), c);
}

llvm::Value* emitMax(KernelContext& ctx, DType t, llvm::Value* a, llvm::Value* b) {
  // llvm.maximum propagates NaN (as numpy's max does), and unlike maxnum the
  // loop vectorizer accepts it in reductions without no-NaN fast-math flags.
  if (isFloat(t)) return ctx.callIntrinsic(llvm::Intrinsic::maximum, {a, b});
  llvm::Value* aGreater = isSignedInt(t) ? ctx.b.CreateICmpSGT(a, b) : ctx.b.CreateICmpUGT(a, b);
  return ctx.b.CreateSelect(aGreater, a, b);
}

llvm::Value* lowestValue(KernelContext& ctx, DType t) {
  llvm::Type* ty = ctx.llvmType(t);
  if (isFloat(t)) return llvm::ConstantFP::getInfinity(ty, /*Negative=*/true);
  unsigned bits = ty->getIntegerBitWidth();
  return llvm::ConstantInt::get(ty, isSignedInt(t) ? llvm::APInt::getSignedMinValue(bits)
                                                   : llvm::APInt::getMinValue(bits));
}

namespace {
llvm::FastMathFlags reassocFlags(const llvm::FastMathFlags& current) {
  llvm::FastMathFlags f = current;
  f.setAllowReassoc();
  f.setAllowContract();
  return f;
}
}  // namespace

ReassocScope::ReassocScope(KernelContext& ctx) : guard_(ctx.b) {
  ctx.b.setFastMathFlags(reassocFlags(ctx.b.getFastMathFlags()));
}

}  // namespace kiln::codegen
