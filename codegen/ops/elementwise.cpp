// Kernel emitters of the elementwise ops (ir/ops.def family `elementwise`).
// Each op supplies its scalar semantics to emitBroadcastLoop. Floating-point
// math on f16/bf16 is done in f32 and rounded back on store.
#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/broadcast_loop.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

DType computeType(DType t) { return (t == DType::F16 || t == DType::BF16) ? DType::F32 : t; }

// A libm function of one argument (tanhf/tanh, erff/erf) that touches no memory.
Value* callLibm(KernelContext& ctx, const char* f32Name, const char* f64Name, Value* x) {
  bool isDouble = x->getType()->isDoubleTy();
  llvm::FunctionType* ty = llvm::FunctionType::get(x->getType(), {x->getType()}, false);
  llvm::FunctionCallee fn = ctx.module.getOrInsertFunction(isDouble ? f64Name : f32Name, ty);
  llvm::CallInst* call = ctx.b.CreateCall(fn, {x});
  call->setDoesNotAccessMemory();
  call->setDoesNotThrow();
  return call;
}

Value* fconst(Value* like, double v) { return llvm::ConstantFP::get(like->getType(), v); }

// Elementwise over input 0 in its compute type.
void unary(KernelContext& ctx, const std::function<Value*(Value*, DType)>& fn) {
  DType in = ctx.inputDType(0), out = ctx.outputDType(0), ct = computeType(in);
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    return ctx.convert(fn(ctx.convert(a[0], in, ct), ct), ct, out);
  });
}

void unaryFloat(KernelContext& ctx, const std::function<Value*(Value*)>& fn) {
  unary(ctx, [&](Value* x, DType) { return fn(x); });
}

// Binary op over inputs 0 and 1 computed in the first input's compute type.
void binary(KernelContext& ctx, const std::function<Value*(Value*, Value*, DType)>& fn) {
  DType in = ctx.inputDType(0), in1 = ctx.inputDType(1), out = ctx.outputDType(0);
  DType ct = computeType(in);
  emitBroadcastLoop(ctx, {0, 1}, [&](const std::vector<Value*>& a) {
    Value* r = fn(ctx.convert(a[0], in, ct), ctx.convert(a[1], in1, ct), ct);
    return out == DType::Bool ? r : ctx.convert(r, ct, out);
  });
}

Value* boolToByte(KernelContext& ctx, Value* i1) { return ctx.b.CreateZExt(i1, ctx.b.getInt8Ty()); }

// Integer division that never traps: x/0 gives 0, INT_MIN/-1 wraps.
Value* safeIntDiv(KernelContext& ctx, Value* x, Value* y, DType t, bool remainder) {
  llvm::IRBuilder<>& b = ctx.b;
  Value* zero = llvm::ConstantInt::get(y->getType(), 0);
  Value* one = llvm::ConstantInt::get(y->getType(), 1);
  Value* isZero = b.CreateICmpEQ(y, zero);
  Value* d = b.CreateSelect(isZero, one, y);
  Value* r;
  if (isUnsignedInt(t) || t == DType::Bool) {
    r = remainder ? b.CreateURem(x, d) : b.CreateUDiv(x, d);
  } else {
    Value* isNegOne = b.CreateICmpEQ(d, llvm::ConstantInt::getSigned(y->getType(), -1));
    Value* d2 = b.CreateSelect(isNegOne, one, d);
    Value* q = remainder ? b.CreateSRem(x, d2) : b.CreateSDiv(x, d2);
    Value* negated = remainder ? zero : b.CreateSub(zero, x);
    r = b.CreateSelect(isNegOne, negated, q);
  }
  return b.CreateSelect(isZero, zero, r);
}

Value* compare(KernelContext& ctx, llvm::CmpInst::Predicate fp, llvm::CmpInst::Predicate si,
               llvm::CmpInst::Predicate ui, Value* x, Value* y, DType t) {
  if (isFloat(t)) return boolToByte(ctx, ctx.b.CreateFCmp(fp, x, y));
  return boolToByte(ctx, ctx.b.CreateICmp(isSignedInt(t) ? si : ui, x, y));
}

// Larger (or smaller) of two values; floats propagate NaN like ONNX Runtime.
Value* extremum(KernelContext& ctx, Value* x, Value* y, DType t, bool isMax) {
  llvm::IRBuilder<>& b = ctx.b;
  if (isFloat(t)) return isMax ? b.CreateMaximum(x, y) : b.CreateMinimum(x, y);
  llvm::CmpInst::Predicate p = isSignedInt(t) ? (isMax ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_SLT)
                                              : (isMax ? llvm::CmpInst::ICMP_UGT : llvm::CmpInst::ICMP_ULT);
  return b.CreateSelect(b.CreateICmp(p, x, y), x, y);
}

// Clamps x into [lo, hi] (either may be null); NaN stays NaN.
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

// Loads a scalar input (Clip bounds) once, outside the element loop.
Value* loadScalar(KernelContext& ctx, size_t i, DType ct) {
  if (!ctx.hasInput(i)) return nullptr;
  return ctx.convert(ctx.load(ctx.inputDType(i), ctx.input(i), ctx.i64(0)), ctx.inputDType(i), ct);
}

}  // namespace

void emitIdentity(KernelContext& ctx) {
  emitBroadcastLoop(ctx, {0}, [](const std::vector<Value*>& a) { return a[0]; });
}

void emitNeg(KernelContext& ctx) {
  unary(ctx, [&](Value* x, DType t) { return isFloat(t) ? ctx.b.CreateFNeg(x) : ctx.b.CreateNeg(x); });
}

void emitAbs(KernelContext& ctx) {
  unary(ctx, [&](Value* x, DType t) -> Value* {
    if (isFloat(t)) return ctx.callIntrinsic(llvm::Intrinsic::fabs, {x});
    if (isUnsignedInt(t)) return x;
    Value* neg = ctx.b.CreateICmpSLT(x, llvm::ConstantInt::get(x->getType(), 0));
    return ctx.b.CreateSelect(neg, ctx.b.CreateNeg(x), x);
  });
}

void emitSqrt(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::sqrt, {x}); });
}
void emitExp(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::exp, {x}); });
}
void emitLog(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::log, {x}); });
}
void emitTanh(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return callLibm(ctx, "tanhf", "tanh", x); });
}
void emitErf(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return callLibm(ctx, "erff", "erf", x); });
}
void emitReciprocal(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return ctx.b.CreateFDiv(fconst(x, 1.0), x); });
}
void emitFloor(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::floor, {x}); });
}
void emitCeil(KernelContext& ctx) {
  unaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::ceil, {x}); });
}

void emitRelu(KernelContext& ctx) {
  unary(ctx, [&](Value* x, DType t) {
    return clamp(ctx, x, isFloat(t) ? fconst(x, 0.0) : llvm::ConstantInt::get(x->getType(), 0), nullptr, t);
  });
}

void emitLeakyRelu(KernelContext& ctx) {
  float alpha = ctx.attrs().getFloat("alpha", 0.01f);
  unaryFloat(ctx, [&](Value* x) {
    Value* neg = ctx.b.CreateFCmpOLT(x, fconst(x, 0.0));
    return ctx.b.CreateSelect(neg, ctx.b.CreateFMul(x, fconst(x, alpha)), x);
  });
}

void emitSigmoid(KernelContext& ctx) {
  // 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving 0.
  unaryFloat(ctx, [&](Value* x) {
    Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {ctx.b.CreateFNeg(x)});
    return ctx.b.CreateFDiv(fconst(x, 1.0), ctx.b.CreateFAdd(fconst(x, 1.0), e));
  });
}

void emitHardSigmoid(KernelContext& ctx) {
  float alpha = ctx.attrs().getFloat("alpha", 0.2f), beta = ctx.attrs().getFloat("beta", 0.5f);
  unary(ctx, [&](Value* x, DType t) {
    Value* y = ctx.b.CreateFAdd(ctx.b.CreateFMul(x, fconst(x, alpha)), fconst(x, beta));
    return clamp(ctx, y, fconst(x, 0.0), fconst(x, 1.0), t);
  });
}

void emitHardSwish(KernelContext& ctx) {
  unary(ctx, [&](Value* x, DType t) {
    Value* y = ctx.b.CreateFAdd(ctx.b.CreateFMul(x, fconst(x, 1.0 / 6.0)), fconst(x, 0.5));
    return ctx.b.CreateFMul(x, clamp(ctx, y, fconst(x, 0.0), fconst(x, 1.0), t));
  });
}

void emitNot(KernelContext& ctx) {
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    return ctx.b.CreateXor(a[0], ctx.b.getInt8(1));
  });
}

void emitCast(KernelContext& ctx) {
  DType from = ctx.inputDType(0), to = ctx.outputDType(0);
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    // f16/bf16 <-> integer goes through f32, as LLVM has no direct conversion.
    if ((from == DType::F16 || from == DType::BF16) && !isFloat(to))
      return ctx.convert(ctx.convert(a[0], from, DType::F32), DType::F32, to);
    if ((to == DType::F16 || to == DType::BF16) && !isFloat(from) && from != DType::Bool)
      return ctx.convert(ctx.convert(a[0], from, DType::F32), DType::F32, to);
    return ctx.convert(a[0], from, to);
  });
}

void emitClip(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = computeType(t);
  Value* lo = loadScalar(ctx, 1, ct);
  Value* hi = loadScalar(ctx, 2, ct);
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    return ctx.convert(clamp(ctx, ctx.convert(a[0], t, ct), lo, hi, ct), ct, t);
  });
}

void emitAdd(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) { return isFloat(t) ? ctx.b.CreateFAdd(x, y) : ctx.b.CreateAdd(x, y); });
}
void emitSub(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) { return isFloat(t) ? ctx.b.CreateFSub(x, y) : ctx.b.CreateSub(x, y); });
}
void emitMul(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) { return isFloat(t) ? ctx.b.CreateFMul(x, y) : ctx.b.CreateMul(x, y); });
}
void emitDiv(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) {
    return isFloat(t) ? ctx.b.CreateFDiv(x, y) : safeIntDiv(ctx, x, y, t, false);
  });
}

void emitPow(KernelContext& ctx) {
  DType base = ctx.inputDType(0), expo = ctx.inputDType(1), out = ctx.outputDType(0);
  // Integer powers are computed in f64 and converted back.
  DType ct = isFloat(base) ? computeType(base) : DType::F64;
  const ir::TensorData* e = ctx.inputConstant(1);
  bool square = e && e->numElements() == 1 && e->floatAt(0) == 2.0;
  emitBroadcastLoop(ctx, {0, 1}, [&](const std::vector<Value*>& a) {
    Value* x = ctx.convert(a[0], base, ct);
    Value* r = square ? ctx.b.CreateFMul(x, x)
                      : ctx.callIntrinsic(llvm::Intrinsic::pow, {x, ctx.convert(a[1], expo, ct)});
    return ctx.convert(r, ct, out);
  });
}

void emitEqual(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) {
    return compare(ctx, llvm::CmpInst::FCMP_OEQ, llvm::CmpInst::ICMP_EQ, llvm::CmpInst::ICMP_EQ, x, y, t);
  });
}
void emitLess(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) {
    return compare(ctx, llvm::CmpInst::FCMP_OLT, llvm::CmpInst::ICMP_SLT, llvm::CmpInst::ICMP_ULT, x, y, t);
  });
}
void emitGreater(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType t) {
    return compare(ctx, llvm::CmpInst::FCMP_OGT, llvm::CmpInst::ICMP_SGT, llvm::CmpInst::ICMP_UGT, x, y, t);
  });
}
void emitAnd(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType) { return ctx.b.CreateAnd(x, y); });
}
void emitOr(KernelContext& ctx) {
  binary(ctx, [&](Value* x, Value* y, DType) { return ctx.b.CreateOr(x, y); });
}

void emitWhere(KernelContext& ctx) {
  emitBroadcastLoop(ctx, {0, 1, 2}, [&](const std::vector<Value*>& a) {
    return ctx.b.CreateSelect(ctx.b.CreateICmpNE(a[0], ctx.b.getInt8(0)), a[1], a[2]);
  });
}

namespace {
void variadicExtremum(KernelContext& ctx, bool isMax) {
  std::vector<size_t> all(ctx.numInputs());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  DType t = ctx.inputDType(0), ct = computeType(t);
  emitBroadcastLoop(ctx, all, [&](const std::vector<Value*>& a) {
    Value* acc = ctx.convert(a[0], t, ct);
    for (size_t i = 1; i < a.size(); ++i) acc = extremum(ctx, acc, ctx.convert(a[i], t, ct), ct, isMax);
    return ctx.convert(acc, ct, t);
  });
}
}  // namespace

void emitMax(KernelContext& ctx) { variadicExtremum(ctx, true); }
void emitMin(KernelContext& ctx) { variadicExtremum(ctx, false); }

}  // namespace kiln::codegen
