#include "passes/specialize_shapes.h"

#include <fmt/format.h>

#include "ir/error.h"
#include "ir/shape_rules.h"
#include "passes/fold_constants.h"

namespace kiln::passes {

namespace {

void bindInput(ir::Graph& g, size_t i, const std::vector<int64_t>& shape) {
  ir::Value& v = g.value(g.inputs[i]);
  ir::checkInputShape(v, shape);
  v.type = ir::staticType(v.type.dtype, shape);
}

}  // namespace

void specializeShapes(ir::Graph& g, const std::vector<std::vector<int64_t>>& inputShapes,
                      ConstantEvaluator& evaluator, const std::vector<ir::TensorDataPtr>& inputValues,
                      int64_t maxFoldBytes) {
  if (inputShapes.size() != g.inputs.size())
    fail("model has {} inputs, {} shapes given", g.inputs.size(), inputShapes.size());
  if (!inputValues.empty() && inputValues.size() != g.inputs.size())
    fail("model has {} inputs, {} input values given", g.inputs.size(), inputValues.size());
  for (size_t i = 0; i < inputShapes.size(); ++i) {
    bindInput(g, i, inputShapes[i]);
    if (!inputValues.empty() && inputValues[i]) {
      if (inputValues[i]->shape != inputShapes[i] || inputValues[i]->dtype != g.type(g.inputs[i]).dtype)
        fail("internal error: value bound to input '{}' does not match its type", g.value(g.inputs[i]).name);
      g.value(g.inputs[i]).constant = inputValues[i];
    }
  }

  std::vector<ir::Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ir::Node& n = g.nodes[i];
    if (foldStaticShape(g, n) || foldStaticSize(g, n)) continue;
    ir::inferNodeShapes(g, n);
    if (isFoldable(g, n, maxFoldBytes)) {
      foldNode(g, n, evaluator);
      continue;
    }
    kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
}

}  // namespace kiln::passes
