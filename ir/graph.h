// Kiln's graph IR: a dataflow graph of tensor ops over SSA values.
//
// - A Value is produced once: by a Node, as a graph input, or as a constant
//   (ONNX initializers and Constant nodes become constant Values, not nodes).
// - Nodes are kept in a topological order (every input defined before use).
// - Shapes are static (Dim::value >= 0), named symbolic ("seq"), or unknown
//   (value < 0, empty symbol, printed "?").
// - Op semantics are the latest ONNX opset's (see ir/ops.def).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/dtype.h"
#include "ir/op.h"
#include "ir/tensor_data.h"

namespace kiln::ir {

struct Dim {
  int64_t value = -1;  // >= 0 when static
  std::string symbol;  // name of a symbolic dim when value < 0; empty = unknown
  static Dim known(int64_t v) { return Dim{v, {}}; }
  static Dim named(std::string s) { return Dim{-1, std::move(s)}; }
  static Dim unknown() { return Dim{}; }
  bool isStatic() const { return value >= 0; }
  bool operator==(const Dim&) const = default;
};

using Shape = std::vector<Dim>;

struct TensorType {
  DType dtype = DType::Undefined;
  Shape shape;
  bool rankKnown = true;  // false: nothing is known of the shape
  bool isStatic() const;
  // Static dims as integers; throws kiln::Error if any dim is not static.
  std::vector<int64_t> staticShape() const;
  int64_t numElements() const;  // requires a static shape
  bool operator==(const TensorType&) const = default;
};

TensorType staticType(DType dtype, const std::vector<int64_t>& shape);
// A tensor of `dtype` whose rank is not known.
TensorType unknownRank(DType dtype);

class Graph;
// A subgraph held by a control-flow node (If's branches, Loop's and Scan's
// body). Immutable once imported, so nodes and copies of a graph share it.
using GraphPtr = std::shared_ptr<const Graph>;

// An attribute value. Floats are kept as float (ONNX stores float32).
using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>,
                               std::vector<float>, std::vector<std::string>, TensorDataPtr, GraphPtr>;

class Attributes {
 public:
  bool has(const std::string& name) const { return map_.count(name) != 0; }
  void set(const std::string& name, Attribute v) { map_[name] = std::move(v); }
  void erase(const std::string& name) { map_.erase(name); }
  const std::map<std::string, Attribute>& all() const { return map_; }

  // Typed getters: return the default when absent; throw kiln::Error when the
  // attribute exists with a different type.
  int64_t getInt(const std::string& name, int64_t def) const;
  float getFloat(const std::string& name, float def) const;
  std::string getString(const std::string& name, const std::string& def) const;
  std::vector<int64_t> getInts(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> getFloats(const std::string& name, std::vector<float> def = {}) const;
  TensorDataPtr getTensor(const std::string& name) const;  // nullptr when absent
  GraphPtr getGraph(const std::string& name) const;         // nullptr when absent

  bool operator==(const Attributes& o) const;

 private:
  std::map<std::string, Attribute> map_;
};

using ValueId = int;
constexpr ValueId kNoValue = -1;

// Thrown by a shape rule or kernel emitter that needs the contents of a value
// which is not constant (e.g. Reshape's `shape` fed by a graph input). The JIT
// reacts by specializing on the contents of the graph inputs that value is
// computed from (codegen/jit_model.h); elsewhere it is an ordinary Error.
class ValueRequired : public Error {
 public:
  ValueRequired(const std::string& msg, ValueId v) : Error(msg), value(v) {}
  ValueId value;
};

// ONNX's non-tensor types, as wrappers around a tensor type (onnx.proto
// TypeProto.Sequence / TypeProto.Optional): optional<sequence<tensor>> is
// {Optional, Sequence} around the element tensor type.
enum class Container : uint8_t { Sequence, Optional };

struct Value {
  std::string name;
  TensorType type;  // the tensor type, or the innermost element type when `containers` is non-empty
  TensorDataPtr constant;  // set for constant values
  std::vector<Container> containers;  // outermost first; empty for a plain tensor
  bool isConstant() const { return constant != nullptr; }
  bool isTensor() const { return containers.empty(); }
};

// Throws kiln::Error naming input `v` when `shape` contradicts its declared
// rank or static dims (symbolic and unknown dims accept any size).
void checkInputShape(const Value& v, const std::vector<int64_t>& shape);

struct Node {
  OpKind op;
  std::string name;              // ONNX node name (may be empty)
  std::vector<ValueId> inputs;   // kNoValue for an absent optional input
  std::vector<ValueId> outputs;
  Attributes attrs;
  // Control-flow nodes: the trailing `numCaptures` inputs are outer-scope
  // values their subgraphs read. Every subgraph of the node takes them, in
  // this order, as its last inputs after its formal ONNX inputs.
  int numCaptures = 0;
  size_t numFormalInputs() const { return inputs.size() - static_cast<size_t>(numCaptures); }
  bool hasInput(size_t i) const { return i < inputs.size() && inputs[i] != kNoValue; }
};

class Graph {
 public:
  std::string name;
  std::map<std::string, int64_t> opsetImports;  // domain -> version, as imported
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;

  ValueId addValue(std::string name, TensorType type);
  ValueId addConstant(std::string name, TensorDataPtr data);
  Node& addNode(OpKind op, std::vector<ValueId> inputs, std::vector<ValueId> outputs,
                std::string name = {});

  Value& value(ValueId id) { return values.at(static_cast<size_t>(id)); }
  const Value& value(ValueId id) const { return values.at(static_cast<size_t>(id)); }
  const TensorType& type(ValueId id) const { return value(id).type; }
  // "Conv 'conv2d_3'" or "Conv #12" — how errors name a node.
  std::string describe(const Node& n) const;
  std::optional<ValueId> findValue(const std::string& name) const;
  // Index of the node producing each value (-1 for inputs/constants).
  std::vector<int> producers() const;
  // Number of node inputs + graph outputs reading each value.
  std::vector<int> useCounts() const;
  // Drops nodes whose outputs are unused and values nothing references, then
  // renumbers values. Graph inputs and outputs are kept.
  void removeDeadCode();
};

}  // namespace kiln::ir
