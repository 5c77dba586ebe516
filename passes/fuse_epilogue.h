// Epilogue fusion: the elementwise ops that follow a Conv, ConvTranspose,
// MatMul or Gemm move into that node as its `epilogue` subgraph (ir/epilogue.h),
// so its kernel applies them to each output vector before storing it, instead
// of separate kernels each making a memory-bound pass over the tensor. Chains
// of elementwise ops that no contraction took fuse into their first op the
// same way (ir::acceptsEpilogue), so they make one pass instead of several.
//
// From each such node (contractions first, then elementwise ops, each in node
// order) with a float32 output that is not a graph output, the pass follows
// the output's users in node order and absorbs the elementwise ops
// (ir::isEpilogueOp) that read only
//   - values of the chain (the node's output and what absorbed ops compute:
//     diamonds such as x * clip(x + 3, 0, 6) / 6 are fine), and
//   - float32 operands that do not depend on the chain and broadcast to the
//     output's shape without changing it (a residual, a per-channel scale),
//     or are BatchNormalization's [C] parameters; one-element constants go
//     into the subgraph, other operands become the node's captures,
// where every absorbed op computes a tensor of exactly the output's type. The
// fused set is the longest prefix of that walk after which exactly one of its
// values is read outside it (or is a graph output); the fused node computes
// that value, sits where its last absorbed op was, and the absorbed ops are
// removed. Needs a shape-specialized graph (static shapes).
#pragma once

#include "ir/graph.h"

namespace kiln::passes {

// Pass `fuse-epilogue`: chains after Conv, ConvTranspose, MatMul and Gemm.
void fuseEpilogues(ir::Graph& graph);
// Pass `fuse-elementwise`: chains of elementwise ops into their first op
// (run it after fuse-epilogue, so contractions take their chains first).
void fuseElementwise(ir::Graph& graph);

}  // namespace kiln::passes
