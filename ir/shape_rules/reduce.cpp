// Shape rules of the reductions added beside ReduceSum/ReduceMean/ReduceMax
// (ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp,
// ReduceSumSquare; ONNX opset 18 form, axes as optional input 1) and of the
// index reductions ArgMax/ArgMin (opset 13), CumSum (opset 14) and TopK (opset 11).
#include "ir/shape_rules.h"
#include "ir/shape_rules/reduce_params.h"

namespace kiln::ir {

namespace {

void inferReduction(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  ctx.setOutput(0, reducedOutputType(ctx, x));
}

// ArgMax / ArgMin: int64 indices along `axis`, which is kept as size 1 or dropped.
void inferArgReduce(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(DType::I64));
  auto rank = static_cast<int64_t>(x.shape.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank));
  if (x.shape[axis].isStatic() && x.shape[axis].value == 0) ctx.fail("cannot reduce an empty axis {}", axis);
  bool keepdims = ctx.attrs().getInt("keepdims", 1) != 0;
  TensorType out;
  out.dtype = DType::I64;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (d != axis) out.shape.push_back(x.shape[d]);
    else if (keepdims) out.shape.push_back(Dim::known(1));
  }
  ctx.setOutput(0, out);
}

}  // namespace

void inferShapesReduceMin(InferContext& ctx) { inferReduction(ctx); }
void inferShapesReduceProd(InferContext& ctx) { inferReduction(ctx); }
void inferShapesReduceL1(InferContext& ctx) { inferReduction(ctx); }
void inferShapesReduceL2(InferContext& ctx) { inferReduction(ctx); }
void inferShapesReduceLogSum(InferContext& ctx) { inferReduction(ctx); }
void inferShapesReduceLogSumExp(InferContext& ctx) { inferReduction(ctx); }
void inferShapesReduceSumSquare(InferContext& ctx) { inferReduction(ctx); }

void inferShapesArgMax(InferContext& ctx) { inferArgReduce(ctx); }
void inferShapesArgMin(InferContext& ctx) { inferArgReduce(ctx); }

// CumSum keeps the input's type. The axis (a scalar input) may be known only
// at run time: the kernel then selects the axis when it runs.
void inferShapesCumSum(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& axisType = ctx.inputType(1);
  if (axisType.dtype != DType::I32 && axisType.dtype != DType::I64)
    ctx.fail("axis must be int32 or int64, got {}", dtypeName(axisType.dtype));
  if (axisType.rankKnown && axisType.shape.size() > 1) ctx.fail("axis must be a scalar");
  if (x.rankKnown && x.shape.empty()) ctx.fail("input must have rank >= 1");
  if (const TensorData* c = ctx.inputConstant(1); c && x.rankKnown) {
    if (c->numElements() != 1) ctx.fail("axis must hold one value, got {}", c->numElements());
    ctx.normalizeAxis(c->intAt(0), static_cast<int64_t>(x.shape.size()));
  }
  ctx.setOutput(0, x);
}

// TopK: values and int64 indices with `axis` shortened to K (input 1, a
// one-element int64 tensor).
void inferShapesTopK(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (ctx.inputType(1).dtype != DType::I64) ctx.fail("K must be int64");
  if (!x.rankKnown) {
    ctx.setOutput(0, unknownRank(x.dtype));
    ctx.setOutput(1, unknownRank(DType::I64));
    return;
  }
  auto rank = static_cast<int64_t>(x.shape.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), rank));
  std::vector<int64_t> k = ctx.requireConstantInts(1, "K");
  if (k.size() != 1) ctx.fail("K must hold one value, got {}", k.size());
  if (k[0] < 0) ctx.fail("K must be >= 0, got {}", k[0]);
  if (x.shape[axis].isStatic() && k[0] > x.shape[axis].value)
    ctx.fail("K {} exceeds the axis length {}", k[0], x.shape[axis].value);
  TensorType values = x;
  values.shape[axis] = Dim::known(k[0]);
  TensorType indices = values;
  indices.dtype = DType::I64;
  ctx.setOutput(0, values);
  ctx.setOutput(1, indices);
}

}  // namespace kiln::ir
