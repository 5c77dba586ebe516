// Rewrites nodes from older ai.onnx opsets into the latest opset's form, since
// Kiln's IR gives every op the latest opset's semantics (see ir/ops.def).
//
// Attributes that later opsets turned into inputs become constant inputs:
//   Clip < 11 (min, max), Slice < 10 (starts, ends, axes), Squeeze/Unsqueeze < 13
//   (axes), ReduceSum < 13 and the other Reduce* ops < 18 (axes), Reshape < 5
//   (shape), Split < 13 (split), Pad < 11 (pads, value), TopK < 10 (k).
//   Resize 10's (X, scales) becomes (X, <absent roi>, scales).
// Softmax, LogSoftmax and Hardmax < 13 get an explicit `axis`, and `legacy_coerce_2d = 1` when the old
// "flatten to 2-D at axis" semantics may differ from the new "along axis" ones.
// PRelu < 7's per-channel 1-D slope becomes a constant of shape [C, 1, ..., 1].
// Attributes the rewrite does not understand are kept as they are.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ir/graph.h"

namespace kiln::onnx {

// The op type Kiln implements an ONNX op type as: deprecated ops that equal a
// newer one (Scatter is ScatterElements without reduction, Upsample is Resize)
// map to it; any other op type maps to itself.
std::string_view latestOpType(std::string_view opType);

// Adds a constant value to the graph and returns its id; `role` ("min",
// "starts", ...) helps the importer give it a readable unique name.
using MakeConstant = std::function<ir::ValueId(const std::string& role, ir::TensorDataPtr data)>;

// `node` is not yet in `graph`; its inputs' types are. `owner` names the node
// in errors. Throws kiln::Error for legacy forms without a latest-opset equivalent.
void upgradeToLatestOpset(const ir::Graph& graph, ir::Node& node, int64_t opset,
                          const std::string& owner, const MakeConstant& makeConstant);

// Rewrites a node of deprecated `opType` (node.op already its replacement)
// into the replacement's form at the node's opset; upgradeToLatestOpset then
// takes it to the latest. Upsample: the opset-7 `scales` attribute becomes
// input 1, which is Resize 10's (X, scales) with Upsample's semantics.
void upgradeDeprecatedOp(const std::string& opType, const ir::Graph& graph, ir::Node& node, int64_t opset,
                         const std::string& owner, const MakeConstant& makeConstant);

}  // namespace kiln::onnx
