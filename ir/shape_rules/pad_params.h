// Pad's operands (ONNX Pad-19), shared by its shape rule and kernel emitter.
//
// Ctx is InferContext or codegen::KernelContext: anything with fail(fmt, ...)
// that throws an error naming the node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::ir {

enum class PadMode { Constant, Reflect, Edge, Wrap };

template <typename Ctx>
PadMode parsePadMode(const Ctx& ctx, const std::string& mode) {
  if (mode == "constant") return PadMode::Constant;
  if (mode == "reflect") return PadMode::Reflect;
  if (mode == "edge") return PadMode::Edge;
  if (mode == "wrap") return PadMode::Wrap;
  ctx.fail("unsupported pad mode '{}'", mode);
}

// Per data axis [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}] from the
// `pads` input, which lists begins then ends for the axes in `axes` (all axes
// in order when `axes` is empty). Negative pads remove elements.
template <typename Ctx>
std::vector<int64_t> resolvePads(const Ctx& ctx, int64_t rank, const std::vector<int64_t>& pads,
                                 std::vector<int64_t> axes) {
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  if (pads.size() != 2 * axes.size())
    ctx.fail("pads has {} entries, expected 2 * {} axes", pads.size(), axes.size());
  std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i];
    if (axis < -rank || axis >= rank) ctx.fail("pad axis {} out of range for rank {}", axis, rank);
    auto a = static_cast<size_t>(axis < 0 ? axis + rank : axis);
    if (seen[a]) ctx.fail("pad axis {} is repeated", axis);
    seen[a] = true;
    full[a] = pads[i];
    full[a + static_cast<size_t>(rank)] = pads[i + axes.size()];
  }
  return full;
}

}  // namespace kiln::ir
