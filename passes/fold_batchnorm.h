// Pass `fold-batchnorm`: an inference BatchNormalization (one output,
// training_mode 0, constant scale, B, mean and var)
//   y = (x - mean) * s + B,   s = scale / sqrt(var + epsilon)   (per channel)
// whose input x is computed by a Conv or Gemm read by nothing else, with
// constant weights (and constant bias, if any), becomes part of that node:
//   Conv: W'[m, ...] = W[m, ...] * s[m],  bias'[m] = (bias[m] - mean[m]) * s[m] + B[m]
//   Gemm (Y = alpha * A' B' + beta * C, BN over Y's columns, axis 1):
//         B' scaled per output column (per row of B when transB = 1),
//         C'[j] = (beta * C[j] - mean[j]) * s[j] + B[j] with beta' = 1.
// Folded weights are computed in double and rounded to float once, so they
// differ from the unfolded graph only by float rounding (~1e-6 relative).
// Left alone: a BatchNormalization whose producer is anything else, whose
// producer's output has another reader or is a graph output, whose
// parameters or the producer's weights are not float32 constants, a Gemm
// whose C is neither a scalar nor a row vector [N] / [1, N], and nodes that
// already carry an epilogue. The folded node computes the BatchNormalization's
// output value (same id and name), so graph outputs are kept.
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void foldBatchNorm(ir::Graph& graph);

}  // namespace kiln::passes
