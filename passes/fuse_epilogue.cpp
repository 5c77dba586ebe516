#include "passes/fuse_epilogue.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "ir/epilogue.h"

namespace kiln::passes {

namespace {

using ir::ValueId;

// Whether `operand` broadcasts to `out` (numpy rules) leaving it unchanged.
bool broadcastsInto(const ir::TensorType& operand, const ir::TensorType& out) {
  if (!operand.isStatic() || !out.isStatic()) return false;
  std::vector<int64_t> o = operand.staticShape(), y = out.staticShape();
  if (o.size() > y.size()) return false;
  for (size_t i = 1; i <= o.size(); ++i) {
    int64_t d = o[o.size() - i];
    if (d != 1 && d != y[y.size() - i]) return false;
  }
  return true;
}

// Whether `operand` is a vector [C] of `out`'s channels (axis 1).
bool isChannelVector(const ir::TensorType& operand, const ir::TensorType& out) {
  return operand.isStatic() && out.isStatic() && out.shape.size() >= 2 && operand.shape.size() == 1 &&
         operand.shape[0].value == out.shape[1].value;
}

// Absorbed nodes (in node order) and the value the fused node computes.
struct Chain {
  std::vector<size_t> nodes;
  ValueId result = ir::kNoValue;
};

class Fuser {
 public:
  Fuser(ir::Graph& g, bool contractions) : contractions_(contractions), g_(g), users_(g.values.size()), isOutput_(g.values.size(), false),
                                 claimed_(g.nodes.size(), false) {
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (ValueId v : g.nodes[i].inputs)
        if (v != ir::kNoValue && (users_[v].empty() || users_[v].back() != i)) users_[v].push_back(i);
    for (ValueId v : g.outputs) isOutput_[v] = true;
  }

  void run() {
    std::vector<std::optional<ir::Node>> fused(g_.nodes.size());
    std::vector<bool> drop(g_.nodes.size(), false);
    // One kind of producer per pass: contractions (their epilogue runs on
    // registers they computed anyway), or, in a later pass, elementwise ops
    // whose chains no contraction took.
    for (size_t p = 0; p < g_.nodes.size(); ++p) {
      if (claimed_[p] || ir::isContraction(g_.nodes[p].op) != contractions_ || !isProducer(g_.nodes[p]))
        continue;
      Chain c = grow(p);
      if (c.nodes.empty()) continue;
      claimed_[p] = drop[p] = true;
      for (size_t j : c.nodes) claimed_[j] = drop[j] = true;
      fused[c.nodes.back()] = fuse(p, c);
    }
    std::vector<ir::Node> nodes;
    nodes.reserve(g_.nodes.size());
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (fused[i]) nodes.push_back(std::move(*fused[i]));
      else if (!drop[i]) nodes.push_back(std::move(g_.nodes[i]));
    }
    g_.nodes = std::move(nodes);
    g_.removeDeadCode();
  }

 private:
  bool isProducer(const ir::Node& n) const {
    if (!ir::acceptsEpilogue(n.op) || n.outputs.size() != 1 || n.numCaptures != 0 ||
        n.attrs.has(ir::kEpilogueAttr) || n.inputs.size() > static_cast<size_t>(ir::opInfo(n.op).maxInputs))
      return false;
    const ir::Value& out = g_.value(n.outputs[0]);
    return out.isTensor() && out.type.dtype == DType::F32 && out.type.isStatic() && !isOutput_[n.outputs[0]];
  }

  int64_t lastUser(ValueId v) const {
    return users_[v].empty() ? -1 : static_cast<int64_t>(users_[v].back());
  }

  // Whether node n may join a chain whose values are marked in inChain and
  // whose tensors have type `type`.
  bool canJoin(const ir::Node& n, const std::vector<bool>& inChain, const ir::TensorType& type) const {
    if (!ir::isEpilogueOp(n) || n.outputs.size() != 1 || n.numCaptures != 0) return false;
    const ir::Value& out = g_.value(n.outputs[0]);
    if (!out.isTensor() || !(out.type == type)) return false;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ValueId v = n.inputs[k];
      if (v == ir::kNoValue) continue;
      if (inChain[v]) {
        if (ir::isChannelOperand(n.op, k)) return false;
        continue;
      }
      const ir::Value& operand = g_.value(v);
      if (!operand.isTensor() || operand.type.dtype != type.dtype) return false;
      bool fits = ir::isChannelOperand(n.op, k) ? isChannelVector(operand.type, type)
                                                : broadcastsInto(operand.type, type);
      if (!fits) return false;
    }
    return true;
  }

  Chain grow(size_t producer) {
    ValueId v0 = g_.nodes[producer].outputs[0];
    const ir::TensorType& type = g_.type(v0);
    std::vector<bool> inChain(g_.values.size(), false), tainted(g_.values.size(), false);
    std::vector<bool> member(g_.nodes.size(), false);
    std::vector<ValueId> values{v0};
    inChain[v0] = true;
    int64_t last = lastUser(v0);
    Chain seq, best;
    for (size_t j = producer + 1; j < g_.nodes.size() && static_cast<int64_t>(j) <= last; ++j) {
      const ir::Node& n = g_.nodes[j];
      bool usesChain = false, usesTainted = false;
      for (ValueId v : n.inputs) {
        if (v == ir::kNoValue) continue;
        usesChain = usesChain || inChain[v];
        usesTainted = usesTainted || tainted[v];
      }
      if (!usesChain && !usesTainted) continue;
      // A node reading the chain that stays outside makes what it computes
      // depend on the chain: no absorbed op may read that.
      bool join = usesChain && !usesTainted && !claimed_[j] && canJoin(n, inChain, type);
      for (ValueId o : n.outputs) (join ? inChain : tainted)[o] = true;
      if (!join) continue;
      ValueId out = n.outputs[0];
      values.push_back(out);
      last = std::max(last, lastUser(out));
      member[j] = true;
      seq.nodes.push_back(j);
      if (escapingValue(values, member) == out) best = Chain{seq.nodes, out};
    }
    return best;
  }

  // The one chain value read outside the chain (or a graph output), or
  // kNoValue when there are none or several.
  ValueId escapingValue(const std::vector<ValueId>& values, const std::vector<bool>& member) const {
    ValueId escaping = ir::kNoValue;
    for (ValueId v : values) {
      bool escapes = isOutput_[v];
      for (size_t u : users_[v]) escapes = escapes || !member[u];
      if (!escapes) continue;
      if (escaping != ir::kNoValue) return ir::kNoValue;
      escaping = v;
    }
    return escaping;
  }

  ir::Node fuse(size_t producer, const Chain& c) {
    const ir::Node& prod = g_.nodes[producer];
    auto sub = std::make_shared<ir::Graph>();
    sub->name = ir::kEpilogueAttr;
    std::map<ValueId, ValueId> local;  // outer value -> subgraph value
    ValueId v0 = prod.outputs[0];
    local[v0] = sub->addValue(g_.value(v0).name, g_.type(v0));
    sub->inputs.push_back(local[v0]);
    std::vector<ValueId> captures;
    auto operand = [&](ValueId v) {
      if (v == ir::kNoValue) return ir::kNoValue;
      if (auto it = local.find(v); it != local.end()) return it->second;
      const ir::Value& val = g_.value(v);
      ValueId s;
      if (val.isConstant() && val.constant->numElements() == 1) {
        s = sub->addConstant(val.name, val.constant);
      } else {
        s = sub->addValue(val.name, val.type);
        sub->inputs.push_back(s);
        captures.push_back(v);
      }
      local[v] = s;
      return s;
    };
    for (size_t j : c.nodes) {
      const ir::Node& n = g_.nodes[j];
      ir::Node copy;
      copy.op = n.op;
      copy.name = n.name;
      copy.attrs = n.attrs;
      for (ValueId v : n.inputs) copy.inputs.push_back(operand(v));
      ValueId out = n.outputs[0];
      local[out] = sub->addValue(g_.value(out).name, g_.type(out));
      copy.outputs = {local[out]};
      sub->nodes.push_back(std::move(copy));
    }
    sub->outputs = {local.at(c.result)};

    ir::Node f;
    f.op = prod.op;
    f.name = prod.name;
    f.attrs = prod.attrs;
    f.attrs.set(ir::kEpilogueAttr, ir::GraphPtr(std::move(sub)));
    f.inputs = prod.inputs;
    f.inputs.resize(static_cast<size_t>(ir::opInfo(prod.op).maxInputs), ir::kNoValue);
    f.inputs.insert(f.inputs.end(), captures.begin(), captures.end());
    f.numCaptures = static_cast<int>(captures.size());
    f.outputs = {c.result};
    return f;
  }

  bool contractions_;  // producers are contractions (else elementwise ops)
  ir::Graph& g_;
  std::vector<std::vector<size_t>> users_;  // per value: the nodes reading it, in order, once each
  std::vector<bool> isOutput_;              // per value
  std::vector<bool> claimed_;               // per node: in a fused chain (as producer or absorbed)
};

}  // namespace

void fuseEpilogues(ir::Graph& graph) { Fuser(graph, /*contractions=*/true).run(); }

void fuseElementwise(ir::Graph& graph) { Fuser(graph, /*contractions=*/false).run(); }

}  // namespace kiln::passes
