// Which kernels may write their output into an input's buffer (in-place
// execution, planned by passes/memory_plan.h).
//
// Legal when the kernel reads element i of that input and writes element i of
// the output in the same step, never touching another element of either in
// between: the elementwise ops, whose emitters all run emitBroadcastLoop
// (codegen/ops/broadcast_loop.h loads every operand of an element before
// storing it), when that input has the output's shape and element size. The
// lowering then hands the kernel body one pointer for both (codegen/lower.h),
// so loads and stores go through the same `noalias` argument and LLVM still
// vectorizes without runtime overlap checks.
#pragma once

#include <cstddef>

#include "ir/graph.h"

namespace kiln::codegen {

bool kernelMayWriteInPlace(const ir::Graph& graph, const ir::Node& node, size_t input);

}  // namespace kiln::codegen
