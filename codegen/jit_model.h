// A model compiled just in time: holds the imported graph and compiles one
// variant per distinct set of concrete input shapes on first use, caching it
// for the life of the object. Thread-safe.
//
// Shape-determining inputs: when a shape rule or emitter needs the contents of
// a value (ir::ValueRequired: e.g. Reshape's `shape`, Slice's `starts`, Resize's
// `scales` fed from outside the graph), the graph inputs that value is computed
// from become *value-keyed*: their contents are bound as constants during
// specialization and are part of the variant key, the way a JIT specializes on
// a function's static arguments. Only small inputs (kMaxKeyedElements) are
// keyed; a value computed from a large input is reported as an error.
#pragma once

#include <chrono>
#include <string>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "codegen/compiler.h"
#include "ir/graph.h"
#include "runtime/compiled_model.h"

namespace kiln::codegen {

struct CompileStats {
  double specializeMs = 0;  // shape specialization + constant folding
  double codegenMs = 0;     // lowering, LLVM optimization, JIT; on a cache hit: reading and linking the entry
  bool cacheHit = false;    // loaded from the persistent compile cache
  std::string cacheNote;    // why the cache was not used or not written, or a rejected entry; empty if none
  double totalMs() const { return specializeMs + codegenMs; }
};

// Specializes `graph` to the input shapes (and the contents of value-keyed
// inputs, `values[i]` non-null) and runs the graph pass pipeline of `options`:
// the static graph compileStaticGraph/buildModelImage take. Throws
// ir::ValueRequired when a shape depends on an input's contents not given.
ir::Graph prepareGraph(const ir::Graph& graph, const std::vector<std::vector<int64_t>>& shapes,
                       const std::vector<ir::TensorDataPtr>& values, const CompileOptions& options);

class JitModel {
 public:
  // Largest input (in elements) whose contents may key a variant.
  static constexpr int64_t kMaxKeyedElements = 4096;

  JitModel(ir::Graph graph, CompileOptions options);

  const ir::Graph& graph() const { return graph_; }
  const CompileOptions& options() const { return options_; }

  struct Variant {
    std::shared_ptr<const runtime::CompiledModel> model;
    std::shared_ptr<const ir::Graph> graph;  // the specialized graph it was compiled from; null on a cache hit
    CompileStats stats;
  };
  // The variant for these inputs (graph().inputs order; dtypes must match),
  // compiled on first use. Their shapes, and the contents of value-keyed
  // inputs, select it.
  Variant specialize(const std::vector<runtime::Tensor>& inputs);

  // Runs on inputs in graph().inputs order. Returns outputs in graph().outputs order.
  std::vector<runtime::Tensor> run(const std::vector<runtime::Tensor>& inputs,
                                   runtime::ThreadPool& pool);

  // Whether graph().inputs[i] has been found to determine shapes.
  bool isValueKeyed(size_t i) const;

 private:
  using Key = std::pair<std::vector<std::vector<int64_t>>, std::vector<std::vector<uint8_t>>>;
  Key keyOf(const std::vector<runtime::Tensor>& inputs) const;
  Variant compile(const std::vector<runtime::Tensor>& inputs) const;
  // Marks the graph inputs that `v` is computed from as value-keyed; returns
  // false when there is none left to mark.
  bool keyInputsFeeding(ir::ValueId v, const std::vector<runtime::Tensor>& inputs, const Error& why);

  // The persistent cache's key for these inputs, or empty when the cache is off
  // for them (no cache directory, instrumented compile, value-keyed inputs).
  std::string cacheKeyOf(const std::vector<runtime::Tensor>& inputs) const;

  ir::Graph graph_;
  CompileOptions options_;
  mutable std::string digest_;  // graphDigest(graph_), computed on first use
  std::vector<int> producer_;  // value id -> index of the node that computes it, or -1
  mutable std::mutex mutex_;
  std::vector<bool> valueKeyed_;  // per graph input
  std::map<Key, Variant> variants_;
};

}  // namespace kiln::codegen
