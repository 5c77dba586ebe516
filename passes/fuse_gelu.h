// Pass `fuse-gelu`: the GELU that exporters (PyTorch before opset 20,
// TensorFlow) write out elementwise becomes ONNX's Gelu (opset 20):
//
//   erf form   0.5 * x * (1 + Erf(x / sqrt(2)))                       -> Gelu(x)
//              (x * 0.70710678 for the division)
//   tanh form  0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3))) -> Gelu(x) approximate "tanh"
//              (x^3 as Pow(x, 3), x * x * x in either association)
//
// The product 0.5 * x * (1 + ...) may be associated either way, (0.5 * x) * s,
// x * (s * 0.5), ..., and Add and Mul match with their operands in either
// order. Constants match within 1e-6 relative. It must not rewrite when a
// constant differs (0.5 * x * (1 + Erf(x / 2))), when an intermediate value
// has another reader, or when the Erf/Tanh argument is computed from a
// different value than the one multiplied.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fuseGelu(ir::Graph& graph);

}  // namespace kiln::passes
