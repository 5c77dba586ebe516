// Conv's `pool_input` attribute (a Kiln extension; the ONNX importer rejects it
// in model files): Conv(X, W, B) {pool_input = 1} computes
// Conv(GlobalAveragePool(X), W, B), i.e. a 1x1 conv over the channel means of
// X. passes/fuse_pool_conv.h sets it on the squeeze step of squeeze-excitation
// blocks (GlobalAveragePool -> 1x1 Conv), so the pool and the conv are one
// kernel (codegen/ops/conv_pooled.cpp). Requires a 4-D X, a 1x1 W, group 1 and
// no padding; the output is [N, M, 1, 1].
#pragma once

#include "ir/graph.h"

namespace kiln::ir {

inline constexpr const char* kPoolInputAttr = "pool_input";

inline bool poolsInput(const Node& n) { return n.op == OpKind::Conv && n.attrs.getInt(kPoolInputAttr, 0) != 0; }

}  // namespace kiln::ir
