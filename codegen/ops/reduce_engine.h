// The loop nest behind every Reduce* op (defined in linalg_reduce.cpp): input
// 0 is reduced over the axes named by input 1 / noop_with_empty_axes /
// keepdims (ir/shape_rules/reduce_params.h) into output 0, accumulating in the
// output buffer in memory order of the input.
#pragma once

#include <functional>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// A reduction's scalar semantics. The input and the output have dtype `type`,
// which is also the accumulator's type.
struct ReduceSpec {
  DType type = DType::F32;
  // The accumulator's start value; also the result of reducing no elements
  // (before `finish`).
  llvm::Value* identity = nullptr;
  // acc' = fold(acc, x) for each input element x. The fold may be reassociated
  // (it should be associative and commutative).
  std::function<llvm::Value*(llvm::Value* acc, llvm::Value* x)> fold;
  // Optional: out = finish(acc, number of elements folded into each output).
  std::function<llvm::Value*(llvm::Value* acc, int64_t count)> finish;
};

void emitReduction(KernelContext& ctx, const ReduceSpec& spec);

}  // namespace kiln::codegen
