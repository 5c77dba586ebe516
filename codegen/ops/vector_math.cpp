#include "codegen/ops/vector_math.h"

#include <llvm/IR/Intrinsics.h>

#include <cmath>

namespace kiln::codegen {

namespace {

using llvm::Value;

Value* fc(Value* like, double v) { return llvm::ConstantFP::get(like->getType(), v); }

// Horner: c[0] + x (c[1] + x (c[2] + ...)).
Value* polynomial(KernelContext& ctx, Value* x, std::initializer_list<double> coefficients) {
  std::vector<double> c(coefficients);
  Value* acc = fc(x, c.back());
  for (size_t i = c.size() - 1; i-- > 0;)
    acc = ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {acc, x, fc(x, c[i])});
  return acc;
}

// The integer type matching x's float type, lane for lane.
llvm::Type* intTypeLike(KernelContext& ctx, Value* x) {
  llvm::Type* i32 = ctx.b.getInt32Ty();
  if (auto* v = llvm::dyn_cast<llvm::FixedVectorType>(x->getType()))
    return llvm::FixedVectorType::get(i32, v->getNumElements());
  return i32;
}

}  // namespace

Value* emitFastExp(KernelContext& ctx, Value* x) {
  llvm::IRBuilder<>& b = ctx.b;
  if (!x->getType()->getScalarType()->isFloatTy()) ctx.fail("internal error: fast exp is float32 only");
  // e^x = 2^n e^r with n = round(x / ln2), r = x - n ln2 (ln2 split in a part
  // exact in float and a correction, so r carries no rounding error).
  constexpr double kLn2Hi = 0.693145751953125, kLn2Lo = 1.428606765330187e-06;
  Value* clamped = b.CreateMaxNum(b.CreateMinNum(x, fc(x, 88.72283935546875)), fc(x, -104.0));
  Value* n = ctx.callIntrinsic(llvm::Intrinsic::rint, {b.CreateFMul(clamped, fc(x, 1.0 / std::log(2.0)))});
  Value* r = ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {n, fc(x, -kLn2Hi), clamped});
  r = ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {n, fc(x, -kLn2Lo), r});
  Value* p = polynomial(ctx, r, {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720});
  // 2^n with n in [-150, 128] as two normal floats 2^h * 2^(n-h), h = n/2:
  // their product overflows to inf or underflows gradually as exp does.
  llvm::Type* it = intTypeLike(ctx, x);
  Value* ni = b.CreateFPToSI(n, it);
  Value* h = b.CreateAShr(ni, 1);
  auto pow2 = [&](Value* e) {
    return b.CreateBitCast(b.CreateShl(b.CreateAdd(e, llvm::ConstantInt::get(it, 127)), 23), x->getType());
  };
  Value* y = b.CreateFMul(b.CreateFMul(p, pow2(h)), pow2(b.CreateSub(ni, h)));
  // Outside the clamp: +inf above, 0 below, NaN through.
  y = b.CreateSelect(b.CreateFCmpOGT(x, fc(x, 88.72283935546875)), fc(x, INFINITY), y);
  y = b.CreateSelect(b.CreateFCmpOLT(x, fc(x, -104.0)), fc(x, 0.0), y);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, y);
}

Value* emitFastSigmoid(KernelContext& ctx, Value* x) {
  llvm::IRBuilder<>& b = ctx.b;
  return b.CreateFDiv(fc(x, 1.0), b.CreateFAdd(fc(x, 1.0), emitFastExp(ctx, b.CreateFNeg(x))));
}

Value* emitFastErf(KernelContext& ctx, Value* x) {
  llvm::IRBuilder<>& b = ctx.b;
  Value* ax = ctx.callIntrinsic(llvm::Intrinsic::fabs, {x});
  // Small |x|: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
  Value* x2 = b.CreateFMul(x, x);
  double s = 2.0 / std::sqrt(M_PI);
  Value* small = b.CreateFMul(
      x, polynomial(ctx, x2, {s, -s / 3, s / 10, -s / 42, s / 216, -s / 1320, s / 9360}));
  // Otherwise Abramowitz & Stegun 7.1.26, with the sign of x.
  Value* t = b.CreateFDiv(fc(x, 1.0), ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {ax, fc(x, 0.3275911), fc(x, 1.0)}));
  Value* poly = b.CreateFMul(
      t, polynomial(ctx, t, {0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429}));
  Value* large = b.CreateFSub(fc(x, 1.0), b.CreateFMul(poly, emitFastExp(ctx, b.CreateFNeg(x2))));
  large = ctx.callIntrinsic(llvm::Intrinsic::copysign, {large, x});
  Value* y = b.CreateSelect(b.CreateFCmpOLT(ax, fc(x, 0.5)), small, large);
  return b.CreateSelect(b.CreateFCmpUNO(x, x), x, y);
}

}  // namespace kiln::codegen
