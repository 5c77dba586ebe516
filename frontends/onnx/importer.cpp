#include "frontends/onnx/importer.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "frontends/onnx/attributes.h"
#include "frontends/onnx/legacy_opset.h"
#include "frontends/onnx/model_check.h"
#include "frontends/onnx/proto_io.h"
#include "frontends/onnx/tensor_proto.h"
#include "frontends/onnx/types.h"
#include "ir/error.h"

namespace kiln::onnx {

namespace {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::ModelProto;
using ::onnx::NodeProto;
using ir::kNoValue;
using ir::TensorData;
using ir::TensorDataPtr;
using ir::ValueId;

bool isDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

std::string describeNode(const NodeProto& n, int index) {
  if (n.name().empty()) return fmt::format("{} node #{}", n.op_type(), index);
  return fmt::format("{} node '{}'", n.op_type(), n.name());
}

// Runs before the ONNX checker so that an op Kiln lacks is reported as such,
// not as whatever the checker makes of an op type it has no schema for.
// Subgraphs (If branches, Loop/Scan bodies) are checked too, their nodes
// named by the path through the enclosing nodes.
void checkOpsSupported(const GraphProto& g, const std::string& label, const std::string& scope = "") {
  for (int i = 0; i < g.node_size(); ++i) {
    const NodeProto& n = g.node(i);
    std::string where =
        scope + (n.name().empty() ? fmt::format("node #{}", i) : fmt::format("node '{}'", n.name()));
    if (!isDefaultDomain(n.domain()))
      fail("{}: unsupported op '{}' ({}, domain '{}')", label, n.op_type(), where, n.domain());
    if (n.op_type() != "Constant" && !ir::opFromName(latestOpType(n.op_type())))
      fail("{}: unsupported op '{}' ({})", label, n.op_type(), where);
    for (const AttributeProto& a : n.attribute())
      if (a.type() == AttributeProto::GRAPH)
        checkOpsSupported(a.g(), label, fmt::format("{}, {} '{}', ", where, n.op_type(), a.name()));
  }
}

// A Constant node's one attribute as tensor data.
TensorDataPtr constantNodeValue(const NodeProto& n, const std::string& modelDir,
                                const std::string& owner) {
  if (n.attribute_size() != 1) fail("{}: must have exactly one value attribute", owner);
  const AttributeProto& a = n.attribute(0);
  auto expectType = [&](AttributeProto::AttributeType t) {
    if (a.type() != t) fail("{}: attribute '{}' has the wrong type", owner, a.name());
  };
  auto strings = [](std::vector<std::string> v, std::vector<int64_t> shape) {
    auto t = std::make_shared<TensorData>();
    t->dtype = DType::String;
    t->shape = std::move(shape);
    t->strings = std::move(v);
    return TensorDataPtr(t);
  };
  const std::string& name = a.name();
  if (name == "value") {
    expectType(AttributeProto::TENSOR);
    return tensorFromProto(a.t(), modelDir, "value of " + owner);
  }
  if (name == "value_float") {
    expectType(AttributeProto::FLOAT);
    return TensorData::fromFloats({a.f()}, {});
  }
  if (name == "value_floats") {
    expectType(AttributeProto::FLOATS);
    return TensorData::fromFloats({a.floats().begin(), a.floats().end()}, {a.floats_size()});
  }
  if (name == "value_int") {
    expectType(AttributeProto::INT);
    return TensorData::fromInts({a.i()}, {});
  }
  if (name == "value_ints") {
    expectType(AttributeProto::INTS);
    return TensorData::fromInts({a.ints().begin(), a.ints().end()}, {a.ints_size()});
  }
  if (name == "value_string") {
    expectType(AttributeProto::STRING);
    return strings({a.s()}, {});
  }
  if (name == "value_strings") {
    expectType(AttributeProto::STRINGS);
    return strings({a.strings().begin(), a.strings().end()}, {a.strings_size()});
  }
  if (name == "sparse_value") fail("{}: sparse constants are unsupported", owner);
  fail("{}: unknown attribute '{}'", owner, name);
}

// Builds the Kiln graph from a checked, shape-inferred GraphProto. A subgraph
// (a control-flow node's attribute) is built by a child builder whose
// `parent_` resolves the outer-scope names it reads: each becomes a captured
// input of the subgraph (see ir::Node::numCaptures).
class GraphBuilder {
 public:
  GraphBuilder(const ModelProto& model, const GraphProto& graph, std::string modelDir, int64_t opset,
               GraphBuilder* parent = nullptr)
      : model_(model), graphProto_(graph), modelDir_(std::move(modelDir)), opset_(opset),
        parent_(parent) {}

  ir::Graph build() {
    g_.name = graphProto_.name();
    if (!parent_)
      for (const auto& imp : model_.opset_import()) g_.opsetImports[imp.domain()] = imp.version();
    collectNamesAndTypes();
    if (graphProto_.sparse_initializer_size() > 0) fail("sparse initializers are unsupported");
    for (const auto& init : graphProto_.initializer()) {
      if (init.name().empty()) fail("an initializer has no name");
      define(init.name(), g_.addConstant(init.name(), tensorFromProto(init, modelDir_)));
    }
    for (const auto& in : graphProto_.input()) addInput(in);
    for (int i = 0; i < graphProto_.node_size(); ++i) addNode(graphProto_.node(i), i);
    for (const auto& out : graphProto_.output()) {
      if (out.name().empty()) fail("a graph output has no name");
      // A subgraph may return an outer-scope value as it is.
      if (!resolvable(out.name())) fail("graph output '{}' is not produced by any node", out.name());
      g_.outputs.push_back(lookup(out.name(), "graph output"));
    }
    return std::move(g_);
  }

 private:
  void collectNamesAndTypes() {
    // Later entries win: inferred value_info refines declared inputs, and the
    // graph outputs carry the model's own names for symbolic dims.
    for (const auto& v : graphProto_.input()) types_[v.name()] = &v.type();
    for (const auto& v : graphProto_.value_info()) types_[v.name()] = &v.type();
    for (const auto& v : graphProto_.output()) types_[v.name()] = &v.type();
    for (const auto& v : graphProto_.initializer()) names_.insert(v.name());
    for (const auto& v : graphProto_.input()) names_.insert(v.name());
    for (const auto& n : graphProto_.node()) {
      names_.insert(n.output().begin(), n.output().end());
      consumed_.insert(n.input().begin(), n.input().end());
    }
    for (const auto& v : graphProto_.output()) consumed_.insert(v.name());
  }

  void define(const std::string& name, ValueId id) {
    if (!defined_.emplace(name, id).second) fail("value '{}' is defined more than once", name);
  }

  ValueId lookup(const std::string& name, const std::string& owner) {
    auto it = defined_.find(name);
    if (it != defined_.end()) return it->second;
    if (parent_ && parent_->resolvable(name)) {
      // An outer-scope value: a captured input of this subgraph, with the outer value's type.
      const ir::Value& outer = parent_->outerValue(name, owner);
      ValueId id = g_.addValue(name, outer.type);
      g_.value(id).containers = outer.containers;
      define(name, id);
      captures_.push_back(name);
      return id;
    }
    fail("{}: input '{}' is not defined before it is used", owner, name);
  }

  // Whether `name` is defined here or in an enclosing scope (so far).
  bool resolvable(const std::string& name) const {
    return defined_.count(name) || (parent_ && parent_->resolvable(name));
  }
  const ir::Value& outerValue(const std::string& name, const std::string& owner) {
    return g_.value(lookup(name, owner));
  }

  ValueId addTypedValue(const std::string& name) {
    ir::TensorType t{DType::Undefined, {}, false};
    std::vector<ir::Container> containers;
    if (auto it = types_.find(name); it != types_.end()) {
      ValueType vt = valueTypeFromProto(*it->second, name);
      t = std::move(vt.tensor);
      containers = std::move(vt.containers);
    }
    ValueId id = g_.addValue(name, std::move(t));
    g_.value(id).containers = std::move(containers);
    return id;
  }

  // A name no ONNX value uses, for constants the legacy-opset rewrites add.
  std::string freshName(const std::string& base) {
    std::string name = base;
    for (int i = 1; names_.count(name); ++i) name = fmt::format("{}_{}", base, i);
    names_.insert(name);
    return name;
  }

  void addInput(const ::onnx::ValueInfoProto& in) {
    if (in.name().empty()) fail("a graph input has no name");
    // An input that is also an initializer is a constant with an overridable
    // default in ONNX; Kiln compiles it as the constant.
    if (defined_.count(in.name())) return;
    if (!in.has_type() && !parent_) fail("graph input '{}' has no type", in.name());
    ValueId id = addTypedValue(in.name());
    define(in.name(), id);
    g_.inputs.push_back(id);
  }

  void addNode(const NodeProto& p, int index) {
    const std::string owner = describeNode(p, index);
    if (p.op_type() == "Constant") {
      if (p.input_size() != 0 || p.output_size() != 1 || p.output(0).empty())
        fail("{}: must have no inputs and one named output", owner);
      define(p.output(0), g_.addConstant(p.output(0), constantNodeValue(p, modelDir_, owner)));
      return;
    }
    ir::OpKind op = *ir::opFromName(latestOpType(p.op_type()));  // checkOpsSupported ran
    const ir::OpInfo& info = ir::opInfo(op);
    ir::Node n{op, p.name(), {}, {}, {}, 0};

    int numIn = p.input_size();
    while (numIn > 0 && p.input(numIn - 1).empty()) --numIn;  // absent trailing optionals
    for (int i = 0; i < numIn; ++i)
      n.inputs.push_back(p.input(i).empty() ? kNoValue : lookup(p.input(i), owner));

    std::vector<Subgraph> subgraphs;
    for (const auto& a : p.attribute()) {
      if (n.attrs.has(a.name())) fail("{}: attribute '{}' appears twice", owner, a.name());
      if (a.type() == AttributeProto::GRAPH) {
        subgraphs.push_back(buildSubgraph(a.name(), a.g(), owner));
        n.attrs.set(a.name(), ir::GraphPtr());  // filled below, once captures are known
        continue;
      }
      // Optional's `type` says what an empty optional would hold; Kiln takes
      // that from the output's inferred type instead.
      if (a.type() == AttributeProto::TYPE_PROTO && op == ir::OpKind::Optional) continue;
      n.attrs.set(a.name(), attributeFromProto(a, modelDir_, owner));
    }

    // Outputs Kiln's op does not produce (BatchNormalization's training
    // statistics outside training mode, MaxPool's indices) are dropped when
    // nothing reads them.
    const int maxOut = producedOutputs(n, info, owner);
    int numOut = p.output_size();
    while (numOut > 0 && (p.output(numOut - 1).empty() ||
                          (numOut > maxOut && !consumed_.count(p.output(numOut - 1)))))
      --numOut;

    const std::string constBase =
        numOut > 0 ? p.output(0) : p.name().empty() ? p.op_type() : p.name();
    MakeConstant makeConstant = [&](const std::string& role, TensorDataPtr d) {
      return g_.addConstant(freshName(constBase + "_" + role), std::move(d));
    };
    if (latestOpType(p.op_type()) != p.op_type())
      upgradeDeprecatedOp(p.op_type(), g_, n, opset_, owner, makeConstant);
    upgradeToLatestOpset(g_, n, opset_, owner, makeConstant);

    for (int i = 0; i < numOut; ++i) {
      // An absent optional output before a present one (LayerNormalization's
      // Mean when only InvStdDev is wanted) gets a value that nothing reads.
      bool absent = p.output(i).empty();
      const std::string name = absent ? freshName(constBase + "_absent_output") : p.output(i);
      ValueId id = addTypedValue(name);
      if (!absent) define(name, id);
      n.outputs.push_back(id);
    }
    checkArity(p, n, info, maxOut, owner);
    if (!subgraphs.empty()) attachSubgraphs(n, std::move(subgraphs), owner);
    g_.nodes.push_back(std::move(n));
  }

  struct Subgraph {
    std::string attr;
    ir::Graph graph;                    // formal inputs only, until attachSubgraphs
    std::vector<std::string> captures;  // outer-scope names it reads
  };

  Subgraph buildSubgraph(const std::string& attr, const GraphProto& body, const std::string& owner) {
    GraphBuilder child(model_, body, modelDir_, opset_, this);
    try {
      ir::Graph g = child.build();
      return Subgraph{attr, std::move(g), child.captures_};
    } catch (const Error& e) {
      fail("{}, attribute '{}': {}", owner, attr, e.what());
    }
  }

  // Gives every subgraph of `n` the union of their captures as trailing inputs,
  // in one order, and feeds the outer values to `n` as its trailing inputs.
  void attachSubgraphs(ir::Node& n, std::vector<Subgraph> subgraphs, const std::string& owner) {
    std::vector<std::string> all;
    for (const Subgraph& s : subgraphs)
      for (const std::string& c : s.captures)
        if (std::find(all.begin(), all.end(), c) == all.end()) all.push_back(c);
    for (Subgraph& s : subgraphs) {
      ir::Graph& g = s.graph;
      for (const std::string& c : all) {
        if (std::find(s.captures.begin(), s.captures.end(), c) != s.captures.end()) {
          g.inputs.push_back(*g.findValue(c));
          continue;
        }
        const ir::Value& outer = outerValue(c, owner);
        ValueId id = g.addValue(c, outer.type);  // captured for a sibling subgraph; unused here
        g.value(id).containers = outer.containers;
        g.inputs.push_back(id);
      }
      n.attrs.set(s.attr, std::make_shared<const ir::Graph>(std::move(g)));
    }
    for (const std::string& c : all) n.inputs.push_back(lookup(c, owner));
    n.numCaptures = static_cast<int>(all.size());
  }

  // How many outputs Kiln computes for the node: BatchNormalization's
  // running statistics exist only with training_mode = 1.
  static int producedOutputs(const ir::Node& n, const ir::OpInfo& info, const std::string& owner) {
    if (n.op != ir::OpKind::BatchNormalization) return info.maxOutputs;
    try {
      return n.attrs.getInt("training_mode", 0) != 0 ? info.maxOutputs : 1;
    } catch (const Error& e) {
      fail("{}: {}", owner, e.what());
    }
  }

  static void checkArity(const NodeProto& p, const ir::Node& n, const ir::OpInfo& info, int maxOut,
                         const std::string& owner) {
    auto numIn = static_cast<int>(n.inputs.size()), numOut = static_cast<int>(n.outputs.size());
    if (numIn < info.minInputs || numIn > info.maxInputs)
      fail("{}: has {} inputs; Kiln's {} takes {} to {}", owner, numIn, info.name, info.minInputs,
           info.maxInputs);
    for (int i = 0; i < info.minInputs; ++i)
      if (n.inputs[static_cast<size_t>(i)] == kNoValue)
        fail("{}: required input #{} is absent", owner, i);
    if (numOut > maxOut)
      fail("{}: unsupported: output '{}' is used, but Kiln's {} computes only {} output(s)", owner,
           p.output(maxOut), info.name, maxOut);
    if (numOut < info.minOutputs)
      fail("{}: has {} outputs; Kiln's {} produces at least {}", owner, numOut, info.name,
           info.minOutputs);
  }

  const ModelProto& model_;
  const GraphProto& graphProto_;
  std::string modelDir_;
  int64_t opset_;
  GraphBuilder* parent_;
  std::vector<std::string> captures_;  // outer-scope names this subgraph reads, in first-use order
  ir::Graph g_;
  std::unordered_map<std::string, ValueId> defined_;
  std::unordered_set<std::string> names_;
  std::unordered_set<std::string> consumed_;
  std::unordered_map<std::string, const ::onnx::TypeProto*> types_;
};

ir::Graph importModelProto(ModelProto model, const std::string& modelDir, const std::string& label) {
  checkOpsSupported(model.graph(), label);
  int64_t opset = defaultOpset(model, label);
  checkModel(model, modelDir, label);
  inferShapes(model, label);
  try {
    return GraphBuilder(model, model.graph(), modelDir, opset).build();
  } catch (const Error& e) {
    fail("{}: {}", label, e.what());
  }
}

}  // namespace

ir::Graph importModel(const std::string& path) {
  std::string bytes = readProtoFileBytes(path, "ONNX model");
  return importModelProto(parseModelProto(bytes, path), modelDirOf(path), path);
}

ir::Graph importModelFromBytes(const std::string& bytes, const std::string& modelDir) {
  return importModelProto(parseModelProto(bytes, "<memory>"), modelDir, "<memory>");
}

}  // namespace kiln::onnx
