// Pass `fuse-silu`: SiLU (swish) written out as x * Sigmoid(x) becomes one
// op, Swish(x) (ONNX opset 24's Swish, alpha = 1), so it runs as one kernel
// (or one epilogue op) that reads x once:
//
//   x * Sigmoid(x), Sigmoid(x) * x                 -> Swish(x)
//   x * Sigmoid(alpha * x) (alpha a constant)      -> Swish(x) alpha
//
// It must not rewrite when the Sigmoid reads a different value than the one
// multiplied, when the Sigmoid's result (or alpha * x) has another reader,
// or when the product broadcasts to a different shape than x's.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fuseSilu(ir::Graph& graph);

}  // namespace kiln::passes
