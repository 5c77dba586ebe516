#include "passes/fuse_attention.h"

#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "ir/shape_rules.h"
#include "ir/tensor_data.h"
#include "passes/pattern_match.h"

namespace kiln::passes {

namespace {

using ir::Dim;
using ir::OpKind;
using ir::ValueId;

struct Attention {
  ValueId q = ir::kNoValue, kt = ir::kNoValue, v = ir::kNoValue, mask = ir::kNoValue;
  double scale = 1.0;
  bool causal = false;
};

bool isF32Rank4(const PatternGraph& p, ValueId v) {
  const ir::TensorType& t = p.graph().type(v);
  return t.dtype == DType::F32 && t.rankKnown && t.shape.size() == 4;
}

// A dim that names one size: static or symbolic (unknown dims may differ).
bool definite(const Dim& d) { return d.isStatic() || !d.symbol.empty(); }

// {x, factor} when v = Mul(x, c), Mul(c, x) or Div(x, c) with c a one-element
// nonzero float constant and v of x's type (the product reads v's factor once).
std::optional<std::pair<ValueId, double>> scaled(const PatternGraph& p, ValueId v) {
  auto factor = [&](ValueId c) -> std::optional<double> {
    const ir::Value& value = p.graph().value(c);
    if (!value.isConstant() || value.constant->numElements() != 1) return std::nullopt;
    std::optional<double> s = p.scalar(c);
    if (!s || *s == 0 || !std::isfinite(*s)) return std::nullopt;
    return s;
  };
  const ir::TensorType& type = p.graph().type(v);
  if (const ir::Node* m = p.def(v, OpKind::Mul))
    for (size_t k = 0; k < 2; ++k)
      if (std::optional<double> c = factor(m->inputs[k]); c && p.graph().type(m->inputs[1 - k]) == type)
        return std::pair{m->inputs[1 - k], *c};
  if (const ir::Node* d = p.def(v, OpKind::Div))
    if (std::optional<double> c = factor(d->inputs[1]); c && p.graph().type(d->inputs[0]) == type)
      return std::pair{d->inputs[0], 1.0 / *c};
  return std::nullopt;
}

// Peels an optional scale read only by its consumer off operand v.
ValueId peelScale(const PatternGraph& p, ValueId v, double& scale) {
  if (!p.singleUse(v)) return v;
  auto s = scaled(p, v);
  if (!s) return v;
  scale *= s->second;
  return s->first;
}

// The scores v = [scale *] MatMul([c *] Q, [c *] KT), v read once.
std::optional<Attention> matchScores(const PatternGraph& p, ValueId v) {
  if (!p.singleUse(v)) return std::nullopt;
  Attention a;
  ValueId product = v;
  if (auto s = scaled(p, v)) {
    product = s->first;
    a.scale = s->second;
    if (!p.singleUse(product)) return std::nullopt;
  }
  const ir::Node* mm = p.def(product, OpKind::MatMul);
  if (!mm) return std::nullopt;
  a.q = peelScale(p, mm->inputs[0], a.scale);
  a.kt = peelScale(p, mm->inputs[1], a.scale);
  return a;
}

// Whether constant mask m is exactly ONNX's upper-left causal mask for
// scores [.., sq, skv]: 0 where j <= i, -inf where j > i, leading dims 1.
bool isCausalMask(const PatternGraph& p, ValueId m, const ir::TensorType& scores) {
  const ir::Value& value = p.graph().value(m);
  if (!value.isConstant() || !scores.isStatic()) return false;
  const ir::TensorData& d = *value.constant;
  int64_t sq = scores.shape[2].value, skv = scores.shape[3].value;
  if (d.shape.size() < 2 || d.shape[d.shape.size() - 2] != sq || d.shape.back() != skv) return false;
  for (size_t k = 0; k + 2 < d.shape.size(); ++k)
    if (d.shape[k] != 1) return false;
  const double minusInf = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < skv; ++j)
      if (d.floatAt(i * skv + j) != (j > i ? minusInf : 0.0)) return false;
  return true;
}

// Y = MatMul(Softmax(scores [+ mask]), V) at node `root`.
std::optional<Attention> matchAttention(const PatternGraph& p, const ir::Node& root) {
  if (root.op != OpKind::MatMul || root.outputs.size() != 1) return std::nullopt;
  ValueId probs = root.inputs[0];
  const ir::Node* softmax = p.def(probs, OpKind::Softmax);
  if (!softmax || !p.singleUse(probs) || !isF32Rank4(p, probs)) return std::nullopt;
  int64_t axis = softmax->attrs.getInt("axis", -1);
  if (axis != -1 && axis != 3) return std::nullopt;
  ValueId scores = softmax->inputs[0];
  const ir::TensorType& scoresType = p.graph().type(scores);

  std::optional<Attention> a;
  if (const ir::Node* add = p.def(scores, OpKind::Add); add && p.singleUse(scores)) {
    for (size_t k = 0; k < 2 && !a; ++k) {
      ValueId mask = add->inputs[1 - k];
      const ir::TensorType& maskType = p.graph().type(mask);
      if (p.graph().type(add->inputs[k]) != scoresType || !maskType.rankKnown || maskType.shape.size() > 4) continue;
      if ((a = matchScores(p, add->inputs[k]))) {
        if (isCausalMask(p, mask, scoresType))
          a->causal = true;
        else
          a->mask = mask;
      }
    }
  }
  if (!a) a = matchScores(p, scores);
  if (!a) return std::nullopt;
  a->v = root.inputs[1];

  // Attention's shapes: Q [B, H, Sq, D], KT [B, Hk, D, Skv], V [B, Hk, Skv, Dv], Hk = H or 1.
  if (!isF32Rank4(p, a->q) || !isF32Rank4(p, a->kt) || !isF32Rank4(p, a->v) || !isF32Rank4(p, root.outputs[0]))
    return std::nullopt;
  const ir::Shape& q = p.graph().type(a->q).shape;
  const ir::Shape& kt = p.graph().type(a->kt).shape;
  const ir::Shape& v = p.graph().type(a->v).shape;
  if (!definite(q[0]) || !definite(q[1]) || !definite(kt[1])) return std::nullopt;
  if (kt[0] != q[0] || v[0] != q[0] || v[1] != kt[1]) return std::nullopt;
  if (kt[1] != q[1] && kt[1] != Dim::known(1)) return std::nullopt;
  return a;
}

// A fresh value name derived from `base`.
std::string freshName(const ir::Graph& g, const std::string& base) {
  std::string name = base;
  for (int k = 1; g.findValue(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

// K [B, Hk, Skv, D] from KT [B, Hk, D, Skv]: X when KT = Transpose(X, p) and
// the composed permutation is the identity, else a Transpose inserted at
// node index `at` (of X with the composed permutation, or of KT).
ValueId keysFor(ir::Graph& g, const PatternGraph& p, ValueId kt, size_t at) {
  std::vector<int64_t> perm = {0, 1, 3, 2};
  ValueId source = kt;
  if (const ir::Node* t = p.def(kt, OpKind::Transpose)) {
    std::vector<int64_t> inner = t->attrs.getInts("perm", {3, 2, 1, 0});
    if (inner.size() == 4) {
      for (int64_t& d : perm) d = inner[static_cast<size_t>(d)];
      source = t->inputs[0];
    }
  }
  if (perm == std::vector<int64_t>{0, 1, 2, 3}) return source;
  const ir::Node& root = g.nodes[at];
  ValueId k = g.addValue(freshName(g, g.value(root.outputs[0]).name + "_key"), {});
  ir::Node n{OpKind::Transpose, root.name.empty() ? std::string() : root.name + "_key", {source}, {k}, {}, 0};
  n.attrs.set("perm", perm);
  g.nodes.insert(g.nodes.begin() + static_cast<std::ptrdiff_t>(at), std::move(n));
  ir::inferNodeShapes(g, g.nodes[at]);
  return k;
}

}  // namespace

void fuseAttention(ir::Graph& graph) {
  auto p = std::make_unique<PatternGraph>(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    std::optional<Attention> a = matchAttention(*p, graph.nodes[i]);
    if (!a) continue;
    size_t before = graph.nodes.size();
    ValueId k = keysFor(graph, *p, a->kt, i);
    i += graph.nodes.size() - before;  // the root moved past an inserted Transpose
    p = std::make_unique<PatternGraph>(graph);
    std::vector<ValueId> inputs{a->q, k, a->v};
    if (a->mask != ir::kNoValue) inputs.push_back(a->mask);
    ir::Attributes attrs;
    attrs.set("scale", static_cast<float>(a->scale));
    if (a->causal) attrs.set("is_causal", int64_t{1});
    p->replace(i, OpKind::Attention, std::move(inputs), std::move(attrs));
  }
  graph.removeDeadCode();
}

}  // namespace kiln::passes
