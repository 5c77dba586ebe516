// Evaluates one node whose inputs are all constants. Passes depend only on this
// interface; codegen implements it by JIT-compiling the node's own kernel, so
// folded values come from the same generated code as run time values.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace kiln::passes {

class ConstantEvaluator {
 public:
  virtual ~ConstantEvaluator() = default;
  // The node's output types are already inferred (static). Returns one tensor
  // per output. Throws kiln::Error on failure.
  virtual std::vector<ir::TensorDataPtr> evaluate(const ir::Graph& graph, const ir::Node& node) = 0;
};

}  // namespace kiln::passes
