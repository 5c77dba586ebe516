// One compiled, shape-specialized model: a kernel table, constants and an
// arena plan. Immutable after construction; run() may be called from several
// threads at once (each call gets its own arena).
//
// run() allocates the arena and the outputs on every call. The allocation-free
// path is a RunContext (runtime/run_context.h) per calling thread, which holds
// the arena and the resolved kernel arguments and writes into outputs the
// caller allocated once.
//
// Kernel ABI (what codegen emits, see codegen/lower.cpp):
//   void kernel(void* const* args, int64_t begin, int64_t end)
// `args` holds one pointer per KernelLaunch::args entry (the node's inputs in
// order, absent optional inputs as nullptr, then its outputs). The kernel
// computes the slice [begin, end) of its parallel dimension, whose extent is
// KernelLaunch::parallelExtent (1 when the kernel is not split).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/tensor.h"
#include "runtime/thread_pool.h"

namespace kiln::runtime {

using KernelFn = void (*)(void* const* args, int64_t begin, int64_t end);

enum class BufferKind : uint8_t { None, Arena, Constant, Input, Output };

// Where a kernel argument lives: an arena byte offset, or an index into the
// model's constants, the run's inputs or the run's outputs.
struct BufferRef {
  BufferKind kind = BufferKind::None;
  int64_t index = 0;
};

struct KernelLaunch {
  std::string name;  // symbol name, for profiles and errors
  std::string detail;  // the node and its output shape, for profiles
  KernelFn fn = nullptr;
  int64_t parallelExtent = 1;
  bool splitAcrossThreads = true;  // false: too little work to pay for a hand-off
  std::vector<BufferRef> args;
};

struct TensorSpec {
  std::string name;
  DType dtype = DType::Undefined;
  std::vector<int64_t> shape;
};

// A graph output that no kernel writes (it is a graph input or a constant) is
// copied from `source` after the kernels run.
struct OutputCopy {
  size_t output;
  BufferRef source;
};

struct CompiledModelParts {
  std::vector<TensorSpec> inputs, outputs;
  std::vector<Tensor> constants;
  int64_t arenaBytes = 0;
  std::vector<KernelLaunch> kernels;
  std::vector<OutputCopy> outputCopies;
  std::shared_ptr<void> codeOwner;  // keeps the JIT-compiled code alive
};

class RunContext;

class CompiledModel {
 public:
  explicit CompiledModel(CompiledModelParts parts) : p_(std::move(parts)) {}

  const std::vector<TensorSpec>& inputs() const { return p_.inputs; }
  const std::vector<TensorSpec>& outputs() const { return p_.outputs; }
  size_t numKernels() const { return p_.kernels.size(); }
  int64_t arenaBytes() const { return p_.arenaBytes; }

  // Runs on inputs given in inputs() order; their dtypes and shapes must match
  // exactly (throws kiln::Error naming the tensor otherwise). Returns outputs in
  // outputs() order.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, ThreadPool& pool) const;
  // Same, and adds each kernel's wall time in nanoseconds to kernelNs[k]
  // (resized to numKernels()). For `kiln bench --profile`.
  std::vector<Tensor> runProfiled(const std::vector<Tensor>& inputs, ThreadPool& pool,
                                  std::vector<double>& kernelNs) const;
  const KernelLaunch& kernel(size_t k) const { return p_.kernels.at(k); }

 private:
  friend class RunContext;
  CompiledModelParts p_;
};

}  // namespace kiln::runtime
