// Memory planning: assigns every intermediate value (a node output that is not
// a graph output) a byte offset in one arena, reusing the space of values whose
// last reader has run. A node's outputs never share space with its own inputs,
// which keeps codegen's `noalias` promise.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace kiln::passes {

struct MemoryPlan {
  std::vector<int64_t> offsets;  // per value id; -1 when the value is not in the arena
  int64_t arenaBytes = 0;
};

// Requires static shapes on all node outputs. `alignment` is in bytes.
MemoryPlan planMemory(const ir::Graph& graph, int64_t alignment = 64);

}  // namespace kiln::passes
