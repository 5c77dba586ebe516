// Memory planning: assigns every intermediate value (a node output that is not
// a graph output) a byte offset in one arena, reusing the space of values whose
// last reader has run.
//
// A buffer may hold several values, which then share its bytes:
// - views: the output of Reshape, Squeeze, Unsqueeze, Flatten or Identity is
//   its input's bytes unchanged (dense row-major tensors), so with `views` on
//   such a node runs no kernel and its output lives wherever its input lives
//   (the arena, a graph input, a constant). Not when the output is a graph
//   output, which must land in the caller's buffer.
// - in place: a node may write its output into the buffer of an input that
//   nothing reads afterwards, when `mayWriteInPlace` allows it for that node
//   and input (codegen knows which kernels read and write element i of the
//   same-shaped operand in step; see codegen/in_place.h).
// A buffer is free again once the last reader of every value in it has run.
// Apart from the in-place pairs, a node's outputs never share space with its
// own inputs, which keeps codegen's `noalias` promise.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "ir/graph.h"

namespace kiln::passes {

struct MemoryPlanOptions {
  int64_t alignment = 64;  // bytes
  bool views = false;      // let view ops alias their input (no kernel)
  // Whether `node` may write its only output into the buffer of input `input`
  // (whose shape and dtype size equal the output's) when nothing reads that
  // buffer after the node. Empty: never.
  std::function<bool(const ir::Graph&, const ir::Node& node, size_t input)> mayWriteInPlace;
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // per value id; -1 when the value is not in the arena
  int64_t arenaBytes = 0;
  // Per value: the value whose buffer it occupies (a view's input, or the input
  // an in-place node overwrote), or kNoValue when it has a buffer of its own.
  std::vector<ir::ValueId> sharesBufferOf;
  // Per node: whether it is a view (runs no kernel).
  std::vector<bool> isView;
  // Per node: the input whose buffer its output is written into, or -1.
  std::vector<int> inPlaceInput;
};

// Requires static shapes on all node outputs.
MemoryPlan planMemory(const ir::Graph& graph, const MemoryPlanOptions& options = {});

// Whether `op` only reinterprets its input 0's bytes (the ops `views` aliases).
bool isViewOp(ir::OpKind op);

}  // namespace kiln::passes
