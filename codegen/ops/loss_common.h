// The part NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss share: pick
// each sample's log-probability at its target class, weight it, and reduce.
#pragma once

#include <functional>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// The scores [N, C, d1, ...] viewed as [N, C, D] with D = d1 * ...; the
// targets (input 1) as [N, D].
struct LossView {
  int64_t n, classes, d;
};
LossView lossView(const KernelContext& ctx);

// For every sample (i, k) of the [N, D] targets, with t = target[i, k]:
//   w = 0 when t == ignore_index, else weight[t] (input 2; 1 when absent),
//   loss[i, k] = -w * logProbAt(i, t', k)   (0 when ignored),
// t' being t clamped to [0, C) so that an out-of-range target reads no memory
// outside the scores. `logProbAt` returns the log-probability in compute
// dtype ct. Writes output 0 by `reduction`: the losses (none), their sum
// (sum), or their sum divided by the sum of the weights w (mean).
// Single-threaded (the reductions are sequential sums).
using LogProbAt = std::function<llvm::Value*(llvm::Value* i, llvm::Value* cls, llvm::Value* k)>;
void emitWeightedLoss(KernelContext& ctx, DType ct, const LogProbAt& logProbAt);

}  // namespace kiln::codegen
