#include "ir/graph.h"

#include <fmt/format.h>

#include "ir/error.h"

namespace kiln::ir {

bool TensorType::isStatic() const {
  if (!rankKnown) return false;
  for (const Dim& d : shape)
    if (!d.isStatic()) return false;
  return true;
}

std::vector<int64_t> TensorType::staticShape() const {
  if (!isStatic()) fail("shape is not static");
  std::vector<int64_t> out;
  out.reserve(shape.size());
  for (const Dim& d : shape) out.push_back(d.value);
  return out;
}

int64_t TensorType::numElements() const {
  int64_t n = 1;
  for (int64_t d : staticShape()) n *= d;
  return n;
}

TensorType staticType(DType dtype, const std::vector<int64_t>& shape) {
  TensorType t;
  t.dtype = dtype;
  for (int64_t d : shape) t.shape.push_back(Dim::known(d));
  return t;
}

TensorType unknownRank(DType dtype) {
  TensorType t;
  t.dtype = dtype;
  t.rankKnown = false;
  return t;
}

namespace {
template <typename T>
const T* getAs(const std::map<std::string, Attribute>& m, const std::string& name,
               const char* typeName) {
  auto it = m.find(name);
  if (it == m.end()) return nullptr;
  const T* v = std::get_if<T>(&it->second);
  if (!v) fail("attribute '{}' is not of type {}", name, typeName);
  return v;
}
}  // namespace

int64_t Attributes::getInt(const std::string& name, int64_t def) const {
  const auto* v = getAs<int64_t>(map_, name, "int");
  return v ? *v : def;
}
float Attributes::getFloat(const std::string& name, float def) const {
  const auto* v = getAs<float>(map_, name, "float");
  return v ? *v : def;
}
std::string Attributes::getString(const std::string& name, const std::string& def) const {
  const auto* v = getAs<std::string>(map_, name, "string");
  return v ? *v : def;
}
std::vector<int64_t> Attributes::getInts(const std::string& name, std::vector<int64_t> def) const {
  const auto* v = getAs<std::vector<int64_t>>(map_, name, "ints");
  return v ? *v : def;
}
std::vector<float> Attributes::getFloats(const std::string& name, std::vector<float> def) const {
  const auto* v = getAs<std::vector<float>>(map_, name, "floats");
  return v ? *v : def;
}
TensorDataPtr Attributes::getTensor(const std::string& name) const {
  const auto* v = getAs<TensorDataPtr>(map_, name, "tensor");
  return v ? *v : nullptr;
}
GraphPtr Attributes::getGraph(const std::string& name) const {
  const auto* v = getAs<GraphPtr>(map_, name, "graph");
  return v ? *v : nullptr;
}

bool Attributes::operator==(const Attributes& o) const {
  if (map_.size() != o.map_.size()) return false;
  for (const auto& [k, v] : map_) {
    auto it = o.map_.find(k);
    if (it == o.map_.end() || it->second.index() != v.index()) return false;
    if (const auto* t = std::get_if<TensorDataPtr>(&v)) {
      const auto& u = std::get<TensorDataPtr>(it->second);
      if (!*t || !u || (*t)->dtype != u->dtype || (*t)->shape != u->shape ||
          (*t)->bytes != u->bytes || (*t)->strings != u->strings)
        return false;
    } else if (!(v == it->second)) {
      return false;
    }
  }
  return true;
}

void checkInputShape(const Value& v, const std::vector<int64_t>& shape) {
  const TensorType& declared = v.type;
  if (declared.rankKnown && declared.shape.size() != shape.size())
    fail("input '{}' has rank {}, expected {}", v.name, shape.size(), declared.shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0) fail("input '{}' has negative dim {}", v.name, shape[d]);
    if (declared.rankKnown && declared.shape[d].isStatic() && declared.shape[d].value != shape[d])
      fail("input '{}' dim {} is {}, expected {}", v.name, d, shape[d], declared.shape[d].value);
  }
}

ValueId Graph::addValue(std::string name, TensorType type) {
  values.push_back(Value{std::move(name), std::move(type), nullptr, {}});
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::addConstant(std::string name, TensorDataPtr data) {
  TensorType t = staticType(data->dtype, data->shape);
  values.push_back(Value{std::move(name), std::move(t), std::move(data), {}});
  return static_cast<ValueId>(values.size() - 1);
}

Node& Graph::addNode(OpKind op, std::vector<ValueId> ins, std::vector<ValueId> outs,
                     std::string nodeName) {
  nodes.push_back(Node{op, std::move(nodeName), std::move(ins), std::move(outs), {}, 0});
  return nodes.back();
}

std::string Graph::describe(const Node& n) const {
  if (!n.name.empty()) return fmt::format("{} node '{}'", opName(n.op), n.name);
  size_t idx = static_cast<size_t>(&n - nodes.data());
  if (idx < nodes.size()) return fmt::format("{} node #{}", opName(n.op), idx);
  return fmt::format("{} node", opName(n.op));
}

std::optional<ValueId> Graph::findValue(const std::string& valueName) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == valueName) return static_cast<ValueId>(i);
  return std::nullopt;
}

std::vector<int> Graph::producers() const {
  std::vector<int> p(values.size(), -1);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (ValueId o : nodes[i].outputs) p.at(static_cast<size_t>(o)) = static_cast<int>(i);
  return p;
}

std::vector<int> Graph::useCounts() const {
  std::vector<int> uses(values.size(), 0);
  for (const Node& n : nodes)
    for (ValueId v : n.inputs)
      if (v != kNoValue) ++uses.at(static_cast<size_t>(v));
  for (ValueId v : outputs) ++uses.at(static_cast<size_t>(v));
  return uses;
}

void Graph::removeDeadCode() {
  // Walk backwards: a node is live when any output is used by a live reader.
  std::vector<bool> live(values.size(), false);
  for (ValueId v : outputs) live[static_cast<size_t>(v)] = true;
  std::vector<bool> keepNode(nodes.size(), false);
  for (size_t i = nodes.size(); i-- > 0;) {
    bool used = false;
    for (ValueId o : nodes[i].outputs) used = used || live[static_cast<size_t>(o)];
    if (!used) continue;
    keepNode[i] = true;
    for (ValueId v : nodes[i].inputs)
      if (v != kNoValue) live[static_cast<size_t>(v)] = true;
  }
  for (ValueId v : inputs) live[static_cast<size_t>(v)] = true;
  std::vector<Node> kept;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (keepNode[i]) {
      kept.push_back(std::move(nodes[i]));
      for (ValueId o : kept.back().outputs) live[static_cast<size_t>(o)] = true;
    }
  nodes = std::move(kept);
  // Renumber the surviving values densely, keeping their order.
  std::vector<ValueId> remap(values.size(), kNoValue);
  std::vector<Value> newValues;
  for (size_t i = 0; i < values.size(); ++i)
    if (live[i]) {
      remap[i] = static_cast<ValueId>(newValues.size());
      newValues.push_back(std::move(values[i]));
    }
  values = std::move(newValues);
  auto re = [&](ValueId v) { return v == kNoValue ? kNoValue : remap[static_cast<size_t>(v)]; };
  for (Node& n : nodes) {
    for (ValueId& v : n.inputs) v = re(v);
    for (ValueId& v : n.outputs) v = re(v);
  }
  for (ValueId& v : inputs) v = re(v);
  for (ValueId& v : outputs) v = re(v);
}

}  // namespace kiln::ir
