// Shape rules of the layout ops (ONNX opset 18/19 forms): Split, Tile, Pad,
// ReverseSequence. Operands that determine output shapes (Split's split, Tile's
// repeats, Pad's pads and axes) must be constants.
#include <string>

#include "ir/shape_rules.h"
#include "ir/shape_rules/pad_params.h"

namespace kiln::ir {

// Split: consecutive parts of the input along `axis`, one per output. Part
// sizes come from the `split` input, else from `num_outputs` (ceil-sized parts,
// the last one smaller), else the input splits evenly over the outputs.
void inferShapesSplit(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  size_t n = ctx.node.outputs.size();
  bool hasSplit = ctx.hasInput(1) && !(ctx.inputType(1).isStatic() && ctx.inputType(1).numElements() == 0);
  std::vector<int64_t> split;
  if (hasSplit) {
    split = ctx.requireConstantInts(1, "split");
    if (split.size() != n) ctx.fail("split has {} entries but the node has {} outputs", split.size(), n);
    for (int64_t s : split)
      if (s < 0) ctx.fail("split has a negative entry {}", s);
  }
  bool hasNum = ctx.attrs().has("num_outputs");
  if (hasNum) {
    if (hasSplit) ctx.fail("has both the split input and the num_outputs attribute");
    int64_t num = ctx.attrs().getInt("num_outputs", 0);
    if (num != static_cast<int64_t>(n)) ctx.fail("num_outputs is {} but the node has {} outputs", num, n);
  }
  if (!x.rankKnown) {
    for (size_t i = 0; i < n; ++i) ctx.setOutput(i, unknownRank(x.dtype));
    return;
  }
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rankOf(x)));
  const Dim& dim = x.shape[axis];
  std::vector<Dim> parts(n, Dim::unknown());
  if (hasSplit) {
    int64_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      parts[i] = Dim::known(split[i]);
      total += split[i];
    }
    if (dim.isStatic() && total != dim.value)
      ctx.fail("split sums to {} but axis {} has size {}", total, axis, dim.value);
  } else if (n == 1) {
    parts[0] = dim;
  } else if (dim.isStatic()) {
    auto count = static_cast<int64_t>(n);
    if (hasNum) {
      int64_t chunk = (dim.value + count - 1) / count;
      int64_t last = dim.value - chunk * (count - 1);
      if (last < 0) ctx.fail("cannot split size {} into {} parts of {}", dim.value, count, chunk);
      for (size_t i = 0; i < n; ++i) parts[i] = Dim::known(i + 1 < n ? chunk : last);
    } else {
      if (dim.value % count != 0)
        ctx.fail("axis {} of size {} does not split evenly into {} outputs", axis, dim.value, count);
      for (size_t i = 0; i < n; ++i) parts[i] = Dim::known(dim.value / count);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    TensorType out;
    out.dtype = x.dtype;
    out.shape = x.shape;
    out.shape[axis] = parts[i];
    ctx.setOutput(i, out);
  }
}

// Tile: the input repeated repeats[d] times along each dim d.
void inferShapesTile(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  DType rt = ctx.inputType(1).dtype;
  if (rt != DType::I64 && rt != DType::I32) ctx.fail("repeats must be int64, got {}", dtypeName(rt));
  std::vector<int64_t> repeats = ctx.requireConstantInts(1, "repeats");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  if (static_cast<int64_t>(repeats.size()) != rankOf(x))
    ctx.fail("repeats has {} entries but the input has rank {}", repeats.size(), rankOf(x));
  TensorType out;
  out.dtype = x.dtype;
  for (size_t d = 0; d < repeats.size(); ++d) {
    int64_t r = repeats[d];
    if (r < 0) ctx.fail("repeats entry {} is {}", d, r);
    const Dim& in = x.shape[d];
    if (r == 1) out.shape.push_back(in);
    else if (r == 0) out.shape.push_back(Dim::known(0));
    else out.shape.push_back(in.isStatic() ? Dim::known(in.value * r) : Dim::unknown());
  }
  ctx.setOutput(0, out);
}

// Pad: each axis grows by its begin and end pads (negative pads crop); new
// elements are constant_value (mode constant) or taken from the input by
// reflection, edge replication or wrapping.
void inferShapesPad(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  PadMode mode = parsePadMode(ctx, ctx.attrs().getString("mode", "constant"));
  if (ctx.hasInput(2)) {
    const TensorType& v = ctx.inputType(2);
    if (v.dtype != x.dtype)
      ctx.fail("constant_value is {} but data is {}", dtypeName(v.dtype), dtypeName(x.dtype));
    if (v.isStatic() && v.numElements() != 1)
      ctx.fail("constant_value must have one element, has {}", v.numElements());
  }
  std::vector<int64_t> pads = ctx.requireConstantInts(1, "pads");
  std::vector<int64_t> axes;
  if (ctx.hasInput(3)) axes = ctx.requireConstantInts(3, "axes");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  int64_t rank = rankOf(x);
  std::vector<int64_t> full = resolvePads(ctx, rank, pads, axes);
  TensorType out;
  out.dtype = x.dtype;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    int64_t begin = full[d], end = full[d + x.shape.size()];
    const Dim& in = x.shape[d];
    if (begin == 0 && end == 0) {
      out.shape.push_back(in);
      continue;
    }
    if (!in.isStatic()) {
      out.shape.push_back(Dim::unknown());
      continue;
    }
    int64_t size = in.value + begin + end;
    if (size < 0) ctx.fail("pads {} and {} remove more than axis {} of size {} holds", begin, end, d, in.value);
    if (mode != PadMode::Constant && in.value == 0 && size > 0)
      ctx.fail("cannot pad empty axis {} in a mode other than constant", d);
    out.shape.push_back(Dim::known(size));
  }
  ctx.setOutput(0, out);
}

// ReverseSequence: for every batch entry b, the first sequence_lens[b]
// elements along time_axis are reversed; the rest are copied.
void inferShapesReverseSequence(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& lens = ctx.inputType(1);
  if (lens.dtype != DType::I64 && lens.dtype != DType::I32)
    ctx.fail("sequence_lens must be int64, got {}", dtypeName(lens.dtype));
  int64_t batchAxis = ctx.attrs().getInt("batch_axis", 1), timeAxis = ctx.attrs().getInt("time_axis", 0);
  if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
    ctx.fail("batch_axis {} and time_axis {} must be 0 and 1 in some order", batchAxis, timeAxis);
  if (x.rankKnown) {
    if (rankOf(x) < 2) ctx.fail("input must have rank >= 2, has {}", rankOf(x));
    if (lens.rankKnown) {
      if (lens.shape.size() != 1) ctx.fail("sequence_lens must have rank 1");
      const Dim &b = x.shape[static_cast<size_t>(batchAxis)], &l = lens.shape[0];
      if (b.isStatic() && l.isStatic() && b.value != l.value)
        ctx.fail("sequence_lens has {} entries but the batch axis has size {}", l.value, b.value);
    }
  }
  ctx.setOutput(0, x);
}

}  // namespace kiln::ir
