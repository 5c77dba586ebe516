#include "codegen/ops/loss_common.h"

#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"
#include "ir/shape_rules/norm_params.h"

namespace kiln::codegen {

LossView lossView(const KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 2) ctx.fail("the scores must have rank >= 2, got {}", shape.size());
  if (shape[1] == 0) ctx.fail("the scores have no classes (dim 1 is 0)");
  return {shape[0], shape[1], product(shape, 2, shape.size())};
}

void emitWeightedLoss(KernelContext& ctx, DType ct, const LogProbAt& logProbAt) {
  DType t = ctx.outputDType(0), tt = ctx.inputDType(1);
  ir::LossReduction reduction = ir::lossReduction(ctx);
  LossView v = lossView(ctx);
  bool hasIgnore = ctx.attrs().has("ignore_index");
  int64_t ignoreIndex = ctx.attrs().getInt("ignore_index", 0);
  llvm::Type* ty = ctx.llvmType(ct);
  llvm::Value* zero = ctx.constant(ct, 0);
  llvm::AllocaInst* lossSum = entryAlloca(ctx, ty);
  llvm::AllocaInst* weightSum = entryAlloca(ctx, ty);
  ctx.b.CreateStore(zero, lossSum);
  ctx.b.CreateStore(zero, weightSum);

  ctx.loop(0, v.n, [&](llvm::Value* i) {
    ctx.loop(0, v.d, [&](llvm::Value* k) {
      llvm::Value* sample = addScaled(ctx, k, i, v.d);
      llvm::Value* target = ctx.convert(ctx.load(tt, ctx.input(1), sample), tt, DType::I64);
      llvm::Value* cls = ctx.b.CreateSelect(ctx.b.CreateICmpSLT(target, ctx.i64(0)), ctx.i64(0), target);
      cls = ctx.b.CreateSelect(ctx.b.CreateICmpSGT(cls, ctx.i64(v.classes - 1)), ctx.i64(v.classes - 1), cls);
      llvm::Value* w = ctx.hasInput(2) ? loadAs(ctx, t, ct, ctx.input(2), cls) : ctx.constant(ct, 1);
      llvm::Value* loss = ctx.b.CreateFMul(ctx.b.CreateFNeg(logProbAt(i, cls, k)), w);
      if (hasIgnore) {
        llvm::Value* ignored = ctx.b.CreateICmpEQ(target, ctx.i64(ignoreIndex));
        w = ctx.b.CreateSelect(ignored, zero, w);
        loss = ctx.b.CreateSelect(ignored, zero, loss);
      }
      if (reduction == ir::LossReduction::None) return storeAs(ctx, t, ct, ctx.output(0), sample, loss);
      ctx.b.CreateStore(ctx.b.CreateFAdd(ctx.b.CreateLoad(ty, lossSum), loss), lossSum);
      ctx.b.CreateStore(ctx.b.CreateFAdd(ctx.b.CreateLoad(ty, weightSum), w), weightSum);
    });
  });
  if (reduction == ir::LossReduction::None) return;
  llvm::Value* total = ctx.b.CreateLoad(ty, lossSum);
  // The mean of no (or only zero-weight) samples is 0 / 0 = NaN, as numpy gives.
  if (reduction == ir::LossReduction::Mean) total = ctx.b.CreateFDiv(total, ctx.b.CreateLoad(ty, weightSum));
  storeAs(ctx, t, ct, ctx.output(0), ctx.i64(0), total);
}

}  // namespace kiln::codegen
