#include "ir/verifier.h"

#include <limits>

#include <fmt/format.h>

#include "ir/epilogue.h"
#include "ir/error.h"

namespace kiln::ir {

namespace {

enum class Definer : uint8_t { None, Input, Constant, Node };

std::string valueLabel(const Graph& g, ValueId v) {
  const std::string& n = g.value(v).name;
  return n.empty() ? fmt::format("value #{}", v) : fmt::format("value '{}' (#{})", n, v);
}

std::string definerLabel(const Graph& g, Definer d, int node) {
  switch (d) {
    case Definer::Input: return "a graph input";
    case Definer::Constant: return "a constant";
    case Definer::Node: return g.describe(g.nodes[static_cast<size_t>(node)]);
    case Definer::None: break;
  }
  return "nothing";
}

// Checks that `data` holds exactly the elements its dtype and shape promise,
// and (when `type` is given) that they agree with the value's type.
void checkTensor(const TensorData& data, const TensorType* type, const std::string& what) {
  if (data.dtype == DType::Undefined) fail("{} has no element type", what);
  int64_t elements = 1;
  for (int64_t d : data.shape) {
    if (d < 0) fail("{} has a negative dimension {}", what, d);
    if (d != 0 && elements > std::numeric_limits<int64_t>::max() / d) fail("{} has too many elements", what);
    elements *= d;
  }
  if (type) {
    if (!type->isStatic() || type->dtype != data.dtype || type->staticShape() != data.shape)
      fail("{} holds {}[{}] data but its type is {}{}", what, dtypeName(data.dtype), fmt::join(data.shape, ","),
           dtypeName(type->dtype), type->isStatic() ? fmt::format("[{}]", fmt::join(type->staticShape(), ","))
                                                    : std::string(" with a non-static shape"));
  }
  if (data.dtype == DType::String) {
    if (static_cast<int64_t>(data.strings.size()) != elements || !data.bytes.empty())
      fail("{} has {} strings but its shape has {} elements", what, data.strings.size(), elements);
    return;
  }
  uint64_t want = static_cast<uint64_t>(elements) * dtypeSize(data.dtype);
  if (data.bytes.size() != want || !data.strings.empty())
    fail("{} has {} bytes but {}[{}] needs {}", what, data.bytes.size(), dtypeName(data.dtype),
         fmt::join(data.shape, ","), want);
}

}  // namespace

void verifyGraph(const Graph& g, bool allowBoundInputs) {
  const size_t n = g.values.size();
  auto inRange = [n](ValueId v) { return v >= 0 && static_cast<size_t>(v) < n; };
  std::vector<Definer> definer(n, Definer::None);
  std::vector<int> definingNode(n, -1);

  for (size_t i = 0; i < g.inputs.size(); ++i) {
    ValueId v = g.inputs[i];
    if (!inRange(v)) fail("graph input #{} has invalid value id {} ({} values)", i, v, n);
    if (definer[v] != Definer::None) fail("{} is listed twice as a graph input", valueLabel(g, v));
    if (g.value(v).isConstant() && !allowBoundInputs)
      fail("graph input {} is also a constant", valueLabel(g, v));
    definer[v] = Definer::Input;
  }
  for (size_t v = 0; v < n; ++v) {
    const Value& val = g.values[v];
    if (!val.isConstant()) continue;
    if (definer[v] == Definer::None) definer[v] = Definer::Constant;
    checkTensor(*val.constant, &val.type, fmt::format("constant {}", valueLabel(g, static_cast<ValueId>(v))));
  }

  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& node = g.nodes[i];
    int opIndex = static_cast<int>(node.op);
    if (opIndex < 0 || opIndex >= opCount()) fail("node #{} has invalid op kind {}", i, opIndex);
    const OpInfo& info = opInfo(node.op);
    std::string where = g.describe(node);
    int nIn = static_cast<int>(node.inputs.size()), nOut = static_cast<int>(node.outputs.size());
    if (node.numCaptures < 0 || node.numCaptures > nIn)
      fail("{}: has {} captures but only {} inputs", where, node.numCaptures, nIn);
    int nFormal = nIn - node.numCaptures;
    if (nFormal < info.minInputs || nFormal > info.maxInputs)
      fail("{}: takes {} to {} inputs, has {}", where, info.minInputs, info.maxInputs, nFormal);
    if (nOut < info.minOutputs || nOut > info.maxOutputs)
      fail("{}: produces {} to {} outputs, has {}", where, info.minOutputs, info.maxOutputs, nOut);
    for (int k = 0; k < nIn; ++k) {
      ValueId v = node.inputs[k];
      if (v == kNoValue) {
        if (k < info.minInputs) fail("{}: required input {} is absent", where, k);
        continue;
      }
      if (!inRange(v)) fail("{}: input {} has invalid value id {} ({} values)", where, k, v, n);
      if (definer[v] == Definer::None)
        fail("{}: input {} reads {} before it is defined", where, k, valueLabel(g, v));
    }
    for (int k = 0; k < nOut; ++k) {
      ValueId v = node.outputs[k];
      if (!inRange(v)) fail("{}: output {} has invalid value id {} ({} values)", where, k, v, n);
      if (definer[v] != Definer::None)
        fail("{}: output {} ({}) is already defined by {}", where, k, valueLabel(g, v),
             definerLabel(g, definer[v], definingNode[v]));
      definer[v] = Definer::Node;
      definingNode[v] = static_cast<int>(i);
    }
    for (const auto& [key, attr] : node.attrs.all()) {
      if (const auto* sub = std::get_if<GraphPtr>(&attr)) {
        // A subgraph takes its formal inputs, then the node's captures.
        if (!*sub) fail("{}: subgraph attribute '{}' is null", where, key);
        if ((*sub)->inputs.size() < static_cast<size_t>(node.numCaptures))
          fail("{}: subgraph '{}' has {} inputs, fewer than the node's {} captures", where, key,
               (*sub)->inputs.size(), node.numCaptures);
        try {
          verifyGraph(**sub);
        } catch (const Error& e) {
          fail("{}: subgraph '{}': {}", where, key, e.what());
        }
        continue;
      }
      const auto* t = std::get_if<TensorDataPtr>(&attr);
      if (!t) continue;
      std::string what = fmt::format("{}: tensor attribute '{}'", where, key);
      if (!*t) fail("{} is null", what);
      checkTensor(**t, nullptr, what);
    }
    verifyEpilogue(g, node);
  }

  for (size_t i = 0; i < g.outputs.size(); ++i) {
    ValueId v = g.outputs[i];
    if (!inRange(v)) fail("graph output #{} has invalid value id {} ({} values)", i, v, n);
    if (definer[v] == Definer::None) fail("graph output {} is never defined", valueLabel(g, v));
  }
}

}  // namespace kiln::ir
