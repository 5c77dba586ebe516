#include "passes/norm_patterns.h"

#include "ir/tensor_data.h"

namespace kiln::passes {

// {numerator, denominator} when v = a / b or a * Reciprocal(b) (either order),
// the Reciprocal read only by the product.
std::optional<std::pair<ir::ValueId, ir::ValueId>> quotient(const PatternGraph& p, ir::ValueId v) {
  if (const ir::Node* d = p.def(v, ir::OpKind::Div)) return std::pair{d->inputs[0], d->inputs[1]};
  if (const ir::Node* m = p.def(v, ir::OpKind::Mul))
    for (size_t k = 0; k < 2; ++k)
      if (const ir::Node* r = p.def(m->inputs[k], ir::OpKind::Reciprocal); r && p.singleUse(m->inputs[k]))
        return std::pair{m->inputs[1 - k], r->inputs[0]};
  return std::nullopt;
}

// {mean-square node, epsilon} when v = Sqrt(Add(ms, eps)) (sum either order)
// with the Add and the mean square read once.
std::optional<std::pair<const ir::Node*, double>> rootMeanSquare(const PatternGraph& p, ir::ValueId v) {
  const ir::Node* sqrt = p.def(v, ir::OpKind::Sqrt);
  if (!sqrt || !p.singleUse(v) || !p.singleUse(sqrt->inputs[0])) return std::nullopt;
  const ir::Node* add = p.def(sqrt->inputs[0], ir::OpKind::Add);
  if (!add) return std::nullopt;
  for (size_t k = 0; k < 2; ++k) {
    std::optional<double> eps = p.scalar(add->inputs[k]);
    const ir::Node* ms = p.def(add->inputs[1 - k], ir::OpKind::ReduceMean);
    if (eps && ms && p.singleUse(add->inputs[1 - k])) return std::pair{ms, *eps};
  }
  return std::nullopt;
}

// The number of times v = Pow(d, 2) or Mul(d, d) reads d (read once itself), else 0.
int squareReads(const PatternGraph& p, ir::ValueId v, ir::ValueId d) {
  if (!p.singleUse(v)) return 0;
  if (const ir::Node* pw = p.def(v, ir::OpKind::Pow); pw && pw->inputs[0] == d && p.isConstant(pw->inputs[1], 2.0))
    return 1;
  if (const ir::Node* m = p.def(v, ir::OpKind::Mul); m && m->inputs[0] == d && m->inputs[1] == d) return 2;
  return 0;
}

std::optional<int64_t> trailingReductionAxis(const PatternGraph& p, const ir::Node& reduce) {
  const ir::TensorType& in = p.graph().type(reduce.inputs[0]);
  if (!in.rankKnown || in.shape.empty() || reduce.attrs.getInt("keepdims", 1) != 1) return std::nullopt;
  auto rank = static_cast<int64_t>(in.shape.size());
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  if (reduce.hasInput(1)) {
    const ir::Value& axes = p.graph().value(reduce.inputs[1]);
    if (!axes.isConstant()) return std::nullopt;
    std::vector<int64_t> list = axes.constant->toInts();
    if (list.empty() && reduce.attrs.getInt("noop_with_empty_axes", 0) != 0) return std::nullopt;
    if (list.empty()) reduced.assign(reduced.size(), true);
    for (int64_t a : list) {
      if (a < -rank || a >= rank) return std::nullopt;
      reduced[static_cast<size_t>(a < 0 ? a + rank : a)] = true;
    }
  } else {
    if (reduce.attrs.getInt("noop_with_empty_axes", 0) != 0) return std::nullopt;
    reduced.assign(reduced.size(), true);
  }
  int64_t k = rank;
  while (k > 0 && reduced[static_cast<size_t>(k - 1)]) --k;
  for (int64_t d = 0; d < k; ++d)
    if (reduced[static_cast<size_t>(d)]) return std::nullopt;  // not a trailing set
  if (k == rank) return std::nullopt;
  return k;
}

std::vector<AffineTail> affineTails(const PatternGraph& p, ir::ValueId root, bool withBeta) {
  std::vector<AffineTail> out;
  auto products = [&](ir::ValueId v, ir::ValueId beta) {
    if (const ir::Node* m = p.def(v, ir::OpKind::Mul))
      for (size_t k = 0; k < 2; ++k) out.push_back({m->inputs[k], m->inputs[1 - k], beta});
  };
  if (withBeta)
    if (const ir::Node* a = p.def(root, ir::OpKind::Add))
      for (size_t k = 0; k < 2; ++k)
        if (p.singleUse(a->inputs[k])) products(a->inputs[k], a->inputs[1 - k]);
  products(root, ir::kNoValue);
  out.push_back({root});
  return out;
}

bool replaceNormalization(PatternGraph& p, size_t root, ir::OpKind op, bool withBeta, CoreMatcher matchCore) {
  ir::ValueId out = p.graph().nodes[root].outputs.at(0);
  for (const AffineTail& t : affineTails(p, out, withBeta)) {
    if (t.core != out && !p.singleUse(t.core)) continue;
    std::optional<NormCore> c = matchCore(p, t.core);
    if (!c) continue;
    ir::ValueId gamma = t.gamma;
    if (gamma == ir::kNoValue) {
      const ir::Value& x = p.graph().value(c->x);
      gamma = p.addConstant(x.name + "_unit_scale", ir::TensorData::filled(x.type.dtype, {1}, 1.0));
    }
    std::vector<ir::ValueId> inputs{c->x, gamma};
    if (t.beta != ir::kNoValue) inputs.push_back(t.beta);
    ir::Attributes a;
    a.set("axis", c->axis);
    a.set("epsilon", static_cast<float>(c->epsilon));
    if (p.replace(root, op, std::move(inputs), std::move(a))) return true;
  }
  return false;
}

}  // namespace kiln::passes
