// Elementwise op semantics on llvm::Values (see elementwise_values.h).
#include "codegen/ops/elementwise_values.h"

#include <llvm/IR/Intrinsics.h>

#include <cmath>

#include "codegen/ops/elementwise_common.h"
#include "codegen/ops/vector_math.h"

namespace kiln::codegen::elementwise {

namespace {

// float32 exp, sigmoid and erf use the inline versions (vector_math.h), which
// vectorize; other types call libm per element.
bool isF32(Value* x) { return x->getType()->getScalarType()->isFloatTy(); }

llvm::Value* intConst(Value* like, int64_t v) {
  return llvm::ConstantInt::get(like->getType(), static_cast<uint64_t>(v), true);
}
}  // namespace

Value* neg(KernelContext& ctx, Value* x, DType t) {
  return isFloat(t) ? ctx.b.CreateFNeg(x) : ctx.b.CreateNeg(x);
}

Value* abs(KernelContext& ctx, Value* x, DType t) {
  if (isFloat(t)) return ctx.callIntrinsic(llvm::Intrinsic::fabs, {x});
  if (isUnsignedInt(t)) return x;
  Value* negative = ctx.b.CreateICmpSLT(x, intConst(x, 0));
  return ctx.b.CreateSelect(negative, ctx.b.CreateNeg(x), x);
}

Value* relu(KernelContext& ctx, Value* x, DType t) {
  return clamp(ctx, x, isFloat(t) ? fconst(x, 0.0) : intConst(x, 0), nullptr, t);
}

Value* leakyRelu(KernelContext& ctx, Value* x, const ir::Attributes& attrs) {
  float alpha = attrs.getFloat("alpha", 0.01f);
  Value* negative = ctx.b.CreateFCmpOLT(x, fconst(x, 0.0));
  return ctx.b.CreateSelect(negative, ctx.b.CreateFMul(x, fconst(x, alpha)), x);
}

Value* sigmoid(KernelContext& ctx, Value* x) {
  if (isF32(x)) return emitFastSigmoid(ctx, x);
  Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {ctx.b.CreateFNeg(x)});
  return ctx.b.CreateFDiv(fconst(x, 1.0), ctx.b.CreateFAdd(fconst(x, 1.0), e));
}

Value* hardSigmoid(KernelContext& ctx, Value* x, const ir::Attributes& attrs, DType t) {
  float alpha = attrs.getFloat("alpha", 0.2f), beta = attrs.getFloat("beta", 0.5f);
  Value* y = ctx.b.CreateFAdd(ctx.b.CreateFMul(x, fconst(x, alpha)), fconst(x, beta));
  return clamp(ctx, y, fconst(x, 0.0), fconst(x, 1.0), t);
}

Value* hardSwish(KernelContext& ctx, Value* x, DType t) {
  Value* y = ctx.b.CreateFAdd(ctx.b.CreateFMul(x, fconst(x, 1.0 / 6.0)), fconst(x, 0.5));
  return ctx.b.CreateFMul(x, clamp(ctx, y, fconst(x, 0.0), fconst(x, 1.0), t));
}

Value* gelu(KernelContext& ctx, Value* x, bool tanhForm) {
  llvm::IRBuilder<>& b = ctx.b;
  if (tanhForm) {
    const double k = std::sqrt(2.0 / M_PI);
    Value* cube = b.CreateFMul(b.CreateFMul(x, x), x);
    Value* inner = b.CreateFAdd(x, b.CreateFMul(cube, fconst(x, 0.044715)));
    return b.CreateFMul(x, sigmoid(ctx, b.CreateFMul(inner, fconst(x, 2.0 * k))));
  }
  Value* e = erf(ctx, b.CreateFMul(x, fconst(x, M_SQRT1_2)));
  return b.CreateFMul(b.CreateFMul(x, fconst(x, 0.5)), b.CreateFAdd(e, fconst(x, 1.0)));
}

Value* swish(KernelContext& ctx, Value* x, const ir::Attributes& attrs) {
  float alpha = attrs.getFloat("alpha", 1.0f);
  Value* z = alpha == 1.0f ? x : ctx.b.CreateFMul(x, fconst(x, alpha));
  return ctx.b.CreateFMul(x, sigmoid(ctx, z));
}

Value* exp(KernelContext& ctx, Value* x) {
  return isF32(x) ? emitFastExp(ctx, x) : ctx.callIntrinsic(llvm::Intrinsic::exp, {x});
}
Value* sqrt(KernelContext& ctx, Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::sqrt, {x}); }
Value* reciprocal(KernelContext& ctx, Value* x) { return ctx.b.CreateFDiv(fconst(x, 1.0), x); }
Value* tanh(KernelContext& ctx, Value* x) { return callLibm(ctx, "tanhf", "tanh", x); }
Value* erf(KernelContext& ctx, Value* x) { return isF32(x) ? emitFastErf(ctx, x) : callLibm(ctx, "erff", "erf", x); }

Value* clamp(KernelContext& ctx, Value* x, Value* lo, Value* hi, DType t) {
  llvm::IRBuilder<>& b = ctx.b;
  bool fp = isFloat(t), sg = isSignedInt(t);
  if (lo) {
    Value* below = fp ? b.CreateFCmpOLT(x, lo) : (sg ? b.CreateICmpSLT(x, lo) : b.CreateICmpULT(x, lo));
    x = b.CreateSelect(below, lo, x);
  }
  if (hi) {
    Value* above = fp ? b.CreateFCmpOGT(x, hi) : (sg ? b.CreateICmpSGT(x, hi) : b.CreateICmpUGT(x, hi));
    x = b.CreateSelect(above, hi, x);
  }
  return x;
}

Value* add(KernelContext& ctx, Value* x, Value* y, DType t) {
  return isFloat(t) ? ctx.b.CreateFAdd(x, y) : ctx.b.CreateAdd(x, y);
}
Value* sub(KernelContext& ctx, Value* x, Value* y, DType t) {
  return isFloat(t) ? ctx.b.CreateFSub(x, y) : ctx.b.CreateSub(x, y);
}
Value* mul(KernelContext& ctx, Value* x, Value* y, DType t) {
  return isFloat(t) ? ctx.b.CreateFMul(x, y) : ctx.b.CreateMul(x, y);
}
Value* div(KernelContext& ctx, Value* x, Value* y, DType t) {
  return isFloat(t) ? ctx.b.CreateFDiv(x, y) : safeIntDivide(ctx, x, y, t, false);
}

Value* extremum(KernelContext& ctx, Value* x, Value* y, DType t, bool isMax) {
  llvm::IRBuilder<>& b = ctx.b;
  if (isFloat(t)) return isMax ? b.CreateMaximum(x, y) : b.CreateMinimum(x, y);
  llvm::CmpInst::Predicate p = isSignedInt(t) ? (isMax ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_SLT)
                                              : (isMax ? llvm::CmpInst::ICMP_UGT : llvm::CmpInst::ICMP_ULT);
  return b.CreateSelect(b.CreateICmp(p, x, y), x, y);
}

Value* prelu(KernelContext& ctx, Value* x, Value* slope, DType t) {
  llvm::IRBuilder<>& b = ctx.b;
  if (isUnsignedInt(t)) return x;
  if (isFloat(t)) return b.CreateSelect(b.CreateFCmpOLT(x, fconst(x, 0.0)), b.CreateFMul(x, slope), x);
  Value* negative = b.CreateICmpSLT(x, intConst(x, 0));
  return b.CreateSelect(negative, b.CreateMul(x, slope), x);
}

ScaleShift batchNormScaleShift(KernelContext& ctx, Value* scale, Value* bias, Value* mean, Value* var,
                               const ir::Attributes& attrs) {
  double epsilon = attrs.getFloat("epsilon", 1e-5f);
  Value* stddev = ctx.callIntrinsic(llvm::Intrinsic::sqrt, {ctx.b.CreateFAdd(var, fconst(var, epsilon))});
  Value* a = ctx.b.CreateFDiv(scale, stddev);
  return {a, ctx.b.CreateFSub(bias, ctx.b.CreateFMul(mean, a))};
}

Value* scaleShift(KernelContext& ctx, Value* x, const ScaleShift& s) {
  return ctx.b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {x->getType()}, {x, s.a, s.b});
}

}  // namespace kiln::codegen::elementwise
