// A rough count of the scalar operations a node's kernel performs, used to
// decide whether splitting it across threads pays for the hand-off.
#pragma once

#include <cstdint>

#include "ir/graph.h"

namespace kiln::codegen {

// Multiply-adds for Conv/ConvTranspose/MatMul/Gemm; elements touched otherwise.
// Requires static shapes.
int64_t estimateWork(const ir::Graph& graph, const ir::Node& node);

// Below this many operations a kernel runs on the calling thread only: waking
// another thread costs about as much as a few thousand multiply-adds.
constexpr int64_t kMinParallelWork = 16384;

}  // namespace kiln::codegen
