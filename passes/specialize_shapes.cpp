#include "passes/specialize_shapes.h"

#include <fmt/format.h>

#include <algorithm>

#include "ir/error.h"
#include "ir/shape_rules.h"

namespace kiln::passes {

namespace {

void bindInput(ir::Graph& g, size_t i, const std::vector<int64_t>& shape) {
  ir::Value& v = g.value(g.inputs[i]);
  ir::checkInputShape(v, shape);
  v.type = ir::staticType(v.type.dtype, shape);
}

// Shape(x) with x statically shaped is a constant, whatever x's contents.
bool foldStaticShape(ir::Graph& g, ir::Node& n) {
  if (n.op != ir::OpKind::Shape || !g.type(n.inputs[0]).isStatic()) return false;
  std::vector<int64_t> dims = g.type(n.inputs[0]).staticShape();
  int64_t rank = static_cast<int64_t>(dims.size());
  auto clampAxis = [rank](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
  int64_t start = clampAxis(n.attrs.getInt("start", 0));
  int64_t end = clampAxis(n.attrs.getInt("end", rank));
  std::vector<int64_t> slice;
  for (int64_t i = start; i < end; ++i) slice.push_back(dims[static_cast<size_t>(i)]);
  int64_t len = static_cast<int64_t>(slice.size());
  ir::Value& out = g.value(n.outputs[0]);
  out.constant = ir::TensorData::fromInts(slice, {len});
  out.type = ir::staticType(DType::I64, {len});
  return true;
}

// Size(x) with x statically shaped is a constant too.
bool foldStaticSize(ir::Graph& g, ir::Node& n) {
  if (n.op != ir::OpKind::Size || !g.type(n.inputs[0]).isStatic()) return false;
  ir::Value& out = g.value(n.outputs[0]);
  out.constant = ir::TensorData::fromInts({g.type(n.inputs[0]).numElements()}, {});
  out.type = ir::staticType(DType::I64, {});
  return true;
}

bool allInputsConstant(const ir::Graph& g, const ir::Node& n) {
  for (ir::ValueId v : n.inputs)
    if (v != ir::kNoValue && !g.value(v).isConstant()) return false;
  return true;
}

bool outputsFoldable(const ir::Graph& g, const ir::Node& n, int64_t maxBytes) {
  for (ir::ValueId v : n.outputs) {
    const ir::TensorType& t = g.type(v);
    if (!t.isStatic() || t.dtype == DType::String) return false;
    if (t.numElements() * static_cast<int64_t>(dtypeSize(t.dtype)) > maxBytes) return false;
  }
  return true;
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
    if (allInputsConstant(g, n) && outputsFoldable(g, n, maxFoldBytes)) {
      std::vector<ir::TensorDataPtr> results = evaluator.evaluate(g, n);
      for (size_t k = 0; k < n.outputs.size(); ++k) g.value(n.outputs[k]).constant = results.at(k);
      continue;
    }
    kept.push_back(std::move(n));
  }
  g.nodes = std::move(kept);
}

}  // namespace kiln::passes
