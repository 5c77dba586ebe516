// SoftmaxCrossEntropyLoss (opset 13): log_prob = LogSoftmax(scores, axis = 1),
// then NegativeLogLikelihoodLoss(log_prob, labels, weights) with the same
// reduction and ignore_index. The loss needs log_prob only at each sample's
// label, x[label] - max - log(sum(exp(x - max))) over the classes, so that is
// all it computes; the optional log_prob output is written in full by the
// shared LogSoftmax kernel. Accumulates in f32 (f64 for double).
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/linalg_softmax.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/loss_common.h"
#include "codegen/ops/norm_moments.h"

namespace kiln::codegen {

void emitSoftmaxCrossEntropyLoss(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = floatComputeType(ctx, t);
  LossView v = lossView(ctx);
  llvm::Value* x = ctx.input(0);
  if (ctx.numOutputs() > 1)
    emitSoftmaxAlong(ctx, SoftmaxKind::LogSoftmax, t, x, ctx.output(1), AxisView{v.n, v.classes, v.d},
                     /*allowParallel=*/false);
  llvm::Type* ty = ctx.llvmType(ct);
  llvm::AllocaInst* maxSlot = entryAlloca(ctx, ty);
  llvm::AllocaInst* sumSlot = entryAlloca(ctx, ty);
  emitWeightedLoss(ctx, ct, [&](llvm::Value* i, llvm::Value* cls, llvm::Value* k) {
    // Element (i, c, k) of the [N, C, D] view.
    llvm::Value* row = addScaled(ctx, k, i, v.classes * v.d);
    auto at = [&](llvm::Value* c) { return addScaled(ctx, row, c, v.d); };
    ctx.b.CreateStore(lowestValue(ctx, ct), maxSlot);
    ctx.loop(0, v.classes, [&](llvm::Value* c) {
      llvm::Value* xv = loadAs(ctx, t, ct, x, at(c));
      ctx.b.CreateStore(emitMax(ctx, ct, ctx.b.CreateLoad(ty, maxSlot), xv), maxSlot);
    });
    llvm::Value* mx = ctx.b.CreateLoad(ty, maxSlot);
    ctx.b.CreateStore(ctx.constant(ct, 0), sumSlot);
    ctx.loop(0, v.classes, [&](llvm::Value* c) {
      llvm::Value* d = ctx.b.CreateFSub(loadAs(ctx, t, ct, x, at(c)), mx);
      llvm::Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {d});
      ctx.b.CreateStore(ctx.b.CreateFAdd(ctx.b.CreateLoad(ty, sumSlot), e), sumSlot);
    });
    llvm::Value* logSum = ctx.callIntrinsic(llvm::Intrinsic::log, {ctx.b.CreateLoad(ty, sumSlot)});
    return ctx.b.CreateFSub(ctx.b.CreateFSub(loadAs(ctx, t, ct, x, at(cls)), mx), logSum);
  });
}

}  // namespace kiln::codegen
