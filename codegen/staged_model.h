// A model whose graph holds host ops (runtime/host/host_call.h): ops whose
// output shapes depend on input values (NonZero), non-tensor values
// (sequences, optionals, strings) or control flow (If, Loop, Scan).
//
// The graph is cut into compiled stages separated by host steps, the way a
// tracing JIT splits at a data-dependent branch:
//
//   level(graph input or constant) = 0
//   level(output of a compiled node) = max level of its inputs
//   level(output of a host node)     = max level of its inputs + 1
//
// Stage L is the subgraph of compiled nodes at level L, a JitModel of its own:
// its inputs are the values it reads from earlier levels, its outputs the
// values later levels or the graph outputs read. run() executes stage 0, then
// the host nodes whose inputs are at level 0, then stage 1, and so on. Each
// stage is specialized on the concrete shapes (and, where a shape depends on
// them, the contents) of what it receives, so everything after a NonZero is
// compiled for the count that NonZero found, once per distinct count.
//
// Control-flow subgraphs are StagedModels themselves, built on first use and
// run through HostCall::runSubgraph; their captured outer-scope values are
// passed as trailing inputs (ir::Node::numCaptures).
//
// A graph without host ops is one stage: exactly a JitModel. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "codegen/jit_model.h"
#include "runtime/value.h"

namespace kiln::codegen {

class StagedModel {
 public:
  StagedModel(ir::Graph graph, CompileOptions options);
  ~StagedModel();

  const ir::Graph& graph() const { return graph_; }
  // Number of compiled stages and host nodes (for `kiln inspect` and tests).
  size_t numStages() const;
  size_t numHostNodes() const { return hostNodes_; }
  // Whether the graph is one compiled stage with the graph's own inputs and
  // outputs (no host ops, only tensor inputs and outputs): run() is one JitModel run.
  bool fullyCompiled() const { return single_; }
  // The one JitModel of a fully compiled graph (same inputs and outputs as
  // graph()); nullptr when the graph has host ops.
  JitModel* singleStage() const;

  // Runs on inputs in graph().inputs order; returns graph().outputs in order.
  // Throws kiln::Error naming the input, node or value on bad inputs.
  std::vector<runtime::Value> run(const std::vector<runtime::Value>& inputs, runtime::ThreadPool& pool);

 private:
  struct Stage;
  struct HostStep;
  void plan();
  std::vector<runtime::Value> runSubgraph(const ir::Node& node, const std::string& attr,
                                          const std::vector<runtime::Value>& formal,
                                          const std::vector<const runtime::Value*>& captures,
                                          runtime::ThreadPool& pool);

  ir::Graph graph_;
  CompileOptions options_;
  std::vector<std::unique_ptr<Stage>> stages_;  // by level
  std::vector<std::vector<HostStep>> hostSteps_;  // by level: host nodes run after stage L
  size_t hostNodes_ = 0;
  bool single_ = false;
  std::mutex subgraphMutex_;
  std::map<const ir::Graph*, std::unique_ptr<StagedModel>> subgraphs_;
};

}  // namespace kiln::codegen
