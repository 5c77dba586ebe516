// Pass `fuse-layernorm`: LayerNormalization written out as reductions and
// elementwise ops (PyTorch before opset 17, TensorFlow, PaddlePaddle)
// becomes ONNX's LayerNormalization (opset 17):
//
//   mean = ReduceMean(x, axes)        d = Sub(x, mean)
//   var  = ReduceMean(Pow(d, 2) or Mul(d, d), axes)
//   n    = Div(d, Sqrt(Add(var, eps)))   (or Mul(d, Reciprocal(Sqrt(..))))
//   y    = Add(Mul(n, gamma), beta)      -> LayerNormalization(x, gamma, beta) axis, epsilon
//
// also without beta, and without the affine tail (gamma then a constant one).
// Products and sums match with their operands in either order. It rewrites
// only when both reductions keep dims (keepdims 1) and reduce the same
// trailing axes k..rank-1 (LayerNormalization's axis = k), eps is a constant
// and gamma and beta broadcast over the normalized dims only; every value in
// between (d excepted: read by the square and the division) has no other
// reader. It must not rewrite a reduction over a leading axis, a mean that is
// also read elsewhere, or a "beta" that varies along the leading dims (a
// residual added after the normalization).
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fuseLayerNorm(ir::Graph& graph);

}  // namespace kiln::passes
