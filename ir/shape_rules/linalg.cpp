// Shape rules of the linear algebra, normalization and reduction ops.
#include "ir/shape_rules.h"
#include "ir/shape_rules/reduce_params.h"

namespace kiln::ir {

namespace {

// Two dims that must be equal (a contraction length): keeps the static one.
Dim matchDims(const InferContext& ctx, const Dim& a, const Dim& b, const char* what) {
  if (a.isStatic() && b.isStatic() && a.value != b.value)
    ctx.fail("{} mismatch: {} vs {}", what, a.value, b.value);
  return a.isStatic() ? a : b;
}

void requireSameDType(const InferContext& ctx, size_t i, size_t j) {
  if (ctx.inputType(i).dtype != ctx.inputType(j).dtype)
    ctx.fail("input {} is {} but input {} is {}", i, dtypeName(ctx.inputType(i).dtype), j,
             dtypeName(ctx.inputType(j).dtype));
}

void inferReduce(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  ctx.setOutput(0, reducedOutputType(ctx, x));
}

}  // namespace

// numpy matmul: 1-D operands are promoted to matrices (A to [1, K], B to
// [K, 1]) and the added dim is removed from the result; leading dims broadcast.
void inferShapesMatMul(InferContext& ctx) {
  requireSameDType(ctx, 0, 1);
  const TensorType& a = ctx.inputType(0);
  const TensorType& b = ctx.inputType(1);
  if (!a.rankKnown || !b.rankKnown) return ctx.setOutput(0, unknownRank(a.dtype));
  if (a.shape.empty() || b.shape.empty()) ctx.fail("MatMul operands must have rank >= 1");
  Shape as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), Dim::known(1));
  if (bs.size() == 1) bs.push_back(Dim::known(1));
  matchDims(ctx, as.back(), bs[bs.size() - 2], "contraction dim (A's last vs B's second-to-last)");
  Shape batch = broadcastShapes(ctx, Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  TensorType out;
  out.dtype = a.dtype;
  out.shape = batch;
  if (a.shape.size() > 1) out.shape.push_back(as[as.size() - 2]);
  if (b.shape.size() > 1) out.shape.push_back(bs.back());
  ctx.setOutput(0, out);
}

// Y = alpha * A' * B' + beta * C with A' [M, K], B' [K, N] after the optional
// transposes; C broadcasts unidirectionally to [M, N].
void inferShapesGemm(InferContext& ctx) {
  requireSameDType(ctx, 0, 1);
  const TensorType& a = ctx.inputType(0);
  const TensorType& b = ctx.inputType(1);
  if (!a.rankKnown || !b.rankKnown) return ctx.setOutput(0, unknownRank(a.dtype));
  if (a.shape.size() != 2) ctx.fail("A must have rank 2, got {}", a.shape.size());
  if (b.shape.size() != 2) ctx.fail("B must have rank 2, got {}", b.shape.size());
  bool transA = ctx.attrs().getInt("transA", 0) != 0;
  bool transB = ctx.attrs().getInt("transB", 0) != 0;
  Dim m = a.shape[transA ? 1 : 0], ka = a.shape[transA ? 0 : 1];
  Dim kb = b.shape[transB ? 1 : 0], n = b.shape[transB ? 0 : 1];
  matchDims(ctx, ka, kb, "contraction dim K");
  if (ctx.hasInput(2)) {
    requireSameDType(ctx, 0, 2);
    const TensorType& c = ctx.inputType(2);
    if (c.rankKnown) {
      if (c.shape.size() > 2) ctx.fail("C must have rank <= 2, got {}", c.shape.size());
      Shape target{m, n};
      for (size_t i = 0; i < c.shape.size(); ++i) {
        const Dim& cd = c.shape[i];
        const Dim& td = target[2 - c.shape.size() + i];
        if (cd.isStatic() && cd.value != 1 && td.isStatic() && cd.value != td.value)
          ctx.fail("C dim {} ({}) does not broadcast to [M, N] dim {}", i, cd.value, td.value);
      }
    }
  }
  TensorType out;
  out.dtype = a.dtype;
  out.shape = {m, n};
  ctx.setOutput(0, out);
}

void inferShapesSoftmax(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (x.rankKnown) ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), static_cast<int64_t>(x.shape.size()));
  ctx.setOutput(0, x);
}

void inferShapesReduceMean(InferContext& ctx) { inferReduce(ctx); }
void inferShapesReduceSum(InferContext& ctx) { inferReduce(ctx); }
void inferShapesReduceMax(InferContext& ctx) { inferReduce(ctx); }

}  // namespace kiln::ir
