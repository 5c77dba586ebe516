// The reusable run state of one caller of a CompiledModel: the arena and every
// kernel's argument pointers, resolved once when the context is created.
//
// A CompiledModel is immutable and may be run from several threads at once;
// each thread owns its own RunContext (a context is not itself thread-safe).
// After construction, run() allocates nothing on the heap: the arena is reused,
// the argument table only has its input and output slots patched, outputs go
// into tensors the caller allocated once (makeOutputs()), and
// ThreadPool::parallelFor takes the kernel by reference. Kernels themselves do
// not allocate. tests/unit/test_zero_alloc.cpp counts allocations to keep it so.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/compiled_model.h"

namespace kiln::runtime {

class RunContext {
 public:
  // `model` must outlive the context.
  explicit RunContext(const CompiledModel& model);
  // Keeps `model` alive for the life of the context.
  explicit RunContext(std::shared_ptr<const CompiledModel> model);
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  const CompiledModel& model() const { return *model_; }

  // Zero-filled tensors with the dtypes and shapes of model().outputs(), to be
  // passed to run() as its outputs, again and again.
  std::vector<Tensor> makeOutputs() const;

  // Runs on inputs in model().inputs() order and writes the outputs, given in
  // model().outputs() order with exactly those dtypes and shapes. Throws
  // kiln::Error naming the tensor on a mismatch. Outputs must not overlap inputs.
  void run(std::span<const Tensor> inputs, std::span<Tensor> outputs, ThreadPool& pool);
  // Unchecked form: one data pointer per input and per output, each pointing to
  // a dense buffer of the model's dtype and shape for that tensor.
  void run(const void* const* inputs, void* const* outputs, ThreadPool& pool);
  // run(), and adds each kernel's wall time in nanoseconds to kernelNs[k]
  // (resized to model().numKernels()). For `kiln bench --profile`.
  void runProfiled(std::span<const Tensor> inputs, std::span<Tensor> outputs, ThreadPool& pool,
                   std::vector<double>& kernelNs);

 private:
  void check(std::span<const Tensor> inputs, std::span<Tensor> outputs);
  void execute(const void* const* inputs, void* const* outputs, ThreadPool& pool, double* kernelNs);

  // An argument slot filled with a run's input or output pointer.
  struct Patch {
    size_t slot;
    BufferKind kind;  // Input or Output
    int64_t index;
  };

  std::shared_ptr<const CompiledModel> owner_;  // may be empty
  const CompiledModel* model_;
  Tensor arena_;
  std::vector<void*> args_;      // every kernel's arguments, concatenated
  std::vector<size_t> argBegin_;  // per kernel: its first slot in args_
  std::vector<Patch> patches_;
  // Scratch for the Tensor overloads: the data pointers of the current run.
  std::vector<const void*> inputPtrs_;
  std::vector<void*> outputPtrs_;
};

}  // namespace kiln::runtime
