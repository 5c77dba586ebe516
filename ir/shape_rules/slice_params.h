// Slice's index arithmetic (ONNX Slice-13), shared by its shape rule and its
// kernel emitter so both agree on which elements are taken.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...)
// that throws an error naming the node.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace kiln::ir {

// What Slice takes along one data axis: elements start, start+step, ...
// (count of them). count is -1 when the axis length is not known; `whole`
// then says whether the axis is kept entire (not sliced, or sliced 0:max:1).
struct SliceAxis {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = -1;
  bool whole = false;
};

// The spec's clamping for one axis of static length `dim`: negative starts and
// ends count from the end, then are clamped to [0, dim] for positive steps and
// to [0, dim-1] (start) / [-1, dim-1] (end) for negative steps.
inline SliceAxis resolveSliceAxis(int64_t dim, int64_t start, int64_t end, int64_t step) {
  // v < 0 and dim >= 0, so v + dim cannot overflow (INT64_MIN sentinels included).
  auto fromEnd = [dim](int64_t v) { return v < 0 ? v + dim : v; };
  start = fromEnd(start);
  end = fromEnd(end);
  SliceAxis a;
  a.step = step;
  if (dim == 0) {  // nothing to take (and [0, dim-1] below would be empty)
    a.count = 0;
    return a;
  }
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    a.count = end > start ? (end - start - 1) / step + 1 : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    // -INT64_MIN overflows; INT64_MAX gives the same count as 2^63 here.
    int64_t stride = step == std::numeric_limits<int64_t>::min()
                         ? std::numeric_limits<int64_t>::max() : -step;
    a.count = start > end ? (start - end - 1) / stride + 1 : 0;
  }
  // An empty axis has no valid start; 0 keeps address arithmetic in bounds.
  a.start = a.count > 0 ? start : 0;
  return a;
}

// Per data axis slicing from Slice's constant inputs. `dims` holds the data
// shape (-1 for a dim that is not static). Axes not named keep everything.
template <typename Ctx>
std::vector<SliceAxis> resolveSlice(const Ctx& ctx, const std::vector<int64_t>& dims,
                                    const std::vector<int64_t>& starts,
                                    const std::vector<int64_t>& ends,
                                    std::vector<int64_t> axes, std::vector<int64_t> steps) {
  const auto rank = static_cast<int64_t>(dims.size());
  if (starts.size() != ends.size())
    ctx.fail("starts has {} elements but ends has {}", starts.size(), ends.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size())
    ctx.fail("axes has {} elements but starts has {}", axes.size(), starts.size());
  if (steps.size() != starts.size())
    ctx.fail("steps has {} elements but starts has {}", steps.size(), starts.size());

  std::vector<SliceAxis> out(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) out[d] = SliceAxis{0, 1, dims[d], true};
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i];
    if (axis < -rank || axis >= rank) ctx.fail("slice axis {} out of range for rank {}", axis, rank);
    auto a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    if (seen[a]) ctx.fail("slice axis {} is repeated", axes[i]);
    seen[a] = true;
    if (steps[i] == 0) ctx.fail("slice step for axis {} is 0", axes[i]);
    if (dims[a] < 0) {
      bool whole = steps[i] == 1 && starts[i] == 0 && ends[i] == std::numeric_limits<int64_t>::max();
      out[a] = SliceAxis{0, steps[i], -1, whole};
      continue;
    }
    out[a] = resolveSliceAxis(dims[a], starts[i], ends[i], steps[i]);
  }
  return out;
}

}  // namespace kiln::ir
