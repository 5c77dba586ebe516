// Pass `fuse-rmsnorm`: RMS normalization written out elementwise (LLaMA-style
// models exported before opset 23) becomes ONNX's RMSNormalization (opset 23):
//
//   ms = ReduceMean(Mul(x, x) or Pow(x, 2), axes)
//   n  = Div(x, Sqrt(Add(ms, eps)))   (or Mul(x, Reciprocal(Sqrt(..))))
//   y  = Mul(n, gamma)                -> RMSNormalization(x, gamma) axis, epsilon
//
// also without gamma (a constant one then). Products and sums match with their
// operands in either order. Like fuse-layernorm it needs keepdims 1, a
// reduction over the trailing axes k..rank-1 (axis = k), a constant eps, a
// gamma that broadcasts over the normalized dims only, and no other reader of
// the values in between. Run it after fuse-layernorm: LayerNormalization's
// (x - mean) / sqrt(mean((x - mean)^2) + eps) also has this shape.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fuseRmsNorm(ir::Graph& graph);

}  // namespace kiln::passes
