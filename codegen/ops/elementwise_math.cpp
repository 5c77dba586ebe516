// Kernel emitters of the unary math and activation ops of the elementwise
// family's second batch (ir/ops.def), following the latest ONNX operator specs:
// trigonometric and hyperbolic functions, Sign, Round (half to even),
// Softsign, Softplus, Selu, Elu, Celu, Mish, ThresholdedRelu, Shrink, IsNaN and
// IsInf. Floating-point math on f16/bf16 is done in f32 and rounded back on
// store; transcendental functions call libm (sinf/sin, asinhf/asinh, ...).
#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/elementwise_common.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

void libmUnary(KernelContext& ctx, const char* f32Name, const char* f64Name) {
  emitUnaryFloat(ctx, [&](Value* x) { return callLibm(ctx, f32Name, f64Name, x); });
}

Value* expm1(KernelContext& ctx, Value* x) { return callLibm(ctx, "expm1f", "expm1", x); }

// log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)).
Value* softplus(KernelContext& ctx, Value* x) {
  llvm::IRBuilder<>& b = ctx.b;
  Value* absX = ctx.callIntrinsic(llvm::Intrinsic::fabs, {x});
  Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {b.CreateFNeg(absX)});
  Value* tail = callLibm(ctx, "log1pf", "log1p", e);
  Value* pos = b.CreateSelect(b.CreateFCmpOGT(x, fconst(x, 0.0)), x, fconst(x, 0.0));
  // NaN: the select above gives 0, so add x's NaN back through the tail.
  return b.CreateFAdd(pos, tail);
}

// A float predicate over input 0 stored as bool.
void floatPredicate(KernelContext& ctx, const std::function<Value*(Value*)>& test) {
  DType in = ctx.inputDType(0), ct = computeType(in);
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    return boolToByte(ctx, test(ctx.convert(a[0], in, ct)));
  });
}

}  // namespace

void emitSin(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::sin, {x}); });
}
void emitCos(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::cos, {x}); });
}
void emitTan(KernelContext& ctx) { libmUnary(ctx, "tanf", "tan"); }
void emitAsin(KernelContext& ctx) { libmUnary(ctx, "asinf", "asin"); }
void emitAcos(KernelContext& ctx) { libmUnary(ctx, "acosf", "acos"); }
void emitAtan(KernelContext& ctx) { libmUnary(ctx, "atanf", "atan"); }
void emitSinh(KernelContext& ctx) { libmUnary(ctx, "sinhf", "sinh"); }
void emitCosh(KernelContext& ctx) { libmUnary(ctx, "coshf", "cosh"); }
void emitAsinh(KernelContext& ctx) { libmUnary(ctx, "asinhf", "asinh"); }
void emitAcosh(KernelContext& ctx) { libmUnary(ctx, "acoshf", "acosh"); }
void emitAtanh(KernelContext& ctx) { libmUnary(ctx, "atanhf", "atanh"); }

// -1, 0 or 1 by the sign of x; NaN stays NaN, unsigned values give 0 or 1.
void emitSign(KernelContext& ctx) {
  emitUnary(ctx, [&](Value* x, DType t) -> Value* {
    llvm::IRBuilder<>& b = ctx.b;
    if (isFloat(t)) {
      Value* r = b.CreateSelect(b.CreateFCmpOLT(x, fconst(x, 0.0)), fconst(x, -1.0), x);
      return b.CreateSelect(b.CreateFCmpOGT(x, fconst(x, 0.0)), fconst(x, 1.0), r);
    }
    Value* zero = llvm::ConstantInt::get(x->getType(), 0);
    Value* one = llvm::ConstantInt::get(x->getType(), 1);
    if (isUnsignedInt(t)) return b.CreateSelect(b.CreateICmpNE(x, zero), one, zero);
    Value* r = b.CreateSelect(b.CreateICmpSLT(x, zero), llvm::ConstantInt::getSigned(x->getType(), -1), zero);
    return b.CreateSelect(b.CreateICmpSGT(x, zero), one, r);
  });
}

// Rounds halfway cases to the even neighbour (ONNX Round, like numpy.round).
void emitRound(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::roundeven, {x}); });
}

// x / (1 + |x|)
void emitSoftsign(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) {
    Value* d = ctx.b.CreateFAdd(fconst(x, 1.0), ctx.callIntrinsic(llvm::Intrinsic::fabs, {x}));
    return ctx.b.CreateFDiv(x, d);
  });
}

// log(exp(x) + 1)
void emitSoftplus(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return softplus(ctx, x); });
}

// gamma * (x > 0 ? x : alpha * (exp(x) - 1))
void emitSelu(KernelContext& ctx) {
  double alpha = ctx.attrs().getFloat("alpha", 1.67326319217681884765625f);
  double gamma = ctx.attrs().getFloat("gamma", 1.05070102214813232421875f);
  emitUnaryFloat(ctx, [&](Value* x) {
    llvm::IRBuilder<>& b = ctx.b;
    Value* neg = b.CreateFMul(fconst(x, alpha), expm1(ctx, x));
    Value* y = b.CreateSelect(b.CreateFCmpOGT(x, fconst(x, 0.0)), x, neg);
    return b.CreateFMul(fconst(x, gamma), y);
  });
}

// x < 0 ? alpha * (exp(x) - 1) : x
void emitElu(KernelContext& ctx) {
  double alpha = ctx.attrs().getFloat("alpha", 1.0f);
  emitUnaryFloat(ctx, [&](Value* x) {
    llvm::IRBuilder<>& b = ctx.b;
    Value* neg = b.CreateFMul(fconst(x, alpha), expm1(ctx, x));
    return b.CreateSelect(b.CreateFCmpOLT(x, fconst(x, 0.0)), neg, x);
  });
}

// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), i.e. x for x >= 0.
void emitCelu(KernelContext& ctx) {
  double alpha = ctx.attrs().getFloat("alpha", 1.0f);
  emitUnaryFloat(ctx, [&](Value* x) {
    llvm::IRBuilder<>& b = ctx.b;
    Value* neg = b.CreateFMul(fconst(x, alpha), expm1(ctx, b.CreateFDiv(x, fconst(x, alpha))));
    return b.CreateSelect(b.CreateFCmpOLT(x, fconst(x, 0.0)), neg, x);
  });
}

// x * tanh(softplus(x))
void emitMish(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) {
    return ctx.b.CreateFMul(x, callLibm(ctx, "tanhf", "tanh", softplus(ctx, x)));
  });
}

// x > alpha ? x : 0
void emitThresholdedRelu(KernelContext& ctx) {
  double alpha = ctx.attrs().getFloat("alpha", 1.0f);
  emitUnaryFloat(ctx, [&](Value* x) {
    return ctx.b.CreateSelect(ctx.b.CreateFCmpOGT(x, fconst(x, alpha)), x, fconst(x, 0.0));
  });
}

// x < -lambd ? x + bias : x > lambd ? x - bias : 0. Integer inputs are
// computed in f64 (lambd and bias are floats) and truncated back.
void emitShrink(KernelContext& ctx) {
  double lambd = ctx.attrs().getFloat("lambd", 0.5f), bias = ctx.attrs().getFloat("bias", 0.0f);
  DType in = ctx.inputDType(0), ct = isFloat(in) ? computeType(in) : DType::F64;
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    llvm::IRBuilder<>& b = ctx.b;
    Value* x = ctx.convert(a[0], in, ct);
    Value* y = b.CreateSelect(b.CreateFCmpOGT(x, fconst(x, lambd)), b.CreateFSub(x, fconst(x, bias)),
                              fconst(x, 0.0));
    y = b.CreateSelect(b.CreateFCmpOLT(x, fconst(x, -lambd)), b.CreateFAdd(x, fconst(x, bias)), y);
    return ctx.convert(y, ct, in);
  });
}

void emitIsNaN(KernelContext& ctx) {
  floatPredicate(ctx, [&](Value* x) { return ctx.b.CreateFCmpUNO(x, x); });
}

// x == +inf (when detect_positive) or x == -inf (when detect_negative).
void emitIsInf(KernelContext& ctx) {
  bool positive = ctx.attrs().getInt("detect_positive", 1) != 0;
  bool negative = ctx.attrs().getInt("detect_negative", 1) != 0;
  floatPredicate(ctx, [&](Value* x) -> Value* {
    llvm::IRBuilder<>& b = ctx.b;
    Value* inf = llvm::ConstantFP::getInfinity(x->getType());
    Value* r = b.getFalse();
    if (positive) r = b.CreateOr(r, b.CreateFCmpOEQ(x, inf));
    if (negative) r = b.CreateOr(r, b.CreateFCmpOEQ(x, b.CreateFNeg(inf)));
    return r;
  });
}

}  // namespace kiln::codegen
