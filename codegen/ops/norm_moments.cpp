#include "codegen/ops/norm_moments.h"

#include <limits>

#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

DType floatComputeType(const KernelContext& ctx, DType t) {
  if (t == DType::F32 || t == DType::F64) return t;
  if (t == DType::F16 || t == DType::BF16) return DType::F32;
  ctx.fail("unsupported dtype {} (expected a floating-point tensor)", dtypeName(t));
}

GroupVisitor contiguousGroup(KernelContext& ctx, llvm::Value* base, int64_t n) {
  return [&ctx, base, n](const std::function<void(llvm::Value*)>& body) {
    ctx.loop(0, n, [&](llvm::Value* i) { body(ctx.b.CreateNSWAdd(base, i)); });
  };
}

llvm::Value* loadAs(KernelContext& ctx, DType t, DType ct, llvm::Value* base, llvm::Value* index) {
  return ctx.convert(ctx.load(t, base, index), t, ct);
}

void storeAs(KernelContext& ctx, DType t, DType ct, llvm::Value* base, llvm::Value* index, llvm::Value* v) {
  ctx.store(t, base, index, ctx.convert(v, ct, t));
}

namespace {

llvm::Value* inverseCount(KernelContext& ctx, DType ct, int64_t count) {
  double inv = count == 0 ? std::numeric_limits<double>::quiet_NaN() : 1.0 / static_cast<double>(count);
  return ctx.constant(ct, inv);
}

// Mean of (x - center)^2 over the group; no subtraction when center is null.
llvm::Value* meanSquareAbout(KernelContext& ctx, DType t, DType ct, llvm::Value* x, const GroupVisitor& visit,
                             int64_t count, llvm::Value* center) {
  llvm::Type* ty = ctx.llvmType(ct);
  llvm::AllocaInst* acc = entryAlloca(ctx, ty);
  ctx.b.CreateStore(ctx.constant(ct, 0), acc);
  visit([&](llvm::Value* at) {
    llvm::Value* d = loadAs(ctx, t, ct, x, at);
    if (center) d = ctx.b.CreateFSub(d, center);
    ctx.b.CreateStore(emitMulAdd(ctx, ct, d, d, ctx.b.CreateLoad(ty, acc)), acc);
  });
  return ctx.b.CreateFMul(ctx.b.CreateLoad(ty, acc), inverseCount(ctx, ct, count));
}

}  // namespace

Moments emitMoments(KernelContext& ctx, DType t, DType ct, llvm::Value* x, const GroupVisitor& visit,
                    int64_t count) {
  llvm::Type* ty = ctx.llvmType(ct);
  ReassocScope reassoc(ctx);
  llvm::AllocaInst* acc = entryAlloca(ctx, ty);
  ctx.b.CreateStore(ctx.constant(ct, 0), acc);
  visit([&](llvm::Value* at) {
    ctx.b.CreateStore(ctx.b.CreateFAdd(ctx.b.CreateLoad(ty, acc), loadAs(ctx, t, ct, x, at)), acc);
  });
  llvm::Value* mean = ctx.b.CreateFMul(ctx.b.CreateLoad(ty, acc), inverseCount(ctx, ct, count));
  return {mean, meanSquareAbout(ctx, t, ct, x, visit, count, mean)};
}

llvm::Value* emitMeanSquare(KernelContext& ctx, DType t, DType ct, llvm::Value* x, const GroupVisitor& visit,
                            int64_t count) {
  ReassocScope reassoc(ctx);
  return meanSquareAbout(ctx, t, ct, x, visit, count, nullptr);
}

}  // namespace kiln::codegen
