#include "passes/canonicalize.h"

#include <algorithm>

#include "passes/value_forwarding.h"

namespace kiln::passes {

namespace {

using ir::OpKind;
using ir::ValueId;

// Whether constant `c` has every element equal to `neutral` (0 or 1).
bool allEqual(const ir::Value& c, double neutral) {
  if (!c.isConstant() || !c.isTensor()) return false;
  DType t = c.constant->dtype;
  if (!isFloat(t) && !isInteger(t)) return false;
  for (int64_t i = 0; i < c.constant->numElements(); ++i)
    if (c.constant->floatAt(i) != neutral) return false;
  return true;
}

// Whether `operand` broadcasts into `x` leaving x's shape as it is.
bool broadcastsInto(const ir::TensorType& operand, const ir::TensorType& x) {
  if (!operand.isStatic() || !x.rankKnown || operand.shape.size() > x.shape.size()) return false;
  for (size_t i = 1; i <= operand.shape.size(); ++i) {
    int64_t d = operand.shape[operand.shape.size() - i].value;
    const ir::Dim& xd = x.shape[x.shape.size() - i];
    if (d != 1 && !(xd.isStatic() && xd.value == d)) return false;
  }
  return true;
}

bool isReshapeLike(OpKind op) {
  return op == OpKind::Reshape || op == OpKind::Flatten || op == OpKind::Squeeze || op == OpKind::Unsqueeze;
}

// Constant axes of a Squeeze/Unsqueeze normalized into [0, rank), sorted;
// empty when absent, not constant or out of range.
std::vector<int64_t> normalizedAxes(const ir::Graph& g, const ir::Node& n, int64_t rank) {
  std::vector<int64_t> axes;
  if (!n.hasInput(1) || !g.value(n.inputs[1]).isConstant()) return axes;
  for (int64_t a : g.value(n.inputs[1]).constant->toInts()) {
    if (a < -rank || a >= rank) return {};
    axes.push_back(a < 0 ? a + rank : a);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

std::vector<int64_t> transposePerm(const ir::Node& n, size_t rank) {
  if (n.attrs.has("perm")) return n.attrs.getInts("perm");
  std::vector<int64_t> perm(rank);
  for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(rank - 1 - i);
  return perm;
}

class Canonicalizer {
 public:
  explicit Canonicalizer(ir::Graph& g) : g_(g), fwd_(g), producer_(g.producers()) {}

  void run() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      ir::Node& n = g_.nodes[i];
      fwd_.resolveInputs(n);
      if (n.outputs.size() != 1 || n.numCaptures != 0) continue;
      ValueId same = simplify(n);
      if (same != ir::kNoValue && fwd_.canForward(n.outputs[0], same)) fwd_.forward(n.outputs[0], same);
    }
    fwd_.finish();
    g_.removeDeadCode();
  }

 private:
  // The node producing v, or null (graph input, constant, value added here).
  const ir::Node* producerOf(ValueId v) const {
    if (v == ir::kNoValue || static_cast<size_t>(v) >= producer_.size() || producer_[v] < 0) return nullptr;
    return &g_.nodes[static_cast<size_t>(producer_[v])];
  }

  // A value equal to n's output, or kNoValue; may rewrite n in place.
  ValueId simplify(ir::Node& n) {
    switch (n.op) {
      case OpKind::Identity: return n.inputs[0];
      case OpKind::Cast:
        return n.attrs.getInt("to", 0) == static_cast<int64_t>(g_.type(n.inputs[0]).dtype) ? n.inputs[0]
                                                                                            : ir::kNoValue;
      case OpKind::CastLike:
        return g_.type(n.inputs[1]).dtype == g_.type(n.inputs[0]).dtype ? n.inputs[0] : ir::kNoValue;
      case OpKind::Add: return neutralOperand(n, 0.0, true);
      case OpKind::Sub: return neutralOperand(n, 0.0, false);
      case OpKind::Mul: return neutralOperand(n, 1.0, true);
      case OpKind::Div: return neutralOperand(n, 1.0, false);
      case OpKind::Transpose: return simplifyTranspose(n);
      case OpKind::Reshape:
      case OpKind::Flatten:
      case OpKind::Squeeze:
      case OpKind::Unsqueeze: return simplifyReshape(n);
      default: return ir::kNoValue;
    }
  }

  // x op c -> x (and c op x -> x when `commutes`) with c all `neutral`.
  ValueId neutralOperand(const ir::Node& n, double neutral, bool commutes) const {
    const ir::TensorType& out = g_.type(n.outputs[0]);
    for (size_t k = commutes ? 0 : 1; k < 2; ++k) {
      ValueId c = n.inputs[k], x = n.inputs[1 - k];
      if (allEqual(g_.value(c), neutral) && g_.type(x) == out && broadcastsInto(g_.type(c), g_.type(x)))
        return x;
    }
    return ir::kNoValue;
  }

  ValueId simplifyTranspose(ir::Node& n) {
    const ir::TensorType& x = g_.type(n.inputs[0]);
    if (!x.rankKnown) return ir::kNoValue;
    std::vector<int64_t> perm = transposePerm(n, x.shape.size());
    if (perm.size() != x.shape.size()) return ir::kNoValue;
    const ir::Node* p = producerOf(n.inputs[0]);
    if (p && p->op == OpKind::Transpose && g_.type(p->inputs[0]).rankKnown) {
      std::vector<int64_t> inner = transposePerm(*p, x.shape.size());
      if (inner.size() != perm.size()) return ir::kNoValue;
      std::vector<int64_t> composed;
      for (int64_t i : perm) {
        if (i < 0 || i >= static_cast<int64_t>(inner.size())) return ir::kNoValue;
        composed.push_back(inner[static_cast<size_t>(i)]);
      }
      n.inputs[0] = p->inputs[0];
      n.attrs.set("perm", composed);
      perm = composed;
    }
    for (size_t i = 0; i < perm.size(); ++i)
      if (perm[i] != static_cast<int64_t>(i)) return ir::kNoValue;
    return n.inputs[0];
  }

  ValueId simplifyReshape(ir::Node& n) {
    ValueId x = n.inputs[0];
    const ir::TensorType& out = g_.type(n.outputs[0]);
    const ir::Node* p = producerOf(x);
    bool chain = p && isReshapeLike(p->op) && p->outputs.size() == 1;
    if (chain && n.op == OpKind::Squeeze && p->op == OpKind::Unsqueeze && out.rankKnown) {
      // Squeeze(Unsqueeze(x, axes), axes): both axes index the Unsqueeze's output.
      auto rank = static_cast<int64_t>(g_.type(x).shape.size());
      std::vector<int64_t> a = normalizedAxes(g_, n, rank), b = normalizedAxes(g_, *p, rank);
      if (g_.type(x).rankKnown && !a.empty() && a == b) return p->inputs[0];
    }
    if (chain && n.op == OpKind::Reshape && g_.value(n.inputs[1]).isConstant()) {
      // Reshape reads only its input's element count (bar 0 entries, which copy its dims).
      std::vector<int64_t> dims = g_.value(n.inputs[1]).constant->toInts();
      if (n.attrs.getInt("allowzero", 0) != 0 || std::find(dims.begin(), dims.end(), 0) == dims.end()) {
        n.inputs[0] = p->inputs[0];
        return out.isStatic() && g_.type(n.inputs[0]) == out ? n.inputs[0] : ir::kNoValue;
      }
    }
    if (!out.isStatic()) return ir::kNoValue;
    ValueId source = chain ? p->inputs[0] : x;
    if (g_.type(source) == out && g_.value(source).isTensor()) return source;
    if (!chain) return ir::kNoValue;
    // One Reshape of the chain's source to the (static) result shape.
    std::vector<int64_t> dims = out.staticShape();
    ValueId shape = g_.addConstant(g_.value(n.outputs[0]).name + "_shape",
                                   ir::TensorData::fromInts(dims, {static_cast<int64_t>(dims.size())}));
    n.op = OpKind::Reshape;
    n.inputs = {source, shape};
    n.attrs = {};
    return ir::kNoValue;
  }

  ir::Graph& g_;
  ValueForwarding fwd_;
  std::vector<int> producer_;
};

}  // namespace

void canonicalize(ir::Graph& graph) { Canonicalizer(graph).run(); }

}  // namespace kiln::passes
