#include "frontends/onnx/importer.h"

#include <onnx/onnx_pb.h>

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
void checkOpsSupported(const GraphProto& g, const std::string& label) {
  for (int i = 0; i < g.node_size(); ++i) {
    const NodeProto& n = g.node(i);
    std::string where = n.name().empty() ? fmt::format("node #{}", i) : fmt::format("node '{}'", n.name());
    if (!isDefaultDomain(n.domain()))
      fail("{}: unsupported op '{}' ({}, domain '{}')", label, n.op_type(), where, n.domain());
    if (n.op_type() != "Constant" && !ir::opFromName(n.op_type()))
      fail("{}: unsupported op '{}' ({})", label, n.op_type(), where);
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

// Builds the Kiln graph from a checked, shape-inferred GraphProto.
class GraphBuilder {
 public:
  GraphBuilder(const ModelProto& model, std::string modelDir, int64_t opset)
      : model_(model), graphProto_(model.graph()), modelDir_(std::move(modelDir)), opset_(opset) {}

  ir::Graph build() {
    g_.name = graphProto_.name();
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
      auto it = defined_.find(out.name());
      if (it == defined_.end()) fail("graph output '{}' is not produced by any node", out.name());
      g_.outputs.push_back(it->second);
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

  ValueId lookup(const std::string& name, const std::string& owner) const {
    auto it = defined_.find(name);
    if (it == defined_.end()) fail("{}: input '{}' is not defined before it is used", owner, name);
    return it->second;
  }

  ir::TensorType typeOf(const std::string& name) const {
    auto it = types_.find(name);
    if (it == types_.end()) return ir::TensorType{DType::Undefined, {}, false};
    return tensorTypeFromProto(*it->second, name);
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
    if (!in.has_type()) fail("graph input '{}' has no type", in.name());
    ValueId id = g_.addValue(in.name(), typeOf(in.name()));
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
    ir::OpKind op = *ir::opFromName(p.op_type());  // checkOpsSupported ran
    const ir::OpInfo& info = ir::opInfo(op);
    ir::Node n{op, p.name(), {}, {}, {}};

    int numIn = p.input_size();
    while (numIn > 0 && p.input(numIn - 1).empty()) --numIn;  // absent trailing optionals
    for (int i = 0; i < numIn; ++i)
      n.inputs.push_back(p.input(i).empty() ? kNoValue : lookup(p.input(i), owner));

    for (const auto& a : p.attribute()) {
      if (n.attrs.has(a.name())) fail("{}: attribute '{}' appears twice", owner, a.name());
      n.attrs.set(a.name(), attributeFromProto(a, modelDir_, owner));
    }

    // Outputs Kiln's op does not produce (BatchNormalization's training
    // statistics, MaxPool's indices) are dropped when nothing reads them.
    int numOut = p.output_size();
    while (numOut > 0 && (p.output(numOut - 1).empty() ||
                          (numOut > info.maxOutputs && !consumed_.count(p.output(numOut - 1)))))
      --numOut;

    const std::string constBase =
        numOut > 0 ? p.output(0) : p.name().empty() ? p.op_type() : p.name();
    upgradeToLatestOpset(g_, n, opset_, owner, [&](const std::string& role, TensorDataPtr d) {
      return g_.addConstant(freshName(constBase + "_" + role), std::move(d));
    });

    for (int i = 0; i < numOut; ++i) {
      const std::string& name = p.output(i);
      // An absent optional output followed by a present one (RNN's Y before
      // Y_h) is computed into an internal value nothing reads.
      if (name.empty()) {
        std::string base = p.name().empty() ? p.op_type() : p.name();
        n.outputs.push_back(g_.addValue(freshName(fmt::format("{}_unused_output{}", base, i)),
                                        ir::TensorType{DType::Undefined, {}, false}));
        continue;
      }
      ValueId id = g_.addValue(name, typeOf(name));
      define(name, id);
      n.outputs.push_back(id);
    }
    checkArity(p, n, info, owner);
    rejectTrainingForms(n, owner);
    g_.nodes.push_back(std::move(n));
  }

  static void checkArity(const NodeProto& p, const ir::Node& n, const ir::OpInfo& info,
                         const std::string& owner) {
    auto numIn = static_cast<int>(n.inputs.size()), numOut = static_cast<int>(n.outputs.size());
    if (numIn < info.minInputs || numIn > info.maxInputs)
      fail("{}: has {} inputs; Kiln's {} takes {} to {}", owner, numIn, info.name, info.minInputs,
           info.maxInputs);
    for (int i = 0; i < info.minInputs; ++i)
      if (n.inputs[static_cast<size_t>(i)] == kNoValue)
        fail("{}: required input #{} is absent", owner, i);
    if (numOut > info.maxOutputs)
      fail("{}: unsupported: output '{}' is used, but Kiln's {} computes only {} output(s)", owner,
           p.output(info.maxOutputs), info.name, info.maxOutputs);
    if (numOut < info.minOutputs)
      fail("{}: has {} outputs; Kiln's {} produces at least {}", owner, numOut, info.name,
           info.minOutputs);
  }

  // Forms of supported ops that compute something else than inference needs.
  static void rejectTrainingForms(const ir::Node& n, const std::string& owner) {
    if (n.op == ir::OpKind::BatchNormalization && n.attrs.has("training_mode")) {
      bool training = false;
      try {
        training = n.attrs.getInt("training_mode", 0) != 0;
      } catch (const Error& e) {
        fail("{}: {}", owner, e.what());
      }
      if (training)
        fail("{}: unsupported: training_mode=1 normalizes with batch statistics", owner);
    }
  }

  const ModelProto& model_;
  const GraphProto& graphProto_;
  std::string modelDir_;
  int64_t opset_;
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
    return GraphBuilder(model, modelDir, opset).build();
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
