// Fused epilogues in the graph IR. A Conv, ConvTranspose, MatMul or Gemm (a
// contraction), or an elementwise op with a fixed input count, may carry an
// attribute `epilogue`: a subgraph of elementwise ops that runs on the
// kernel's output while it is still in registers (passes/fuse_epilogue.h
// builds them, codegen/ops/epilogue.h emits them).
//
// The subgraph's first input is the kernel's own result (the op's output type);
// its further inputs are the node's captures (the trailing numCaptures inputs:
// residual operands, per-channel scales, ...), in order. Its one output is what
// the node stores, with the same type. Constants in it have one element. The
// node keeps all its optional formal inputs as slots (absent ones are `_`), so
// captures never take the place of an optional input such as Conv's bias.
#pragma once

#include "ir/graph.h"

namespace kiln::ir {

inline constexpr const char* kEpilogueAttr = "epilogue";

// Conv, ConvTranspose, MatMul, Gemm.
bool isContraction(OpKind op);
// Ops whose kernels apply an epilogue: the contractions and the elementwise
// ops emitted by codegen/ops/broadcast_loop.h with a fixed input count.
bool acceptsEpilogue(OpKind op);
// Ops an epilogue may hold: elementwise ops, and BatchNormalization in its
// inference form (training_mode 0, one output).
bool isEpilogueOp(const Node& n);
// Whether input `i` of an epilogue op is a per-channel vector [C] applied
// along axis 1 (BatchNormalization's scale, bias, mean and var) rather than an
// operand broadcasting to the output by numpy rules.
bool isChannelOperand(OpKind op, size_t i);

// Throws kiln::Error naming `node` when its epilogue attribute (if any) breaks
// the rules above (checked by ir::verifyGraph).
void verifyEpilogue(const Graph& g, const Node& node);

}  // namespace kiln::ir
