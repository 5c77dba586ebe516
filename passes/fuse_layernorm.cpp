#include "passes/fuse_layernorm.h"

#include <optional>

#include "passes/norm_patterns.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

// The normalization (x - mean) / sqrt(var + eps) computing v.
std::optional<NormCore> layerNormCore(const PatternGraph& p, ValueId v) {
  auto q = quotient(p, v);
  if (!q) return std::nullopt;
  auto [d, denominator] = *q;
  auto rms = rootMeanSquare(p, denominator);
  const ir::Node* sub = p.def(d, OpKind::Sub);
  if (!rms || !sub) return std::nullopt;
  const ir::Node* var = rms->first;
  int reads = squareReads(p, var->inputs[0], d);
  if (reads == 0 || !p.usedExactly(d, reads + 1)) return std::nullopt;
  ValueId x = sub->inputs[0];
  const ir::Node* mean = p.def(sub->inputs[1], OpKind::ReduceMean);
  if (!mean || mean->inputs[0] != x || !p.singleUse(sub->inputs[1]) || !isFloatTensor(p.graph().type(x)))
    return std::nullopt;
  std::optional<int64_t> axis = trailingReductionAxis(p, *mean);
  if (!axis || trailingReductionAxis(p, *var) != axis) return std::nullopt;
  return NormCore{x, *axis, rms->second};
}

}  // namespace

void fuseLayerNorm(ir::Graph& graph) {
  rewriteAll(graph, [](PatternGraph& p, size_t i) { replaceNormalization(p, i, OpKind::LayerNormalization, true, layerNormCore); }, true);
}

}  // namespace kiln::passes
