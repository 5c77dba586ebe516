// Scalar helpers shared by the elementwise emitters (see elementwise_common.h).
#include "codegen/ops/elementwise_common.h"

namespace kiln::codegen {

using llvm::Value;

Value* callLibm(KernelContext& ctx, const char* f32Name, const char* f64Name, Value* x) {
  llvm::Type* elem = x->getType()->getScalarType();
  llvm::FunctionType* ty = llvm::FunctionType::get(elem, {elem}, false);
  llvm::FunctionCallee fn = ctx.module.getOrInsertFunction(elem->isDoubleTy() ? f64Name : f32Name, ty);
  auto call = [&](Value* v) {
    llvm::CallInst* c = ctx.b.CreateCall(fn, {v});
    c->setDoesNotAccessMemory();
    c->setDoesNotThrow();
    return c;
  };
  auto* vec = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
  if (!vec) return call(x);
  // libm has no vector forms: one call per lane.
  Value* r = llvm::PoisonValue::get(vec);
  for (unsigned i = 0; i < vec->getNumElements(); ++i)
    r = ctx.b.CreateInsertElement(r, call(ctx.b.CreateExtractElement(x, i)), i);
  return r;
}

void emitUnary(KernelContext& ctx, const std::function<Value*(Value*, DType)>& fn) {
  DType in = ctx.inputDType(0), out = ctx.outputDType(0), ct = computeType(in);
  emitBroadcastLoop(ctx, {0}, [&](const std::vector<Value*>& a) {
    return ctx.convert(fn(ctx.convert(a[0], in, ct), ct), ct, out);
  });
}

void emitUnaryFloat(KernelContext& ctx, const std::function<Value*(Value*)>& fn) {
  emitUnary(ctx, [&](Value* x, DType) { return fn(x); });
}

void emitBinary(KernelContext& ctx, const std::function<Value*(Value*, Value*, DType)>& fn) {
  DType in = ctx.inputDType(0), in1 = ctx.inputDType(1), out = ctx.outputDType(0);
  DType ct = computeType(in);
  emitBroadcastLoop(ctx, {0, 1}, [&](const std::vector<Value*>& a) {
    Value* r = fn(ctx.convert(a[0], in, ct), ctx.convert(a[1], in1, ct), ct);
    return out == DType::Bool ? r : ctx.convert(r, ct, out);
  });
}

Value* compareValues(KernelContext& ctx, llvm::CmpInst::Predicate fp, llvm::CmpInst::Predicate si,
                     llvm::CmpInst::Predicate ui, Value* x, Value* y, DType t) {
  if (isFloat(t)) return boolToByte(ctx, ctx.b.CreateFCmp(fp, x, y));
  return boolToByte(ctx, ctx.b.CreateICmp(isSignedInt(t) ? si : ui, x, y));
}

void emitComparison(KernelContext& ctx, llvm::CmpInst::Predicate fp, llvm::CmpInst::Predicate si,
                    llvm::CmpInst::Predicate ui) {
  emitBinary(ctx, [&](Value* x, Value* y, DType t) { return compareValues(ctx, fp, si, ui, x, y, t); });
}

Value* safeIntDivide(KernelContext& ctx, Value* x, Value* y, DType t, bool remainder) {
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

}  // namespace kiln::codegen
