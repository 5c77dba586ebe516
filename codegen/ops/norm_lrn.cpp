// LRN (opset 13), local response normalization across channels:
//   square_sum[n, c, ...] = sum of X[n, c', ...]^2 for c' in
//                           [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] within [0, C)
//   Y = X / (bias + alpha / size * square_sum)^beta
// One (n, c) plane per parallel iteration; computed in f32 (f64 for double).
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"
#include "ir/shape_rules/norm_params.h"

namespace kiln::codegen {

void emitLRN(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = floatComputeType(ctx, t);
  ir::LrnParams p = ir::lrnParams(ctx);
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 2) ctx.fail("X must have rank >= 2, got {}", shape.size());
  int64_t channels = shape[1], planes = shape[0] * channels, plane = product(shape, 2, shape.size());
  if (planes * plane == 0) return;
  int64_t before = (p.size - 1) / 2, after = p.size - 1 - before;
  llvm::Type* ty = ctx.llvmType(ct);
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);
  llvm::Value* scale = ctx.constant(ct, static_cast<double>(p.alpha) / static_cast<double>(p.size));
  llvm::Value* bias = ctx.constant(ct, p.bias);
  llvm::Value* negBeta = ctx.constant(ct, -static_cast<double>(p.beta));

  auto body = [&](llvm::Value* pl) {
    llvm::Value* c = ctx.b.CreateSRem(pl, ctx.i64(channels));
    llvm::Value* n0 = ctx.b.CreateNSWSub(pl, c);  // plane index of channel 0 of this n
    // The window [lo, hi) of channels, clamped to [0, C).
    llvm::Value* lo = ctx.b.CreateSub(c, ctx.i64(before));
    lo = ctx.b.CreateSelect(ctx.b.CreateICmpSLT(lo, ctx.i64(0)), ctx.i64(0), lo);
    llvm::Value* hi = ctx.b.CreateAdd(c, ctx.i64(after + 1));
    hi = ctx.b.CreateSelect(ctx.b.CreateICmpSGT(hi, ctx.i64(channels)), ctx.i64(channels), hi);
    llvm::Value* base = ctx.b.CreateNSWMul(pl, ctx.i64(plane));
    llvm::AllocaInst* acc = entryAlloca(ctx, ty);
    ctx.loop(0, plane, [&](llvm::Value* i) {
      ctx.b.CreateStore(ctx.constant(ct, 0), acc);
      ctx.loop(lo, hi, 1, [&](llvm::Value* cc) {
        llvm::Value* at = addScaled(ctx, i, ctx.b.CreateNSWAdd(n0, cc), plane);
        llvm::Value* v = loadAs(ctx, t, ct, x, at);
        ctx.b.CreateStore(emitMulAdd(ctx, ct, v, v, ctx.b.CreateLoad(ty, acc)), acc);
      });
      llvm::Value* at = ctx.b.CreateNSWAdd(base, i);
      llvm::Value* denom = ctx.b.CreateFAdd(bias, ctx.b.CreateFMul(scale, ctx.b.CreateLoad(ty, acc)));
      llvm::Value* factor = ctx.callIntrinsic(llvm::Intrinsic::pow, {denom, negBeta});
      storeAs(ctx, t, ct, y, at, ctx.b.CreateFMul(loadAs(ctx, t, ct, x, at), factor));
    });
  };
  if (planes > 1 && worthParallel(planes * plane * p.size * 2)) ctx.parallelFor(planes, body);
  else ctx.loop(0, planes, body);
}

}  // namespace kiln::codegen
