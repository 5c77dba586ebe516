#include "codegen/ops/quant_common.h"

#include <llvm/IR/Intrinsics.h>

#include <limits>

namespace kiln::codegen {

namespace {

std::pair<double, double> intRange(const KernelContext& ctx, DType t) {
  switch (t) {
    case DType::U8: return {0, 255};
    case DType::I8: return {-128, 127};
    case DType::U16: return {0, 65535};
    case DType::I16: return {-32768, 32767};
    case DType::I32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default: break;
  }
  ctx.fail("unsupported: quantized dtype {}", dtypeName(t));
}

}  // namespace

bool quantParamIsScalar(const KernelContext& ctx, size_t i) {
  return !ctx.hasInput(i) || ctx.inputType(i).numElements() == 1;
}

llvm::Value* loadScale(KernelContext& ctx, size_t i, llvm::Value* index, DType ct) {
  DType t = ctx.inputDType(i);
  llvm::Value* at = quantParamIsScalar(ctx, i) ? ctx.i64(0) : index;
  return ctx.convert(ctx.load(t, ctx.input(i), at), t, ct);
}

llvm::Value* widenToI32(KernelContext& ctx, llvm::Value* v, DType t) {
  if (t == DType::I32) return v;
  return isSignedInt(t) ? ctx.b.CreateSExt(v, ctx.b.getInt32Ty()) : ctx.b.CreateZExt(v, ctx.b.getInt32Ty());
}

llvm::Value* loadZeroPoint(KernelContext& ctx, size_t i, llvm::Value* index) {
  if (!ctx.hasInput(i)) return ctx.b.getInt32(0);
  DType t = ctx.inputDType(i);
  llvm::Value* at = quantParamIsScalar(ctx, i) ? ctx.i64(0) : index;
  return widenToI32(ctx, ctx.load(t, ctx.input(i), at), t);
}

llvm::Value* requantize(KernelContext& ctx, llvm::Value* v, DType ct, llvm::Value* zp, DType out) {
  auto [lo, hi] = intRange(ctx, out);
  llvm::Value* r = ctx.callIntrinsic(llvm::Intrinsic::roundeven, {v});
  r = ctx.b.CreateFAdd(r, ctx.convert(zp, DType::I32, ct));
  // maxnum(NaN, lo) is lo; the clamp keeps the conversion in range.
  r = ctx.b.CreateMinNum(ctx.b.CreateMaxNum(r, ctx.constant(ct, lo)), ctx.constant(ct, hi));
  return ctx.convert(r, ct, out);
}

}  // namespace kiln::codegen
