// Shape rules of the indexing ops (ONNX opset 18 forms): GatherElements,
// GatherND, ScatterElements, ScatterND, OneHot. Index tensors are runtime data;
// constant indices are range-checked here, runtime ones are clamped by the
// kernels (codegen/ops/indexing_helpers.h).
#include <algorithm>
#include <string>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

void requireIndices(const InferContext& ctx, size_t i) {
  DType t = ctx.inputType(i).dtype;
  if (t != DType::I32 && t != DType::I64) ctx.fail("indices must be int32 or int64, got {}", dtypeName(t));
}

// Fails when a constant index lies outside [-len, len - 1].
void checkConstantIndices(const InferContext& ctx, size_t i, int64_t len, int64_t axis) {
  const TensorData* c = ctx.inputConstant(i);
  if (!c) return;
  for (int64_t v : c->toInts())
    if (v < -len || v >= len) ctx.fail("index {} out of range for axis {} of size {}", v, axis, len);
}

// Both dims static and different.
bool differ(const Dim& a, const Dim& b) { return a.isStatic() && b.isStatic() && a.value != b.value; }

// The shared checks of GatherElements and ScatterElements: indices of the
// data's rank, no larger than the data off the axis. Returns the axis.
size_t checkElementsIndices(const InferContext& ctx, const TensorType& data, const TensorType& indices) {
  int64_t rank = rankOf(data);
  if (rank < 1) ctx.fail("data must have rank >= 1");
  if (rankOf(indices) != rank) ctx.fail("indices have rank {} but data has rank {}", rankOf(indices), rank);
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank));
  for (size_t d = 0; d < data.shape.size(); ++d) {
    const Dim &i = indices.shape[d], &x = data.shape[d];
    if (d != axis && i.isStatic() && x.isStatic() && i.value > x.value)
      ctx.fail("indices dim {} is {} but data dim {} is only {}", d, i.value, d, x.value);
  }
  const Dim& axisDim = data.shape[axis];
  if (axisDim.isStatic()) {
    checkConstantIndices(ctx, 1, axisDim.value, static_cast<int64_t>(axis));
    if (axisDim.value == 0 && indices.isStatic() && indices.numElements() > 0)
      ctx.fail("indexes axis {} of size 0", axis);
  }
  return axis;
}

// GatherND / ScatterND: the length of an index tuple (indices' last dim),
// checked against the data rank. -1 when it is not static.
int64_t indexTupleLength(const InferContext& ctx, const TensorType& data, const TensorType& indices,
                         int64_t batchDims) {
  if (rankOf(indices) < 1) ctx.fail("indices must have rank >= 1");
  if (rankOf(data) < 1) ctx.fail("data must have rank >= 1");
  const Dim& last = indices.shape.back();
  if (!last.isStatic()) return -1;
  int64_t k = last.value;
  if (k < 1 || k > rankOf(data) - batchDims)
    ctx.fail("index tuples have {} entries but must have 1 to {} (data rank {}, batch_dims {})", k,
             rankOf(data) - batchDims, rankOf(data), batchDims);
  return k;
}

}  // namespace

// GatherElements: out[i_0, ..., i_{r-1}] = data[..., indices[i_0, ..., i_{r-1}] (at axis), ...];
// the output has the indices' shape.
void inferShapesGatherElements(InferContext& ctx) {
  const TensorType& data = ctx.inputType(0);
  const TensorType& indices = ctx.inputType(1);
  requireIndices(ctx, 1);
  if (!data.rankKnown || !indices.rankKnown) return ctx.setOutput(0, unknownRank(data.dtype));
  checkElementsIndices(ctx, data, indices);
  TensorType out;
  out.dtype = data.dtype;
  out.shape = indices.shape;
  ctx.setOutput(0, out);
}

// GatherND with batch_dims b: indices [..., k] pick slices data[b0.., i_0, ..., i_{k-1}, :, ...];
// output shape indices.shape[:-1] + data.shape[b + k:].
void inferShapesGatherND(InferContext& ctx) {
  const TensorType& data = ctx.inputType(0);
  const TensorType& indices = ctx.inputType(1);
  requireIndices(ctx, 1);
  int64_t b = ctx.attrs().getInt("batch_dims", 0);
  if (!data.rankKnown || !indices.rankKnown) return ctx.setOutput(0, unknownRank(data.dtype));
  if (b < 0 || b >= std::min(rankOf(data), rankOf(indices)))
    ctx.fail("batch_dims {} must be in [0, min(data rank {}, indices rank {}))", b, rankOf(data),
             rankOf(indices));
  for (size_t d = 0; d < static_cast<size_t>(b); ++d)
    if (differ(data.shape[d], indices.shape[d]))
      ctx.fail("batch dim {} is {} in data but {} in indices", d, data.shape[d].value, indices.shape[d].value);
  int64_t k = indexTupleLength(ctx, data, indices, b);
  if (k < 0) return ctx.setOutput(0, unknownRank(data.dtype));
  TensorType out;
  out.dtype = data.dtype;
  for (size_t d = 0; d + 1 < indices.shape.size(); ++d)
    out.shape.push_back(d < static_cast<size_t>(b) && !indices.shape[d].isStatic() ? data.shape[d]
                                                                                     : indices.shape[d]);
  out.shape.insert(out.shape.end(), data.shape.begin() + b + k, data.shape.end());
  ctx.setOutput(0, out);
}

namespace {

void checkReduction(const InferContext& ctx) {
  std::string r = ctx.attrs().getString("reduction", "none");
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    ctx.fail("unsupported reduction '{}'", r);
}

void checkUpdatesDType(const InferContext& ctx) {
  if (ctx.inputType(2).dtype != ctx.inputType(0).dtype)
    ctx.fail("updates are {} but data is {}", dtypeName(ctx.inputType(2).dtype),
             dtypeName(ctx.inputType(0).dtype));
}

}  // namespace

// ScatterElements: the output is data with out[..., indices[i] (at axis), ...]
// combined with updates[i] for every position i of indices (updates has the
// indices' shape).
void inferShapesScatterElements(InferContext& ctx) {
  const TensorType& data = ctx.inputType(0);
  const TensorType& indices = ctx.inputType(1);
  const TensorType& updates = ctx.inputType(2);
  requireIndices(ctx, 1);
  checkUpdatesDType(ctx);
  checkReduction(ctx);
  if (data.rankKnown && indices.rankKnown) checkElementsIndices(ctx, data, indices);
  if (indices.rankKnown && updates.rankKnown) {
    if (rankOf(indices) != rankOf(updates))
      ctx.fail("updates have rank {} but indices have rank {}", rankOf(updates), rankOf(indices));
    for (size_t d = 0; d < indices.shape.size(); ++d)
      if (differ(indices.shape[d], updates.shape[d]))
        ctx.fail("updates dim {} is {} but indices dim {} is {}", d, updates.shape[d].value, d,
                 indices.shape[d].value);
  }
  ctx.setOutput(0, data);
}

// ScatterND: indices [..., k] name slices data[i_0, ..., i_{k-1}, :, ...] that
// are combined with updates; updates shape indices.shape[:-1] + data.shape[k:].
void inferShapesScatterND(InferContext& ctx) {
  const TensorType& data = ctx.inputType(0);
  const TensorType& indices = ctx.inputType(1);
  const TensorType& updates = ctx.inputType(2);
  requireIndices(ctx, 1);
  checkUpdatesDType(ctx);
  checkReduction(ctx);
  if (data.rankKnown && indices.rankKnown) {
    int64_t k = indexTupleLength(ctx, data, indices, 0);
    if (k >= 0 && updates.rankKnown) {
      Shape expected(indices.shape.begin(), indices.shape.end() - 1);
      expected.insert(expected.end(), data.shape.begin() + k, data.shape.end());
      if (expected.size() != updates.shape.size())
        ctx.fail("updates have rank {}, expected {}", updates.shape.size(), expected.size());
      for (size_t d = 0; d < expected.size(); ++d)
        if (differ(expected[d], updates.shape[d]))
          ctx.fail("updates dim {} is {}, expected {}", d, updates.shape[d].value, expected[d].value);
    }
  }
  ctx.setOutput(0, data);
}

// OneHot: out has a new axis of length depth at `axis`; the element is
// values[1] where the index (negative counts from depth) equals its position
// on that axis, values[0] elsewhere.
void inferShapesOneHot(InferContext& ctx) {
  const TensorType& indices = ctx.inputType(0);
  const TensorType& values = ctx.inputType(2);
  if (!isFloat(indices.dtype) && !isInteger(indices.dtype))
    ctx.fail("indices must be numeric, got {}", dtypeName(indices.dtype));
  const TensorType& depthType = ctx.inputType(1);
  if (!isFloat(depthType.dtype) && !isInteger(depthType.dtype))
    ctx.fail("depth must be numeric, got {}", dtypeName(depthType.dtype));
  std::vector<int64_t> depth = ctx.requireConstantInts(1, "depth");
  if (depth.size() != 1) ctx.fail("depth must have exactly one element, has {}", depth.size());
  if (depth[0] < 0) ctx.fail("depth is {}", depth[0]);
  if (values.dtype == DType::String) ctx.fail("unsupported values dtype str");
  if (values.rankKnown && (values.shape.size() != 1 || differ(values.shape[0], Dim::known(2))))
    ctx.fail("values must be a tensor of 2 elements [off, on]");
  if (!indices.rankKnown) return ctx.setOutput(0, unknownRank(values.dtype));
  int64_t outRank = rankOf(indices) + 1;
  auto axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), outRank);
  TensorType out;
  out.dtype = values.dtype;
  out.shape = indices.shape;
  out.shape.insert(out.shape.begin() + axis, Dim::known(depth[0]));
  ctx.setOutput(0, out);
}

}  // namespace kiln::ir
