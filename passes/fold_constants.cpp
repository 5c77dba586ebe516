#include "passes/fold_constants.h"

#include <algorithm>
#include <variant>

#include "ir/shape_rules.h"

namespace kiln::passes {

bool foldStaticShape(ir::Graph& g, ir::Node& n) {
  if (n.op != ir::OpKind::Shape || !g.value(n.inputs[0]).isTensor() || !g.type(n.inputs[0]).isStatic())
    return false;
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

bool foldStaticSize(ir::Graph& g, ir::Node& n) {
  if (n.op != ir::OpKind::Size || !g.value(n.inputs[0]).isTensor() || !g.type(n.inputs[0]).isStatic())
    return false;
  ir::Value& out = g.value(n.outputs[0]);
  out.constant = ir::TensorData::fromInts({g.type(n.inputs[0]).numElements()}, {});
  out.type = ir::staticType(DType::I64, {});
  return true;
}

bool isFoldable(const ir::Graph& g, const ir::Node& n, int64_t maxBytes) {
  for (ir::ValueId v : n.inputs)
    if (v != ir::kNoValue && !g.value(v).isConstant()) return false;
  for (ir::ValueId v : n.outputs) {
    const ir::Value& out = g.value(v);
    const ir::TensorType& t = out.type;
    if (!out.isTensor() || !t.isStatic() || t.dtype == DType::String) return false;
    if (t.numElements() * static_cast<int64_t>(dtypeSize(t.dtype)) > maxBytes) return false;
  }
  return true;
}

void foldNode(ir::Graph& g, const ir::Node& n, ConstantEvaluator& evaluator) {
  std::vector<ir::TensorDataPtr> results = evaluator.evaluate(g, n);
  for (size_t k = 0; k < n.outputs.size(); ++k) g.value(n.outputs[k]).constant = results.at(k);
}

namespace {

// Host ops run in the runtime, not as generated kernels the evaluator can run.
bool isHostOp(ir::OpKind op) {
  switch (op) {
#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family)
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  case ir::OpKind::Name: return true;
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP
    default: return false;
  }
}

bool allInputsConstant(const ir::Graph& g, const ir::Node& n) {
  for (ir::ValueId v : n.inputs)
    if (v != ir::kNoValue && !g.value(v).isConstant()) return false;
  return true;
}

bool hasSubgraph(const ir::Node& n) {
  for (const auto& [name, a] : n.attrs.all())
    if (std::holds_alternative<ir::GraphPtr>(a)) return true;
  return false;
}

}  // namespace

void foldConstants(ir::Graph& g, PassContext& context) {
  if (!context.evaluator) return;
  std::vector<bool> folded(g.nodes.size(), false);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ir::Node& n = g.nodes[i];
    if (foldStaticShape(g, n) || foldStaticSize(g, n)) {
      folded[i] = true;
      continue;
    }
    if (n.inputs.empty() || n.outputs.empty() || n.numCaptures != 0 || isHostOp(n.op) || hasSubgraph(n) ||
        !allInputsConstant(g, n))
      continue;
    // The output types as written may be stale: infer them from the constants.
    ir::inferNodeShapes(g, n);
    if (!isFoldable(g, n, context.maxFoldBytes)) continue;
    foldNode(g, n, *context.evaluator);
    folded[i] = true;
  }
  std::vector<ir::Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!folded[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
  g.removeDeadCode();
}

}  // namespace kiln::passes
