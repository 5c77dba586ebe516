// Host ops: graph nodes the runtime executes itself, between compiled stages
// (codegen/staged_model.h). A node runs on the host when
//   - its op is declared with KILN_HOST_OP in ir/ops.def: the shape of an
//     output depends on input values (NonZero, Unique, Compress,
//     NonMaxSuppression), it builds or reads sequences and optionals, or it is
//     control flow whose subgraphs are compiled and called through
//     HostCall::runSubgraph (If, Loop, Scan, SequenceMap); or
//   - it reads or writes a string tensor or a non-tensor value (Cast to or from
//     strings, Identity of a sequence).
// Semantics are the latest ONNX opset's, as for compiled ops.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/thread_pool.h"
#include "runtime/value.h"

namespace kiln::runtime {

struct HostCall {
  const ir::Graph& graph;  // the graph holding `node` (for value types)
  const ir::Node& node;    // op, attributes; inputs/outputs index graph.values
  // One entry per formal input (node.numFormalInputs()); nullptr for an absent optional input.
  std::vector<const Value*> inputs;
  ThreadPool& pool;
  // Runs the subgraph in attribute `attr` (ir::GraphPtr) on its formal inputs;
  // the node's captured outer-scope values are appended automatically. Returns
  // the subgraph's outputs in order. Compiled on first use per input shapes.
  std::function<std::vector<Value>(const std::string& attr, const std::vector<Value>& formalInputs)>
      runSubgraph;

  // "NonZero node 'nz'" — how errors name the node.
  std::string where() const { return graph.describe(node); }
  size_t numInputs() const { return inputs.size(); }
  bool hasInput(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  // The input; throws kiln::Error naming the node when it is absent.
  const Value& input(size_t i) const;
  // Shorthand for input(i).tensor(), with the node and input index in errors.
  const Tensor& tensor(size_t i) const;
  // The declared (imported) type of output i: dtype, containers, maybe-unknown shape.
  const ir::Value& output(size_t i) const { return graph.value(node.outputs.at(i)); }
  size_t numOutputs() const { return node.outputs.size(); }
};

// Computes the node's outputs (one Value per node output, in order). Throws
// kiln::Error naming the node (call.where()) on bad input values.
using HostKernel = std::vector<Value> (*)(const HostCall& call);

// The kernel for a node that runs on the host, or nullptr when the node is
// compiled. Throws kiln::Error for a node that must run on the host but has no
// host kernel (e.g. Add of string tensors), naming the node.
HostKernel hostKernelFor(const ir::Graph& g, const ir::Node& n);

#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family)
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) \
  std::vector<Value> runHost##Name(const HostCall& call);
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP
// Compiled ops that run on the host for non-tensor or string values.
std::vector<Value> runHostIdentity(const HostCall& call);  // any value kind
std::vector<Value> runHostStringCast(const HostCall& call);  // Cast/CastLike to or from strings

}  // namespace kiln::runtime
