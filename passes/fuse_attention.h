// Pass `fuse-attention`: scaled-dot-product attention written out as
// MatMul/Softmax/MatMul (what exporters emit for 4-D [batch, heads, seq, head]
// attention before opset 23) becomes ONNX's Attention (opset 23):
//
//   S = MatMul(Q, KT)                 Q [B, H, Sq, D], KT [B, Hk, D, Skv]
//   S = Mul(S, c) or Div(S, c)        optional, c a one-element constant
//   S = Add(S, mask)                  optional, either order
//   P = Softmax(S) {axis = -1}        (or 3)
//   Y = MatMul(P, V)                  V [B, Hk, Skv, Dv]
//     -> Y = Attention(Q, K, V[, mask]) {scale[, is_causal]}
//
// The scale may also be written on Q and/or KT before the first MatMul
// (Mul(Q, c), Mul(KT, c): torch's exporter writes sqrt(scale) on both); all
// factors multiply into `scale`. K is Transpose(X, composed perm) when KT =
// Transpose(X, p) (bert's Transpose(perm [0, 2, 3, 1]) of the [B, S, H, D]
// reshape becomes Transpose(perm [0, 2, 1, 3])), else Transpose(KT, [0, 1, 3,
// 2]). A constant mask that is exactly 0 on and below the diagonal and -inf
// above it (leading dims 1) becomes is_causal = 1 instead of a mask input.
//
// It must not fuse: when S, the scaled or masked S, or P have another reader
// or are graph outputs; a Softmax over another axis or of a tensor that is not
// 4-D; a scale that is not a one-element constant; a mask whose broadcast
// changes the scores' shape; non-float32 tensors (the kernel's type); MatMuls
// whose batch dims broadcast in a way Attention cannot express (K/V heads
// other than H or 1, batch dims that differ) or are not 4-D.
//
// One difference from the decomposed graph: a query row whose scores are all
// -inf (a runtime mask excluding every key) gives Y = 0, as ONNX Runtime's
// Attention does, where Softmax would give NaN (codegen/ops/attention.cpp).
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

void fuseAttention(ir::Graph& graph);

}  // namespace kiln::passes
