// Which axes a Reduce* node (ReduceMean, ReduceSum, ReduceMin, ReduceL2, ...)
// reduces (ONNX opset 18 form: axes as optional input 1), shared by the shape
// rules and the kernel emitters so both agree.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...),
// hasInput(i) and inputConstant(i).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace kiln::ir {

// reduced[d] is true when axis d of a rank-`rank` input is reduced. An absent
// or empty axes input reduces every axis, unless noop_with_empty_axes is set,
// in which case nothing is reduced (the op is an identity).
template <typename Ctx>
std::vector<bool> reducedAxes(const Ctx& ctx, int64_t rank) {
  std::vector<int64_t> axes;
  if (ctx.hasInput(1)) {
    axes = ctx.requireConstant(1, "axes").toInts();
  }
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    if (ctx.attrs().getInt("noop_with_empty_axes", 0) == 0) reduced.assign(reduced.size(), true);
    return reduced;
  }
  for (int64_t axis : axes) {
    if (axis < -rank || axis >= rank) ctx.fail("reduce axis {} out of range for rank {}", axis, rank);
    auto a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    if (reduced[a]) ctx.fail("reduce axis {} is repeated", axis);
    reduced[a] = true;
  }
  return reduced;
}

// The output type of a Reduce* node with input type x (rank known): reduced
// axes are dropped, or kept with size 1 when keepdims (default 1) is set.
template <typename Ctx>
TensorType reducedOutputType(const Ctx& ctx, const TensorType& x) {
  std::vector<bool> reduced = reducedAxes(ctx, static_cast<int64_t>(x.shape.size()));
  bool keepdims = ctx.attrs().getInt("keepdims", 1) != 0;
  TensorType out;
  out.dtype = x.dtype;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (!reduced[d]) out.shape.push_back(x.shape[d]);
    else if (keepdims) out.shape.push_back(Dim::known(1));
  }
  return out;
}

}  // namespace kiln::ir
