// Kernel emitters of the binary, variadic and pass-through ops of the
// elementwise family's second batch (ir/ops.def), following the latest ONNX
// operator specs: PRelu, Mod, BitShift, Xor, GreaterOrEqual, LessOrEqual, Sum,
// Mean, CastLike and Dropout (inference: Y = X, mask all true).
#include "codegen/ops/elementwise_common.h"
#include "codegen/ops/elementwise_values.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

// Inputs 0..n-1 of the node, for variadic ops.
std::vector<size_t> allInputs(const KernelContext& ctx) {
  std::vector<size_t> all(ctx.numInputs());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

// Sum of all inputs in their compute type, divided by the count for Mean.
void variadicSum(KernelContext& ctx, bool mean) {
  DType t = ctx.inputDType(0), ct = computeType(t);
  emitBroadcastLoop(ctx, allInputs(ctx), [&](const std::vector<Value*>& a) {
    Value* acc = ctx.convert(a[0], t, ct);
    for (size_t i = 1; i < a.size(); ++i) acc = ctx.b.CreateFAdd(acc, ctx.convert(a[i], t, ct));
    if (mean) acc = ctx.b.CreateFDiv(acc, fconst(acc, static_cast<double>(a.size())));
    return ctx.convert(acc, ct, t);
  });
}

// Integer remainder with the sign of the divisor (Python's %): the truncated
// remainder r is moved by y when r and y have opposite signs. x % 0 gives 0.
Value* flooredIntMod(KernelContext& ctx, Value* x, Value* y, DType t) {
  Value* r = safeIntDivide(ctx, x, y, t, true);
  if (!isSignedInt(t)) return r;
  llvm::IRBuilder<>& b = ctx.b;
  Value* zero = llvm::ConstantInt::get(r->getType(), 0);
  Value* signsDiffer = b.CreateICmpSLT(b.CreateXor(r, y), zero);
  Value* adjust = b.CreateAnd(b.CreateICmpNE(r, zero), signsDiffer);
  return b.CreateSelect(adjust, b.CreateAdd(r, y), r);
}

}  // namespace

// x < 0 ? slope * x : x, the slope broadcasting to X's shape (the output's).
void emitPRelu(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* slope, DType t) { return elementwise::prelu(ctx, x, slope, t); });
}

// fmod = 1: C fmod (the result takes the dividend's sign); fmod = 0 (integers
// only): Python's %, the result takes the divisor's sign.
void emitMod(KernelContext& ctx) {
  bool cStyle = ctx.attrs().getInt("fmod", 0) != 0;
  emitBinary(ctx, [&](Value* x, Value* y, DType t) -> Value* {
    if (isFloat(t)) {
      if (!cStyle) ctx.fail("fmod must be 1 for floating-point operands");
      return ctx.b.CreateFRem(x, y);
    }
    return cStyle ? safeIntDivide(ctx, x, y, t, true) : flooredIntMod(ctx, x, y, t);
  });
}

// x << y or x >> y (logical) on unsigned integers; shifting by the bit width
// or more gives 0.
void emitBitShift(KernelContext& ctx) {
  bool left = ctx.attrs().getString("direction", "") == "LEFT";
  emitBinary(ctx, [&](Value* x, Value* y, DType) {
    llvm::IRBuilder<>& b = ctx.b;
    unsigned bits = x->getType()->getIntegerBitWidth();
    Value* inRange = b.CreateICmpULT(y, llvm::ConstantInt::get(y->getType(), bits));
    Value* shifted = left ? b.CreateShl(x, y) : b.CreateLShr(x, y);
    return b.CreateSelect(inRange, shifted, llvm::ConstantInt::get(x->getType(), 0));
  });
}

void emitXor(KernelContext& ctx) {
  emitBinary(ctx, [&](Value* x, Value* y, DType) { return ctx.b.CreateXor(x, y); });
}

void emitGreaterOrEqual(KernelContext& ctx) {
  using P = llvm::CmpInst;
  emitComparison(ctx, P::FCMP_OGE, P::ICMP_SGE, P::ICMP_UGE);
}
void emitLessOrEqual(KernelContext& ctx) {
  using P = llvm::CmpInst;
  emitComparison(ctx, P::FCMP_OLE, P::ICMP_SLE, P::ICMP_ULE);
}

void emitSum(KernelContext& ctx) { variadicSum(ctx, false); }
void emitMean(KernelContext& ctx) { variadicSum(ctx, true); }

// Cast to the dtype of input 1 (the output's dtype); input 1's values are unused.
void emitCastLike(KernelContext& ctx) { emitCast(ctx); }

// Inference Dropout (training mode with ratio 0 is the same, see the shape
// rule): output 0 copies X and the optional mask output is all true.
void emitDropout(KernelContext& ctx) {
  constexpr int64_t kChunk = 8192;
  DType t = ctx.inputDType(0);
  int64_t n = ctx.outputType(0).numElements();
  bool mask = ctx.numOutputs() > 1;
  llvm::IRBuilder<>& b = ctx.b;
  ctx.parallelFor((n + kChunk - 1) / kChunk, [&](Value* chunk) {
    Value* lo = b.CreateMul(chunk, ctx.i64(kChunk), "", true, true);
    Value* hi = b.CreateAdd(lo, ctx.i64(kChunk), "", true, true);
    hi = b.CreateSelect(b.CreateICmpSLT(hi, ctx.i64(n)), hi, ctx.i64(n));
    ctx.loop(lo, hi, 1, [&](Value* i) {
      ctx.store(t, ctx.output(0), i, ctx.load(t, ctx.input(0), i));
      if (mask) ctx.store(DType::Bool, ctx.output(1), i, b.getInt8(1));
    });
  });
}

}  // namespace kiln::codegen
