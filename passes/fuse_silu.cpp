#include "passes/fuse_silu.h"

#include "passes/pattern_match.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

// The alpha of Sigmoid's argument z when z = x (1) or z = alpha * x read only by the Sigmoid.
std::optional<double> swishAlpha(const PatternGraph& p, ValueId z, ValueId x) {
  if (z == x) return 1.0;
  const ir::Node* m = p.def(z, OpKind::Mul);
  if (!m || !p.singleUse(z)) return std::nullopt;
  for (size_t k = 0; k < 2; ++k)
    if (m->inputs[1 - k] == x)
      if (std::optional<double> a = p.scalar(m->inputs[k])) return a;
  return std::nullopt;
}

bool matchSwish(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  if (root.op != OpKind::Mul || root.inputs.size() != 2) return false;
  for (size_t k = 0; k < 2; ++k) {
    const ir::Node* sig = p.def(root.inputs[k], OpKind::Sigmoid);
    ValueId x = root.inputs[1 - k];
    if (!sig || !p.singleUse(root.inputs[k]) || !isFloatTensor(p.graph().type(x))) continue;
    std::optional<double> alpha = swishAlpha(p, sig->inputs[0], x);
    if (!alpha) continue;
    ir::Attributes a;
    if (*alpha != 1.0) a.set("alpha", static_cast<float>(*alpha));
    return p.replace(i, OpKind::Swish, {x}, std::move(a));
  }
  return false;
}

}  // namespace

void fuseSilu(ir::Graph& graph) {
  rewriteAll(graph, [](PatternGraph& p, size_t i) { matchSwish(p, i); });
}

}  // namespace kiln::passes
