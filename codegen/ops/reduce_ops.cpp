// ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp and
// ReduceSumSquare (ONNX opset 18 semantics) as folds for the shared reduction
// loop (reduce_engine.h):
//   Min        min(x)              identity +inf (the type's maximum for integers)
//   Prod       prod(x)             identity 1
//   L1         sum(|x|)            L2  sqrt(sum(x^2))
//   SumSquare  sum(x^2)            LogSum  log(sum(x))
//   LogSumExp  log(sum(exp(x))), folded pairwise as logaddexp so that large
//              inputs do not overflow: acc' = max(acc, x) + log1p(exp(-|acc - x|)).
// Reducing no elements gives the identity passed through the finishing step
// (e.g. ReduceLogSum of nothing is -inf), as the opset-18 spec says.
// Integer types accumulate in their own type (wrapping), as ONNX Runtime does;
// L2, LogSum and LogSumExp are computed for f32/f64 only; Min also takes
// f16/bf16 (exact in any type).
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/reduce_engine.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

enum class Kind { Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// f32/f64, integers where the op allows them, and f16/bf16 for Min (exact in
// any type; the sums would lose precision accumulating in 16 bits).
void requireReduceDType(const KernelContext& ctx, DType t, Kind kind) {
  bool floatOnly = kind == Kind::L2 || kind == Kind::LogSum || kind == Kind::LogSumExp;
  bool ok = t == DType::F32 || t == DType::F64 || (!floatOnly && isInteger(t)) ||
            (kind == Kind::Min && isFloat(t));
  if (!ok) ctx.fail("unsupported dtype {}", dtypeName(t));
}

Value* highestValue(KernelContext& ctx, DType t) {
  llvm::Type* ty = ctx.llvmType(t);
  if (isFloat(t)) return llvm::ConstantFP::getInfinity(ty, /*Negative=*/false);
  unsigned bits = ty->getIntegerBitWidth();
  return llvm::ConstantInt::get(ty, isSignedInt(t) ? llvm::APInt::getSignedMaxValue(bits)
                                                   : llvm::APInt::getMaxValue(bits));
}

// min(a, b); a NaN operand gives NaN (llvm.minimum, as numpy's min).
Value* emitMin(KernelContext& ctx, DType t, Value* a, Value* b) {
  if (isFloat(t)) return ctx.callIntrinsic(llvm::Intrinsic::minimum, {a, b});
  Value* aLess = isSignedInt(t) ? ctx.b.CreateICmpSLT(a, b) : ctx.b.CreateICmpULT(a, b);
  return ctx.b.CreateSelect(aLess, a, b);
}

Value* emitAbs(KernelContext& ctx, DType t, Value* x) {
  if (isFloat(t)) return ctx.callIntrinsic(llvm::Intrinsic::fabs, {x});
  if (isUnsignedInt(t)) return x;
  return ctx.b.CreateIntrinsic(llvm::Intrinsic::abs, {x->getType()}, {x, ctx.b.getFalse()});
}

// log1p from libm (no LLVM intrinsic exists); it touches no memory.
Value* emitLog1p(KernelContext& ctx, Value* x) {
  bool isDouble = x->getType()->isDoubleTy();
  llvm::FunctionType* ty = llvm::FunctionType::get(x->getType(), {x->getType()}, false);
  llvm::FunctionCallee fn = ctx.module.getOrInsertFunction(isDouble ? "log1p" : "log1pf", ty);
  llvm::CallInst* call = ctx.b.CreateCall(fn, {x});
  call->setDoesNotAccessMemory();
  call->setDoesNotThrow();
  return call;
}

// log(exp(a) + exp(b)) without overflow. Equal operands (including two
// infinities of one sign, whose difference is NaN) give a + log(2).
Value* emitLogAddExp(KernelContext& ctx, DType t, Value* a, Value* b) {
  Value* hi = ctx.callIntrinsic(llvm::Intrinsic::maximum, {a, b});
  Value* diff = ctx.callIntrinsic(llvm::Intrinsic::fabs, {ctx.b.CreateFSub(a, b)});
  Value* tail = emitLog1p(ctx, ctx.callIntrinsic(llvm::Intrinsic::exp, {ctx.b.CreateFNeg(diff)}));
  Value* same = ctx.b.CreateFCmpOEQ(a, b);
  return ctx.b.CreateSelect(same, ctx.b.CreateFAdd(a, ctx.constant(t, 0.6931471805599453)),
                            ctx.b.CreateFAdd(hi, tail));
}

void emitReduceKind(KernelContext& ctx, Kind kind) {
  DType t = ctx.inputDType(0);
  requireReduceDType(ctx, t, kind);
  ReduceSpec spec;
  spec.type = t;
  switch (kind) {
    case Kind::Min:
      spec.identity = highestValue(ctx, t);
      spec.fold = [&](Value* acc, Value* x) { return emitMin(ctx, t, acc, x); };
      break;
    case Kind::Prod:
      spec.identity = ctx.constant(t, 1);
      spec.fold = [&](Value* acc, Value* x) { return emitMul(ctx, t, acc, x); };
      break;
    case Kind::L1:
      spec.identity = ctx.constant(t, 0);
      spec.fold = [&](Value* acc, Value* x) { return emitAdd(ctx, t, acc, emitAbs(ctx, t, x)); };
      break;
    case Kind::L2:
    case Kind::SumSquare:
      spec.identity = ctx.constant(t, 0);
      spec.fold = [&](Value* acc, Value* x) { return emitMulAdd(ctx, t, x, x, acc); };
      if (kind == Kind::L2)
        spec.finish = [&](Value* acc, int64_t) { return ctx.callIntrinsic(llvm::Intrinsic::sqrt, {acc}); };
      break;
    case Kind::LogSum:
      spec.identity = ctx.constant(t, 0);
      spec.fold = [&](Value* acc, Value* x) { return emitAdd(ctx, t, acc, x); };
      spec.finish = [&](Value* acc, int64_t) { return ctx.callIntrinsic(llvm::Intrinsic::log, {acc}); };
      break;
    case Kind::LogSumExp:
      spec.identity = lowestValue(ctx, t);
      spec.fold = [&](Value* acc, Value* x) { return emitLogAddExp(ctx, t, acc, x); };
      break;
  }
  emitReduction(ctx, spec);
}

}  // namespace

void emitReduceMin(KernelContext& ctx) { emitReduceKind(ctx, Kind::Min); }
void emitReduceProd(KernelContext& ctx) { emitReduceKind(ctx, Kind::Prod); }
void emitReduceL1(KernelContext& ctx) { emitReduceKind(ctx, Kind::L1); }
void emitReduceL2(KernelContext& ctx) { emitReduceKind(ctx, Kind::L2); }
void emitReduceLogSum(KernelContext& ctx) { emitReduceKind(ctx, Kind::LogSum); }
void emitReduceLogSumExp(KernelContext& ctx) { emitReduceKind(ctx, Kind::LogSumExp); }
void emitReduceSumSquare(KernelContext& ctx) { emitReduceKind(ctx, Kind::SumSquare); }

}  // namespace kiln::codegen
