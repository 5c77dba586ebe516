// Kernel emitters of the elementwise ops (ir/ops.def family `elementwise`).
// Each op supplies its scalar semantics to emitBroadcastLoop. Floating-point
// math on f16/bf16 is done in f32 and rounded back on store.
#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/elementwise_common.h"
#include "codegen/ops/elementwise_values.h"
#include "ir/shape_rules/activation_params.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

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
  emitUnary(ctx, [&](Value* x, DType t) { return elementwise::neg(ctx, x, t); });
}

void emitAbs(KernelContext& ctx) {
  emitUnary(ctx, [&](Value* x, DType t) { return elementwise::abs(ctx, x, t); });
}

void emitSqrt(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::sqrt(ctx, x); });
}
void emitExp(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::exp(ctx, x); });
}
void emitLog(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::log, {x}); });
}
void emitTanh(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::tanh(ctx, x); });
}
void emitErf(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::erf(ctx, x); });
}
void emitReciprocal(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::reciprocal(ctx, x); });
}
void emitFloor(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::floor, {x}); });
}
void emitCeil(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return ctx.callIntrinsic(llvm::Intrinsic::ceil, {x}); });
}

void emitRelu(KernelContext& ctx) {
  emitUnary(ctx, [&](Value* x, DType t) { return elementwise::relu(ctx, x, t); });
}

void emitLeakyRelu(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::leakyRelu(ctx, x, ctx.attrs()); });
}

void emitSigmoid(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::sigmoid(ctx, x); });
}

void emitHardSigmoid(KernelContext& ctx) {
  emitUnary(ctx, [&](Value* x, DType t) { return elementwise::hardSigmoid(ctx, x, ctx.attrs(), t); });
}

void emitHardSwish(KernelContext& ctx) {
  emitUnary(ctx, [&](Value* x, DType t) { return elementwise::hardSwish(ctx, x, t); });
}

void emitGelu(KernelContext& ctx) {
  bool tanhForm = ir::geluApproximation(ctx, ctx.attrs());
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::gelu(ctx, x, tanhForm); });
}

void emitSwish(KernelContext& ctx) {
  emitUnaryFloat(ctx, [&](Value* x) { return elementwise::swish(ctx, x, ctx.attrs()); });
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
    return ctx.convert(elementwise::clamp(ctx, ctx.convert(a[0], t, ct), lo, hi, ct), ct, t);
  });
}

void emitAdd(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType t) { return elementwise::add(ctx, x, y, t); });
}
void emitSub(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType t) { return elementwise::sub(ctx, x, y, t); });
}
void emitMul(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType t) { return elementwise::mul(ctx, x, y, t); });
}
void emitDiv(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType t) { return elementwise::div(ctx, x, y, t); });
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
  using P = llvm::CmpInst;
  emitComparison(ctx, P::FCMP_OEQ, P::ICMP_EQ, P::ICMP_EQ);
}
void emitLess(KernelContext& ctx) {
  using P = llvm::CmpInst;
  emitComparison(ctx, P::FCMP_OLT, P::ICMP_SLT, P::ICMP_ULT);
}
void emitGreater(KernelContext& ctx) {
  using P = llvm::CmpInst;
  emitComparison(ctx, P::FCMP_OGT, P::ICMP_SGT, P::ICMP_UGT);
}
void emitAnd(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType) { return ctx.b.CreateAnd(x, y); });
}
void emitOr(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType) { return ctx.b.CreateOr(x, y); });
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
    for (size_t i = 1; i < a.size(); ++i)
      acc = elementwise::extremum(ctx, acc, ctx.convert(a[i], t, ct), ct, isMax);
    return ctx.convert(acc, ct, t);
  });
}
}  // namespace

void emitMax(KernelContext& ctx) { variadicExtremum(ctx, true); }
void emitMin(KernelContext& ctx) { variadicExtremum(ctx, false); }

}  // namespace kiln::codegen
