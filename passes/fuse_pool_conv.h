// Pass `fuse-pool-conv`: GlobalAveragePool followed by a 1x1 Conv becomes one
// Conv with pool_input = 1 (ir/pool_input.h), one kernel instead of two. This
// is the squeeze step of squeeze-excitation blocks (MobileNetV3, LCNet,
// EfficientNet; PP-OCRv4 det has 10 of them).
//
// Rewrites when: the pool's input is 4-D float32; its output has no other
// reader and is not a graph output; the Conv reads it as X, has a constant
// 1x1 W, group 1, zero pads, no epilogue and no pool_input yet. Strides and
// dilations do not matter on a 1x1 input. Leaves everything else alone
// (GlobalMaxPool, a pool feeding two convs, a 3x3 conv).
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fusePoolConv(ir::Graph& graph);

}  // namespace kiln::passes
