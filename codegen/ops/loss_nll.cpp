// NegativeLogLikelihoodLoss (opset 13): input [N, C, d1, ...] holds
// log-probabilities; loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]],
// 0 where target == ignore_index, reduced by `reduction` (none / sum / mean
// weighted by the weights). Accumulates in f32 (f64 for double).
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/loss_common.h"
#include "codegen/ops/norm_moments.h"

namespace kiln::codegen {

void emitNegativeLogLikelihoodLoss(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ct = floatComputeType(ctx, t);
  LossView v = lossView(ctx);
  emitWeightedLoss(ctx, ct, [&](llvm::Value* i, llvm::Value* cls, llvm::Value* k) {
    // input[i, cls, k] of the [N, C, D] view
    llvm::Value* row = ctx.b.CreateNSWAdd(ctx.b.CreateNSWMul(i, ctx.i64(v.classes)), cls);
    llvm::Value* at = addScaled(ctx, k, row, v.d);
    return loadAs(ctx, t, ct, ctx.input(0), at);
  });
}

}  // namespace kiln::codegen
