// Shape rules of the data movement and shape arithmetic ops. Inputs that
// determine an output shape (Reshape's shape, Slice's starts/ends, ...) must be
// constants: Kiln compiles shapes statically, and shape specialization folds the
// Shape -> Gather -> Concat chains that compute them into constants first.
#include <algorithm>
#include <optional>

#include "ir/shape_rules.h"
#include "ir/shape_rules/slice_params.h"

namespace kiln::ir {

namespace {

// Product of dims [begin, end): static when all are, the symbol when it is the
// only non-static dim and the rest multiply to 1, unknown otherwise.
Dim dimProduct(const Shape& s, size_t begin, size_t end) {
  int64_t known = 1;
  const Dim* symbolic = nullptr;
  int nonStatic = 0;
  for (size_t i = begin; i < end; ++i) {
    if (s[i].isStatic()) {
      known *= s[i].value;
    } else {
      ++nonStatic;
      symbolic = &s[i];
    }
  }
  if (nonStatic == 0) return Dim::known(known);
  if (known == 0) return Dim::known(0);
  if (nonStatic == 1 && known == 1) return *symbolic;
  return Dim::unknown();
}

std::vector<int64_t> dimsOrMinusOne(const Shape& s) {
  std::vector<int64_t> v;
  for (const Dim& d : s) v.push_back(d.isStatic() ? d.value : -1);
  return v;
}

// Reshape's -1 entry. Output dims copied through 0 entries cancel the same
// input dims, so the -1 is the remaining input dims' product divided by the
// explicit output dims' product. With symbolic input dims it is known only
// when exactly one symbol remains and the static parts cancel.
Dim inferReshapeDim(const InferContext& ctx, const Shape& in, const Shape& out, size_t inferAt,
                    const std::vector<bool>& copiedFromInput) {
  int64_t outKnown = 1;  // explicit entries are static
  for (size_t i = 0; i < out.size(); ++i)
    if (i != inferAt && !copiedFromInput[i]) outKnown *= out[i].value;
  int64_t inKnown = 1;
  std::vector<Dim> inSymbolic;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i < copiedFromInput.size() && copiedFromInput[i]) continue;
    if (in[i].isStatic()) inKnown *= in[i].value;
    else inSymbolic.push_back(in[i]);
  }
  if (inSymbolic.empty()) {
    if (outKnown == 0) ctx.fail("cannot infer the -1 dim: the other dims multiply to 0");
    if (inKnown % outKnown != 0)
      ctx.fail("cannot reshape {} elements into dims that multiply to {}", inKnown, outKnown);
    return Dim::known(inKnown / outKnown);
  }
  if (inSymbolic.size() == 1 && inKnown == outKnown) return inSymbolic[0];
  return Dim::unknown();
}

}  // namespace

void inferShapesShape(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  TensorType out;
  out.dtype = DType::I64;
  if (!x.rankKnown) {
    out.shape = {Dim::unknown()};
    return ctx.setOutput(0, out);
  }
  int64_t rank = rankOf(x);
  auto clampIndex = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clampIndex(ctx.attrs().getInt("start", 0));
  int64_t end = clampIndex(ctx.attrs().getInt("end", rank));
  out.shape = {Dim::known(std::max<int64_t>(0, end - start))};
  ctx.setOutput(0, out);
}

void inferShapesReshape(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  std::vector<int64_t> shape = ctx.requireConstantInts(1, "shape");
  bool allowzero = ctx.attrs().getInt("allowzero", 0) != 0;
  TensorType out;
  out.dtype = x.dtype;
  std::vector<bool> copied(shape.size(), false);
  std::optional<size_t> inferAt;
  bool hasZero = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t s = shape[i];
    if (s < -1) ctx.fail("shape entry {} is {}", i, s);
    if (s == -1) {
      if (inferAt) ctx.fail("shape has more than one -1 entry");
      inferAt = i;
      out.shape.push_back(Dim::unknown());
    } else if (s == 0 && !allowzero) {
      if (!x.rankKnown) {
        out.shape.push_back(Dim::unknown());
        continue;
      }
      if (static_cast<int64_t>(i) >= rankOf(x))
        ctx.fail("shape entry {} is 0 (copy) but the input has rank {}", i, rankOf(x));
      copied[i] = true;
      out.shape.push_back(x.shape[i]);
    } else {
      hasZero = hasZero || s == 0;
      out.shape.push_back(Dim::known(s));
    }
  }
  if (allowzero && hasZero && inferAt) ctx.fail("shape has both 0 and -1 entries with allowzero=1");
  if (!x.rankKnown) return ctx.setOutput(0, out);
  if (inferAt) out.shape[*inferAt] = inferReshapeDim(ctx, x.shape, out.shape, *inferAt, copied);
  if (x.isStatic() && out.isStatic() && x.numElements() != out.numElements())
    ctx.fail("cannot reshape {} elements into {} elements", x.numElements(), out.numElements());
  ctx.setOutput(0, out);
}

void inferShapesFlatten(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  TensorType out;
  out.dtype = x.dtype;
  if (!x.rankKnown) {
    out.shape = {Dim::unknown(), Dim::unknown()};
    return ctx.setOutput(0, out);
  }
  int64_t rank = rankOf(x);
  int64_t axis = ctx.attrs().getInt("axis", 1);
  // Flatten's axis ranges over [-rank, rank] (rank itself gives [N, 1]).
  if (axis < -rank || axis > rank) ctx.fail("axis {} out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  auto a = static_cast<size_t>(axis);
  out.shape = {dimProduct(x.shape, 0, a), dimProduct(x.shape, a, x.shape.size())};
  ctx.setOutput(0, out);
}

void inferShapesSqueeze(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  int64_t rank = rankOf(x);
  std::vector<bool> squeezed(x.shape.size(), false);
  std::vector<int64_t> axes;
  if (ctx.hasInput(1)) axes = ctx.requireConstantInts(1, "axes");
  if (!axes.empty()) {
    for (int64_t axis : axes) {
      auto a = static_cast<size_t>(ctx.normalizeAxis(axis, rank));
      if (squeezed[a]) ctx.fail("axis {} is repeated", axis);
      if (x.shape[a].isStatic() && x.shape[a].value != 1)
        ctx.fail("cannot squeeze axis {} of size {}", axis, x.shape[a].value);
      squeezed[a] = true;
    }
  } else {
    // No (or empty) axes: every dim of size 1, as ONNX Runtime does. A
    // symbolic dim might be 1, so the rank is only known once all are static.
    for (size_t d = 0; d < x.shape.size(); ++d) {
      if (!x.shape[d].isStatic()) return ctx.setOutput(0, unknownRank(x.dtype));
      squeezed[d] = x.shape[d].value == 1;
    }
  }
  TensorType out;
  out.dtype = x.dtype;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (!squeezed[d]) out.shape.push_back(x.shape[d]);
  ctx.setOutput(0, out);
}

void inferShapesUnsqueeze(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  std::vector<int64_t> axes = ctx.requireConstantInts(1, "axes");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  int64_t outRank = rankOf(x) + static_cast<int64_t>(axes.size());
  std::vector<bool> inserted(static_cast<size_t>(outRank), false);
  for (int64_t axis : axes) {
    auto a = static_cast<size_t>(ctx.normalizeAxis(axis, outRank));
    if (inserted[a]) ctx.fail("axis {} is repeated", axis);
    inserted[a] = true;
  }
  TensorType out;
  out.dtype = x.dtype;
  size_t next = 0;
  for (size_t d = 0; d < inserted.size(); ++d)
    out.shape.push_back(inserted[d] ? Dim::known(1) : x.shape[next++]);
  ctx.setOutput(0, out);
}

void inferShapesTranspose(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  int64_t rank = rankOf(x);
  std::vector<int64_t> perm = ctx.attrs().getInts("perm");
  if (!ctx.attrs().has("perm"))
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  if (static_cast<int64_t>(perm.size()) != rank)
    ctx.fail("perm has {} entries but the input has rank {}", perm.size(), rank);
  std::vector<bool> used(perm.size(), false);
  TensorType out;
  out.dtype = x.dtype;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || used[static_cast<size_t>(p)])
      ctx.fail("perm is not a permutation of 0..{}", rank - 1);
    used[static_cast<size_t>(p)] = true;
    out.shape.push_back(x.shape[static_cast<size_t>(p)]);
  }
  ctx.setOutput(0, out);
}

void inferShapesConcat(InferContext& ctx) {
  if (!ctx.attrs().has("axis")) ctx.fail("attribute 'axis' is required");
  const TensorType& first = ctx.inputType(0);
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    if (ctx.inputType(i).dtype != first.dtype)
      ctx.fail("input {} is {} but input 0 is {}", i, dtypeName(ctx.inputType(i).dtype),
               dtypeName(first.dtype));
    if (!ctx.inputType(i).rankKnown) return ctx.setOutput(0, unknownRank(first.dtype));
  }
  int64_t rank = rankOf(first);
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank));
  TensorType out;
  out.dtype = first.dtype;
  out.shape = first.shape;
  out.shape[axis] = Dim::known(0);
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    const TensorType& t = ctx.inputType(i);
    if (rankOf(t) != rank) ctx.fail("input {} has rank {} but input 0 has rank {}", i, rankOf(t), rank);
    for (size_t d = 0; d < t.shape.size(); ++d) {
      const Dim& dim = t.shape[d];
      Dim& o = out.shape[d];
      if (d == axis) {
        o = o.isStatic() && dim.isStatic() ? Dim::known(o.value + dim.value) : Dim::unknown();
      } else if (dim.isStatic() && o.isStatic() && dim.value != o.value) {
        ctx.fail("input {} has size {} on axis {} but input 0 has {}", i, dim.value, d, o.value);
      } else if (!o.isStatic() && (dim.isStatic() || o != dim)) {
        o = dim.isStatic() ? dim : Dim::unknown();
      }
    }
  }
  ctx.setOutput(0, out);
}

void inferShapesSlice(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  std::vector<int64_t> starts = ctx.requireConstantInts(1, "starts");
  std::vector<int64_t> ends = ctx.requireConstantInts(2, "ends");
  std::vector<int64_t> axes, steps;
  if (ctx.hasInput(3)) axes = ctx.requireConstantInts(3, "axes");
  if (ctx.hasInput(4)) steps = ctx.requireConstantInts(4, "steps");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  std::vector<SliceAxis> sl = resolveSlice(ctx, dimsOrMinusOne(x.shape), starts, ends, axes, steps);
  TensorType out;
  out.dtype = x.dtype;
  for (size_t d = 0; d < sl.size(); ++d) {
    if (sl[d].count >= 0) out.shape.push_back(Dim::known(sl[d].count));
    else if (sl[d].whole) out.shape.push_back(x.shape[d]);
    else out.shape.push_back(Dim::unknown());
  }
  ctx.setOutput(0, out);
}

void inferShapesGather(InferContext& ctx) {
  const TensorType& data = ctx.inputType(0);
  const TensorType& indices = ctx.inputType(1);
  if (indices.dtype != DType::I32 && indices.dtype != DType::I64)
    ctx.fail("indices must be int32 or int64, got {}", dtypeName(indices.dtype));
  if (!data.rankKnown || !indices.rankKnown) return ctx.setOutput(0, unknownRank(data.dtype));
  int64_t rank = rankOf(data);
  if (rank < 1) ctx.fail("data must have rank >= 1");
  auto axis = static_cast<size_t>(ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank));
  const Dim& axisDim = data.shape[axis];
  if (axisDim.isStatic()) {
    // Out of range indices are an error; catch them at compile time when we can.
    if (const TensorData* c = ctx.inputConstant(1)) {
      for (int64_t i : c->toInts())
        if (i < -axisDim.value || i >= axisDim.value)
          ctx.fail("index {} out of range for axis {} of size {}", i, axis, axisDim.value);
    } else if (axisDim.value == 0 && indices.isStatic() && indices.numElements() > 0) {
      ctx.fail("gathers from axis {} of size 0", axis);
    }
  }
  TensorType out;
  out.dtype = data.dtype;
  out.shape.assign(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis));
  out.shape.insert(out.shape.end(), indices.shape.begin(), indices.shape.end());
  out.shape.insert(out.shape.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1,
                   data.shape.end());
  ctx.setOutput(0, out);
}

// Expand broadcasts the input with `shape` in both directions (numpy rules):
// a 1 in `shape` keeps the input's dim.
void inferShapesExpand(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  std::vector<int64_t> shape = ctx.requireConstantInts(1, "shape");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  Shape target;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) ctx.fail("shape entry {} is {}", i, shape[i]);
    target.push_back(Dim::known(shape[i]));
  }
  TensorType out;
  out.dtype = x.dtype;
  out.shape = broadcastShapes(ctx, x.shape, target);
  ctx.setOutput(0, out);
}

}  // namespace kiln::ir
