// Shape rules of the softmax-like and normalization ops: LogSoftmax, Hardmax,
// LayerNormalization, InstanceNormalization, MeanVarianceNormalization and LRN
// (ONNX latest-opset semantics; Softmax's rule is in linalg.cpp).
#include "ir/shape_rules.h"
#include "ir/shape_rules/norm_params.h"

namespace kiln::ir {

namespace {

void requireFloat(const InferContext& ctx, DType t, const char* what) {
  if (!isFloat(t))
    ctx.fail("unsupported dtype {} for {} (expected a floating-point tensor)", dtypeName(t), what);
}

void requireSameDType(const InferContext& ctx, size_t i, const char* what) {
  DType x = ctx.inputType(0).dtype, t = ctx.inputType(i).dtype;
  if (t != x) ctx.fail("{} (input {}) is {} but X is {}", what, i, dtypeName(t), dtypeName(x));
}

void requireMinRank(const InferContext& ctx, const TensorType& t, size_t rank, const char* layout) {
  if (t.rankKnown && t.shape.size() < rank)
    ctx.fail("X must have rank >= {} ({}), got rank {}", rank, layout, t.shape.size());
}

TensorType withShape(DType dtype, bool rankKnown, Shape shape) {
  TensorType t;
  t.dtype = dtype;
  t.rankKnown = rankKnown;
  t.shape = std::move(shape);
  return t;
}

// Softmax-like ops keep X's type; the axis must be valid for X's rank.
void inferAlongAxis(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloat(ctx, x.dtype, "X");
  if (x.rankKnown) ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), static_cast<int64_t>(x.shape.size()));
  ctx.setOutput(0, x);
}

// A [C] vector of X's dtype, C = X's dim 1 (InstanceNormalization's scale and B).
void requireChannelVector(const InferContext& ctx, size_t i, const TensorType& x, const char* what) {
  requireSameDType(ctx, i, what);
  const TensorType& t = ctx.inputType(i);
  if (!t.rankKnown) return;
  if (t.shape.size() != 1) ctx.fail("{} (input {}) must be 1-D, got rank {}", what, i, t.shape.size());
  if (x.rankKnown && x.shape.size() > 1 && x.shape[1].isStatic() && t.shape[0].isStatic() &&
      x.shape[1].value != t.shape[0].value)
    ctx.fail("{} (input {}) has {} elements but X has {} channels", what, i, t.shape[0].value,
             x.shape[1].value);
}

// LayerNormalization's Scale and B broadcast (numpy-style, right-aligned) to
// the normalized dims X.shape[axis:]. Operands that would also vary along the
// leading dims have no per-row meaning and are rejected.
void requireNormalizedOperand(const InferContext& ctx, size_t i, const TensorType& x, size_t axis,
                              const char* what) {
  requireSameDType(ctx, i, what);
  const TensorType& t = ctx.inputType(i);
  if (!t.rankKnown || !x.rankKnown) return;
  size_t r = x.shape.size();
  if (t.shape.size() > r) ctx.fail("{} (input {}) has rank {}, more than X's {}", what, i, t.shape.size(), r);
  for (size_t k = 0; k < t.shape.size(); ++k) {
    const Dim& d = t.shape[k];
    const Dim& xd = x.shape[r - t.shape.size() + k];
    bool leading = r - t.shape.size() + k < axis;
    if (d.isStatic() && d.value == 1) continue;
    if (leading)
      ctx.fail("unsupported: {} (input {}) varies along X's dim {}, before the normalized axis {}", what, i,
               r - t.shape.size() + k, axis);
    if (d.isStatic() && xd.isStatic() && d.value != xd.value)
      ctx.fail("{} (input {}) dim {} ({}) does not broadcast to X's dim {} ({})", what, i, k, d.value,
               r - t.shape.size() + k, xd.value);
  }
}

}  // namespace

void inferShapesLogSoftmax(InferContext& ctx) { inferAlongAxis(ctx); }
void inferShapesHardmax(InferContext& ctx) { inferAlongAxis(ctx); }

// Y = (X - mean) / sqrt(var + epsilon) * Scale + B over the dims from `axis`
// on; the optional Mean and InvStdDev outputs keep X's leading dims and have
// size 1 along the normalized ones, in stash_type.
void inferShapesLayerNormalization(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloat(ctx, x.dtype, "X");
  DType stash = layerNormStashType(ctx);
  ctx.setOutput(0, x);
  if (!x.rankKnown) {
    for (size_t i = 1; i < ctx.node.outputs.size(); ++i) ctx.setOutput(i, withShape(stash, false, {}));
    return;
  }
  auto rank = static_cast<int64_t>(x.shape.size());
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), rank));
  requireNormalizedOperand(ctx, 1, x, axis, "Scale");
  if (ctx.hasInput(2)) requireNormalizedOperand(ctx, 2, x, axis, "B");
  Shape stats = x.shape;
  for (size_t d = axis; d < stats.size(); ++d) stats[d] = Dim::known(1);
  for (size_t i = 1; i < ctx.node.outputs.size(); ++i) ctx.setOutput(i, withShape(stash, true, stats));
}

// Y = X / sqrt(mean(X^2) + epsilon) * scale over the dims from `axis` on.
void inferShapesRMSNormalization(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloat(ctx, x.dtype, "X");
  layerNormStashType(ctx);
  ctx.setOutput(0, x);
  if (!x.rankKnown) return;
  auto rank = static_cast<int64_t>(x.shape.size());
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), rank));
  requireNormalizedOperand(ctx, 1, x, axis, "scale");
}

// Y = (X - mean) / sqrt(var + epsilon) * scale[c] + B[c], statistics per (n, c).
void inferShapesInstanceNormalization(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloat(ctx, x.dtype, "X");
  requireMinRank(ctx, x, 3, "N, C, spatial...");
  requireChannelVector(ctx, 1, x, "scale");
  requireChannelVector(ctx, 2, x, "B");
  ctx.setOutput(0, x);
}

// Y = (X - mean) / (std + 1e-9) with mean and std over `axes`.
void inferShapesMeanVarianceNormalization(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloat(ctx, x.dtype, "X");
  if (x.rankKnown) mvnAxes(ctx, static_cast<int64_t>(x.shape.size()));
  ctx.setOutput(0, x);
}

// Y = X / (bias + alpha / size * sum of X^2 over `size` neighbouring channels)^beta.
void inferShapesLRN(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloat(ctx, x.dtype, "X");
  requireMinRank(ctx, x, 2, "N, C, ...");
  lrnParams(ctx);
  ctx.setOutput(0, x);
}

}  // namespace kiln::ir
