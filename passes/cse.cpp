#include "passes/cse.h"

#include <array>
#include <string_view>
#include <unordered_map>

#include "passes/value_forwarding.h"

namespace kiln::passes {

namespace {

using ir::ValueId;

void hashCombine(size_t& h, size_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); }

// Ops whose every evaluation draws fresh random numbers (ONNX's generator
// ops; listed by name so an op added to ir/ops.def later is covered).
bool isRandom(ir::OpKind op) {
  static constexpr std::array<std::string_view, 6> kRandom = {
      "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial"};
  for (std::string_view name : kRandom)
    if (ir::opName(op) == name) return true;
  return false;
}

bool sameConstant(const ir::TensorData& a, const ir::TensorData& b) {
  return a.dtype == b.dtype && a.shape == b.shape && a.bytes == b.bytes && a.strings == b.strings;
}

size_t constantHash(const ir::TensorData& t) {
  size_t h = std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size()));
  hashCombine(h, static_cast<size_t>(t.dtype));
  for (int64_t d : t.shape) hashCombine(h, static_cast<size_t>(d));
  for (const std::string& s : t.strings) hashCombine(h, std::hash<std::string>{}(s));
  return h;
}

// Merges equal constants: each use of a later copy reads the first.
void mergeConstants(ir::Graph& g, ValueForwarding& fwd) {
  std::vector<bool> isInput(g.values.size(), false);
  for (ValueId v : g.inputs) isInput[static_cast<size_t>(v)] = true;
  std::unordered_multimap<size_t, ValueId> seen;
  for (size_t i = 0; i < g.values.size(); ++i) {
    const ir::Value& v = g.values[i];
    if (!v.isConstant() || !v.isTensor() || isInput[i]) continue;
    auto id = static_cast<ValueId>(i);
    size_t h = constantHash(*v.constant);
    bool merged = false;
    for (auto [it, end] = seen.equal_range(h); it != end && !merged; ++it) {
      const ir::Value& first = g.value(it->second);
      if ((first.constant == v.constant || sameConstant(*first.constant, *v.constant)) &&
          fwd.canForward(id, it->second)) {
        fwd.forward(id, it->second);
        merged = true;
      }
    }
    if (!merged) seen.emplace(h, id);
  }
}

size_t nodeHash(const ir::Node& n) {
  size_t h = static_cast<size_t>(n.op);
  for (ValueId v : n.inputs) hashCombine(h, static_cast<size_t>(v + 1));
  hashCombine(h, static_cast<size_t>(n.numCaptures));
  hashCombine(h, n.outputs.size());
  for (const auto& [name, a] : n.attrs.all()) {
    hashCombine(h, std::hash<std::string>{}(name));
    hashCombine(h, a.index());
  }
  return h;
}

bool sameComputation(const ir::Graph& g, const ir::Node& a, const ir::Node& b) {
  if (a.op != b.op || a.inputs != b.inputs || a.numCaptures != b.numCaptures ||
      a.outputs.size() != b.outputs.size() || !(a.attrs == b.attrs))
    return false;
  for (size_t k = 0; k < a.outputs.size(); ++k) {
    const ir::Value &x = g.value(a.outputs[k]), &y = g.value(b.outputs[k]);
    if (!(x.type == y.type) || x.containers != y.containers) return false;
  }
  return true;
}

}  // namespace

void eliminateCommonSubexpressions(ir::Graph& g) {
  ValueForwarding fwd(g);
  mergeConstants(g, fwd);
  std::vector<int> uses = g.useCounts();
  std::unordered_multimap<size_t, size_t> seen;  // hash -> node index
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ir::Node& n = g.nodes[i];
    fwd.resolveInputs(n);
    if (n.outputs.empty() || isRandom(n.op)) continue;
    bool used = false;
    for (ValueId o : n.outputs) used = used || uses[static_cast<size_t>(o)] > 0;
    if (!used) continue;
    size_t h = nodeHash(n);
    bool merged = false;
    for (auto [it, end] = seen.equal_range(h); it != end && !merged; ++it) {
      const ir::Node& first = g.nodes[it->second];
      if (!sameComputation(g, first, n)) continue;
      bool ok = true;
      for (size_t k = 0; k < n.outputs.size(); ++k) ok = ok && fwd.canForward(n.outputs[k], first.outputs[k]);
      if (!ok) continue;
      for (size_t k = 0; k < n.outputs.size(); ++k) fwd.forward(n.outputs[k], first.outputs[k]);
      merged = true;
    }
    if (!merged) seen.emplace(h, i);
  }
  fwd.finish();
  g.removeDeadCode();
}

}  // namespace kiln::passes
