// Shape specialization: fixes every graph input to a concrete shape, then walks
// the nodes in order, inferring each output's type (ir/shape_rules.h) and
// folding nodes whose inputs are all constant into constants (via the
// ConstantEvaluator). Shape and Size of a statically shaped value fold directly. This
// resolves the int64 shape arithmetic (Shape -> Gather/Slice -> Concat ->
// Reshape) that exporters leave behind, so codegen sees only static shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "passes/constant_evaluator.h"

namespace kiln::passes {

// inputShapes[i] is the concrete shape of graph.inputs[i]; it must agree with
// the input's declared static dims (throws kiln::Error naming the input
// otherwise). inputValues, when not empty, has one entry per input: non-null
// entries bind that input's contents as a constant (shape-determining inputs
// such as a Reshape `shape` fed from outside the graph). Folded nodes are
// removed; run Graph::removeDeadCode afterwards. `maxFoldBytes` bounds the
// output size of a node that is folded. A rule that needs the contents of a
// non-constant value throws ir::ValueRequired.
void specializeShapes(ir::Graph& graph, const std::vector<std::vector<int64_t>>& inputShapes,
                      ConstantEvaluator& evaluator, const std::vector<ir::TensorDataPtr>& inputValues = {},
                      int64_t maxFoldBytes = int64_t{64} << 20);

}  // namespace kiln::passes
