#include "passes/fuse_hardswish.h"

#include <optional>

#include "passes/pattern_match.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

constexpr double kSixth = 1.0 / 6.0;

// x when v = Clip(x + 3, 0, 6) and the sum is read only by the Clip.
std::optional<ValueId> clipOfXPlus3(const PatternGraph& p, ValueId v) {
  const ir::Node* clip = p.def(v, OpKind::Clip);
  if (!clip || clip->inputs.size() != 3 || !p.isConstant(clip->inputs[1], 0.0) ||
      !p.isConstant(clip->inputs[2], 6.0))
    return std::nullopt;
  const ir::Node* add = p.def(clip->inputs[0], OpKind::Add);
  if (!add || !p.singleUse(add->outputs[0])) return std::nullopt;
  return p.operandBeside(*add, 3.0, true);
}

// x when v = x / 6 or x * (1/6).
std::optional<ValueId> sixthOf(const PatternGraph& p, ValueId v) {
  if (const ir::Node* d = p.def(v, OpKind::Div)) return p.operandBeside(*d, 6.0, false);
  if (const ir::Node* m = p.def(v, OpKind::Mul)) return p.operandBeside(*m, kSixth, true);
  return std::nullopt;
}

// {x, alpha} when v = x * alpha or x / c (alpha = 1/c) with alpha a constant.
std::optional<std::pair<ValueId, double>> scaled(const PatternGraph& p, ValueId v) {
  if (const ir::Node* d = p.def(v, OpKind::Div)) {
    std::optional<double> c = p.scalar(d->inputs[1]);
    if (c && *c != 0.0 && !p.scalar(d->inputs[0])) return std::pair{d->inputs[0], 1.0 / *c};
  }
  if (const ir::Node* m = p.def(v, OpKind::Mul))
    for (size_t k = 0; k < 2; ++k) {
      std::optional<double> a = p.scalar(m->inputs[k]);
      if (a && !p.scalar(m->inputs[1 - k])) return std::pair{m->inputs[1 - k], *a};
    }
  return std::nullopt;
}

ir::Attributes hardSigmoidAttrs(double alpha, double beta) {
  ir::Attributes a;
  a.set("alpha", static_cast<float>(alpha));
  a.set("beta", static_cast<float>(beta));
  return a;
}

bool isFloatValue(const PatternGraph& p, ValueId v) { return isFloatTensor(p.graph().type(v)); }

// Clip(x + 3, 0, 6) / 6 and Clip(x + 3, 0, 6) * (1/6).
bool matchHardSigmoidSixth(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  std::optional<ValueId> clip = sixthOf(p, root.outputs[0]);
  if (!clip || !p.singleUse(*clip)) return false;
  std::optional<ValueId> x = clipOfXPlus3(p, *clip);
  if (!x || !isFloatValue(p, *x)) return false;
  return p.replace(i, OpKind::HardSigmoid, {*x}, hardSigmoidAttrs(kSixth, 0.5));
}

// Clip(x * alpha + beta, 0, 1), the sum's operands in either order.
bool matchHardSigmoidAffine(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  if (root.op != OpKind::Clip || root.inputs.size() != 3 || !p.isConstant(root.inputs[1], 0.0) ||
      !p.isConstant(root.inputs[2], 1.0))
    return false;
  const ir::Node* add = p.def(root.inputs[0], OpKind::Add);
  if (!add || !p.singleUse(add->outputs[0])) return false;
  for (size_t k = 0; k < 2; ++k) {
    std::optional<double> beta = p.scalar(add->inputs[k]);
    ValueId u = add->inputs[1 - k];
    if (!beta || !p.singleUse(u)) continue;
    auto xa = scaled(p, u);
    if (!xa || !isFloatValue(p, xa->first)) continue;
    return p.replace(i, OpKind::HardSigmoid, {xa->first}, hardSigmoidAttrs(xa->second, *beta));
  }
  return false;
}

// x * HardSigmoid(x) with alpha 1/6, beta 0.5, either order.
bool matchTimesHardSigmoid(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  if (root.op != OpKind::Mul || root.inputs.size() != 2) return false;
  for (size_t k = 0; k < 2; ++k) {
    const ir::Node* hs = p.def(root.inputs[k], OpKind::HardSigmoid);
    ValueId x = root.inputs[1 - k];
    if (!hs || hs->inputs[0] != x || !p.singleUse(hs->outputs[0]) || !isFloatValue(p, x)) continue;
    if (!nearlyEqual(hs->attrs.getFloat("alpha", 0.2f), kSixth) || !nearlyEqual(hs->attrs.getFloat("beta", 0.5f), 0.5))
      continue;
    return p.replace(i, OpKind::HardSwish, {x});
  }
  return false;
}

// (x * Clip(x + 3, 0, 6)) / 6 or * (1/6).
bool matchProductSixth(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  std::optional<ValueId> prod = sixthOf(p, root.outputs[0]);
  if (!prod || !p.singleUse(*prod)) return false;
  const ir::Node* mul = p.def(*prod, OpKind::Mul);
  if (!mul) return false;
  for (size_t k = 0; k < 2; ++k) {
    ValueId x = mul->inputs[1 - k], clip = mul->inputs[k];
    if (!p.singleUse(clip) || clipOfXPlus3(p, clip) != x || !isFloatValue(p, x)) continue;
    return p.replace(i, OpKind::HardSwish, {x});
  }
  return false;
}

// (x / 6) * Clip(x + 3, 0, 6), either order.
bool matchSixthTimesClip(PatternGraph& p, size_t i) {
  const ir::Node& root = p.graph().nodes[i];
  if (root.op != OpKind::Mul || root.inputs.size() != 2) return false;
  for (size_t k = 0; k < 2; ++k) {
    ValueId scaledX = root.inputs[k], clip = root.inputs[1 - k];
    if (!p.singleUse(scaledX) || !p.singleUse(clip)) continue;
    std::optional<ValueId> x = sixthOf(p, scaledX);
    if (!x || clipOfXPlus3(p, clip) != *x || !isFloatValue(p, *x)) continue;
    return p.replace(i, OpKind::HardSwish, {*x});
  }
  return false;
}

}  // namespace

void fuseHardSwish(ir::Graph& graph) {
  rewriteAll(graph, [](PatternGraph& p, size_t i) {
    matchHardSigmoidSixth(p, i) || matchHardSigmoidAffine(p, i) || matchTimesHardSigmoid(p, i) ||
        matchProductSixth(p, i) || matchSixthTimesClip(p, i);
  });
}

}  // namespace kiln::passes
