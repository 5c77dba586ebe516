// Attributes of the normalization and loss ops, read and checked once for the
// shape rules (ir/shape_rules/norm.cpp, loss.cpp) and the kernel emitters
// (codegen/ops/norm_*.cpp, loss_*.cpp) so that both agree.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...)
// and attrs().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/graph.h"

namespace kiln::ir {

// LayerNormalization's and RMSNormalization's stash_type (default float): the dtype of the Mean and
// InvStdDev outputs and of the statistics' computation.
template <typename Ctx>
DType layerNormStashType(const Ctx& ctx) {
  int64_t v = ctx.attrs().getInt("stash_type", 1);
  auto t = v >= 0 && v <= 0x7fffffff ? dtypeFromOnnx(static_cast<int32_t>(v)) : std::nullopt;
  if (!t || !isFloat(*t)) ctx.fail("unsupported stash_type {} (expected a floating-point type)", v);
  return *t;
}

// MeanVarianceNormalization's axes (default [0, 2, 3]) as a mask over a rank-`rank` input.
template <typename Ctx>
std::vector<bool> mvnAxes(const Ctx& ctx, int64_t rank) {
  std::vector<int64_t> axes = ctx.attrs().getInts("axes", {0, 2, 3});
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank) ctx.fail("axis {} out of range for rank {}", axis, rank);
    auto a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    if (reduced[a]) ctx.fail("axis {} is repeated", axis);
    reduced[a] = true;
  }
  return reduced;
}

// LRN's attributes: `size` (required, odd or even, >= 1), alpha, beta, bias.
struct LrnParams {
  int64_t size;
  float alpha, beta, bias;
};

template <typename Ctx>
LrnParams lrnParams(const Ctx& ctx) {
  const Attributes& a = ctx.attrs();
  if (!a.has("size")) ctx.fail("attribute 'size' is required");
  LrnParams p{a.getInt("size", 1), a.getFloat("alpha", 1e-4f), a.getFloat("beta", 0.75f),
              a.getFloat("bias", 1.0f)};
  if (p.size < 1) ctx.fail("size = {} must be positive", p.size);
  return p;
}

// The `reduction` of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
enum class LossReduction { None, Sum, Mean };

template <typename Ctx>
LossReduction lossReduction(const Ctx& ctx) {
  std::string r = ctx.attrs().getString("reduction", "mean");
  if (r == "none") return LossReduction::None;
  if (r == "sum") return LossReduction::Sum;
  if (r == "mean") return LossReduction::Mean;
  ctx.fail("unsupported reduction '{}' (expected none, sum or mean)", r);
}

}  // namespace kiln::ir
