// The loop driver shared by elementwise ops: iterates over the output of a
// node whose inputs broadcast to it (ONNX multidirectional broadcasting),
// loads each input element, and stores what `scalar` computes from them.
//
// Adjacent dims are collapsed when every operand walks them contiguously, so a
// same-shape op becomes one flat loop and a per-channel op (N,C,H,W)+(1,C,1,1)
// becomes a (C, H*W) nest with a unit-stride inner loop. The outermost
// collapsed dim (or chunks of a flat loop) is split across threads.
#pragma once

#include <functional>
#include <vector>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Receives the loaded input elements (in their storage types; nullptr for an
// absent optional input) and returns the output element in the output's
// storage type.
using ScalarFn = std::function<llvm::Value*(const std::vector<llvm::Value*>&)>;

// `operands` lists which node inputs are streamed element-wise; the rest are
// left to `scalar` (e.g. Clip's scalar bounds, loaded once before the loop).
void emitBroadcastLoop(KernelContext& ctx, const std::vector<size_t>& operands, const ScalarFn& scalar);

}  // namespace kiln::codegen
