#include "codegen/staged_model.h"

#include <algorithm>

#include "ir/text.h"
#include "runtime/host/host_call.h"
#include "runtime/tensor_convert.h"

namespace kiln::codegen {

using runtime::Value;

struct StagedModel::Stage {
  std::vector<ir::ValueId> inputs;   // in graph_, in the stage graph's input order
  std::vector<ir::ValueId> outputs;  // in graph_, in the stage graph's output order
  std::unique_ptr<JitModel> jit;
};

struct StagedModel::HostStep {
  size_t node;  // index in graph_.nodes
  runtime::HostKernel kernel;
};

StagedModel::StagedModel(ir::Graph graph, CompileOptions options)
    : graph_(std::move(graph)), options_(std::move(options)) {
  plan();
}

StagedModel::~StagedModel() = default;

size_t StagedModel::numStages() const {
  return static_cast<size_t>(
      std::count_if(stages_.begin(), stages_.end(), [](const auto& s) { return s->jit != nullptr; }));
}

JitModel* StagedModel::singleStage() const { return fullyCompiled() ? stages_.front()->jit.get() : nullptr; }

void StagedModel::plan() {
  const size_t numValues = graph_.values.size();
  std::vector<int> level(numValues, 0);
  std::vector<int> nodeLevel(graph_.nodes.size(), 0);
  std::vector<runtime::HostKernel> kernels(graph_.nodes.size(), nullptr);
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    kernels[n] = runtime::hostKernelFor(graph_, graph_.nodes[n]);
    if (kernels[n]) ++hostNodes_;
  }
  // A graph that only passes sequences, optionals or strings through (a Loop
  // body returning its carried sequence) has no host node but cannot be one
  // JitModel either: it is planned like the others, and its compiled stage
  // sees only tensors.
  auto plain = [&](ir::ValueId v) {
    const ir::Value& val = graph_.value(v);
    return val.isTensor() && val.type.dtype != DType::String;
  };
  if (hostNodes_ == 0 && std::all_of(graph_.inputs.begin(), graph_.inputs.end(), plain) &&
      std::all_of(graph_.outputs.begin(), graph_.outputs.end(), plain)) {
    // One stage: the graph itself, inputs and outputs as they are.
    auto stage = std::make_unique<Stage>();
    stage->inputs = graph_.inputs;
    stage->outputs = graph_.outputs;
    stage->jit = std::make_unique<JitModel>(graph_, options_);
    stages_.push_back(std::move(stage));
    hostSteps_.resize(1);
    single_ = true;
    return;
  }
  int maxLevel = 0;
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    const ir::Node& node = graph_.nodes[n];
    int l = 0;
    for (ir::ValueId v : node.inputs)
      if (v != ir::kNoValue) l = std::max(l, level.at(static_cast<size_t>(v)));
    nodeLevel[n] = l;
    for (ir::ValueId v : node.outputs)
      if (v != ir::kNoValue) level.at(static_cast<size_t>(v)) = kernels[n] ? l + 1 : l;
    maxLevel = std::max(maxLevel, kernels[n] ? l + 1 : l);
  }

  // Which values a stage must hand on: read by a node of another level or a
  // host node, or a graph output.
  std::vector<bool> readOutside(numValues, false);
  for (size_t n = 0; n < graph_.nodes.size(); ++n)
    for (ir::ValueId v : graph_.nodes[n].inputs)
      if (v != ir::kNoValue && (kernels[n] || nodeLevel[n] != level[static_cast<size_t>(v)]))
        readOutside[static_cast<size_t>(v)] = true;
  for (ir::ValueId v : graph_.outputs) readOutside.at(static_cast<size_t>(v)) = true;

  stages_.resize(static_cast<size_t>(maxLevel) + 1);
  hostSteps_.resize(static_cast<size_t>(maxLevel) + 1);
  for (int l = 0; l <= maxLevel; ++l) {
    ir::Graph sg;
    sg.name = fmt::format("{}.stage{}", graph_.name, l);
    sg.opsetImports = graph_.opsetImports;
    std::vector<ir::ValueId> remap(numValues, ir::kNoValue);
    auto stage = std::make_unique<Stage>();
    auto operand = [&](ir::ValueId v) {
      if (v == ir::kNoValue) return ir::kNoValue;
      auto& m = remap[static_cast<size_t>(v)];
      if (m != ir::kNoValue) return m;
      const ir::Value& val = graph_.value(v);
      if (val.isConstant()) {
        m = sg.addConstant(val.name, val.constant);
      } else {
        m = sg.addValue(val.name, val.type);
        sg.inputs.push_back(m);
        stage->inputs.push_back(v);
      }
      return m;
    };
    for (size_t n = 0; n < graph_.nodes.size(); ++n) {
      const ir::Node& node = graph_.nodes[n];
      if (nodeLevel[n] != l) continue;
      if (kernels[n]) {
        hostSteps_[static_cast<size_t>(l)].push_back(HostStep{n, kernels[n]});
        continue;
      }
      ir::Node copy = node;
      for (ir::ValueId& v : copy.inputs) v = operand(v);
      for (ir::ValueId& v : copy.outputs) {
        if (v == ir::kNoValue) continue;
        ir::ValueId old = v;
        v = sg.addValue(graph_.value(old).name, graph_.type(old));
        remap[static_cast<size_t>(old)] = v;
        if (readOutside[static_cast<size_t>(old)]) {
          sg.outputs.push_back(v);
          stage->outputs.push_back(old);
        }
      }
      sg.nodes.push_back(std::move(copy));
    }
    if (!stage->outputs.empty()) stage->jit = std::make_unique<JitModel>(std::move(sg), options_);
    stages_[static_cast<size_t>(l)] = std::move(stage);
  }
}

std::vector<Value> StagedModel::run(const std::vector<Value>& inputs, runtime::ThreadPool& pool) {
  if (inputs.size() != graph_.inputs.size())
    fail("model takes {} inputs, got {}", graph_.inputs.size(), inputs.size());
  std::vector<Value> env(graph_.values.size());
  std::vector<bool> have(graph_.values.size(), false);
  auto set = [&](ir::ValueId v, Value x) {
    env[static_cast<size_t>(v)] = std::move(x);
    have[static_cast<size_t>(v)] = true;
  };
  auto get = [&](ir::ValueId v) -> const Value& {
    auto i = static_cast<size_t>(v);
    if (!have[i]) {
      const ir::Value& val = graph_.value(v);
      if (!val.isConstant()) fail("internal error: value '{}' is read before it is computed", val.name);
      set(v, runtime::toTensor(*val.constant));
    }
    return env[i];
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& decl = graph_.value(graph_.inputs[i]);
    // An optional's value, when present, is what it wraps.
    bool optional = !decl.containers.empty() && decl.containers.front() == ir::Container::Optional;
    bool wantTensor = decl.containers.size() == (optional ? 1u : 0u);
    if (inputs[i].isNone() ? !optional : inputs[i].isTensor() != wantTensor)
      fail("input '{}' is a {}, expected {}", decl.name, runtime::kindName(inputs[i].kind()),
           ir::printValueType(decl));
    if (inputs[i].isTensor() && wantTensor) {
      const runtime::Tensor& t = inputs[i].tensor();
      if (decl.type.dtype != DType::Undefined && t.dtype() != decl.type.dtype)
        fail("input '{}' has dtype {}, expected {}", decl.name, dtypeName(t.dtype()), dtypeName(decl.type.dtype));
      ir::checkInputShape(decl, t.shape());
    }
    set(graph_.inputs[i], inputs[i]);
  }

  for (size_t l = 0; l < stages_.size(); ++l) {
    Stage& stage = *stages_[l];
    if (stage.jit) {
      std::vector<runtime::Tensor> in;
      for (ir::ValueId v : stage.inputs) in.push_back(get(v).tensor(graph_.value(v).name.c_str()));
      std::vector<runtime::Tensor> out = stage.jit->run(in, pool);
      for (size_t k = 0; k < out.size(); ++k) set(stage.outputs[k], std::move(out[k]));
    }
    for (const HostStep& step : hostSteps_[l]) {
      const ir::Node& node = graph_.nodes[step.node];
      const size_t formal = node.numFormalInputs();
      runtime::HostCall call{graph_, node, {}, pool, {}};
      std::vector<const Value*> captures;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        const Value* p = node.inputs[i] == ir::kNoValue ? nullptr : &get(node.inputs[i]);
        (i < formal ? call.inputs : captures).push_back(p);
      }
      call.runSubgraph = [&](const std::string& attr, const std::vector<Value>& formalInputs) {
        return runSubgraph(node, attr, formalInputs, captures, pool);
      };
      std::vector<Value> out = step.kernel(call);
      if (out.size() != node.outputs.size())
        fail("internal error: {} produced {} outputs, expected {}", graph_.describe(node), out.size(),
             node.outputs.size());
      for (size_t k = 0; k < out.size(); ++k)
        if (node.outputs[k] != ir::kNoValue) set(node.outputs[k], std::move(out[k]));
    }
  }

  std::vector<Value> outputs;
  for (ir::ValueId v : graph_.outputs) outputs.push_back(get(v));
  return outputs;
}

std::vector<Value> StagedModel::runSubgraph(const ir::Node& node, const std::string& attr,
                                            const std::vector<Value>& formal,
                                            const std::vector<const Value*>& captures,
                                            runtime::ThreadPool& pool) {
  ir::GraphPtr g = node.attrs.getGraph(attr);
  if (!g) fail("{}: has no subgraph attribute '{}'", graph_.describe(node), attr);
  if (formal.size() + captures.size() != g->inputs.size())
    fail("{}: subgraph '{}' takes {} inputs, got {}", graph_.describe(node), attr,
         g->inputs.size() - captures.size(), formal.size());
  StagedModel* sub;
  {
    std::lock_guard<std::mutex> lock(subgraphMutex_);
    auto& slot = subgraphs_[g.get()];
    if (!slot) slot = std::make_unique<StagedModel>(*g, options_);
    sub = slot.get();
  }
  std::vector<Value> in = formal;
  for (const Value* c : captures) in.push_back(c ? *c : Value::none());
  try {
    return sub->run(in, pool);
  } catch (const Error& e) {
    fail("{}, subgraph '{}': {}", graph_.describe(node), attr, e.what());
  }
}

}  // namespace kiln::codegen
