#include "passes/fuse_rmsnorm.h"

#include <optional>

#include "passes/norm_patterns.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

// The normalization x / sqrt(mean(x^2) + eps) computing v.
std::optional<NormCore> rmsNormCore(const PatternGraph& p, ValueId v) {
  auto q = quotient(p, v);
  if (!q) return std::nullopt;
  auto [x, denominator] = *q;
  auto rms = rootMeanSquare(p, denominator);
  if (!rms || !isFloatTensor(p.graph().type(x))) return std::nullopt;
  const ir::Node* ms = rms->first;
  if (squareReads(p, ms->inputs[0], x) == 0) return std::nullopt;
  std::optional<int64_t> axis = trailingReductionAxis(p, *ms);
  if (!axis) return std::nullopt;
  return NormCore{x, *axis, rms->second};
}

}  // namespace

void fuseRmsNorm(ir::Graph& graph) {
  rewriteAll(graph, [](PatternGraph& p, size_t i) { replaceNormalization(p, i, OpKind::RMSNormalization, false, rmsNormCore); }, true);
}

}  // namespace kiln::passes
