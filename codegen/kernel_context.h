// What an op's kernel emitter sees: an LLVM IRBuilder positioned inside the
// kernel function, typed views of the node's buffers, and loop helpers.
//
// Each op in ir/ops.def has an emitter `void emit##Name(KernelContext&)` in
// codegen/ops/FAMILY.cpp. The emitter writes straight-line IR and loops that
// compute the node's outputs from its inputs. All shapes are static here
// (inputShape/outputShape), so loop bounds and strides are compile-time
// constants that LLVM can unroll and vectorize. Buffers are dense row-major
// and never alias each other (they are `noalias` parameters), except that an
// output written in place (codegen/in_place.h) is the very same llvm::Value as
// the input whose buffer it reuses.
//
// Threading: an emitter may wrap its outermost loop in parallelFor(extent, ...)
// once; the runtime then splits [0, extent) over threads. Kernels that do not
// call it run single-threaded.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <vector>

#include "codegen/target.h"
#include "ir/error.h"
#include "ir/graph.h"

namespace kiln::codegen {

class KernelContext {
 public:
  using Body = std::function<void(llvm::Value* index)>;

  KernelContext(llvm::IRBuilder<>& b, llvm::Module& m, const ir::Graph& g, const ir::Node& n,
                const Target& target, std::vector<llvm::Value*> inputs,
                std::vector<llvm::Value*> outputs, llvm::Value* begin, llvm::Value* end);

  llvm::IRBuilder<>& b;
  llvm::Module& module;
  const ir::Graph& graph;
  const ir::Node& node;
  const Target& target;

  // ---- the node's buffers (opaque pointers to the first element)
  size_t numInputs() const { return node.inputs.size(); }
  size_t numOutputs() const { return node.outputs.size(); }
  bool hasInput(size_t i) const { return node.hasInput(i); }
  llvm::Value* input(size_t i) const;   // fails if absent
  llvm::Value* output(size_t i) const;
  const ir::TensorType& inputType(size_t i) const;
  const ir::TensorType& outputType(size_t i) const;
  std::vector<int64_t> inputShape(size_t i) const { return inputType(i).staticShape(); }
  std::vector<int64_t> outputShape(size_t i) const { return outputType(i).staticShape(); }
  DType inputDType(size_t i) const { return inputType(i).dtype; }
  DType outputDType(size_t i) const { return outputType(i).dtype; }
  // Contents of a constant input known at compile time, else nullptr. Emitters
  // may specialize on it (e.g. Resize scales) but must also accept non-constant
  // inputs where the op's shape rule does.
  const ir::TensorData* inputConstant(size_t i) const;
  // Contents of constant input i; throws ir::ValueRequired when not constant.
  const ir::TensorData& requireConstant(size_t i, const char* what) const;
  const ir::Attributes& attrs() const { return node.attrs; }
  // Set by codegen/ops/epilogue.h when an emitter takes the node's fused
  // epilogue; lowering fails for a node whose epilogue no emitter took.
  bool epilogueTaken = false;

  // ---- constants and types
  llvm::Type* llvmType(DType t) const;  // bool -> i8, f16 -> half, unsigned -> iN
  llvm::Value* i64(int64_t v) const { return b.getInt64(static_cast<uint64_t>(v)); }
  llvm::Value* f32(float v) const;
  // A constant of dtype t holding `v` (converted as C would).
  llvm::Value* constant(DType t, double v) const;

  // ---- memory: element `index` (i64, in elements) of a buffer of dtype t
  llvm::Value* elementPtr(DType t, llvm::Value* base, llvm::Value* index) const;
  llvm::Value* load(DType t, llvm::Value* base, llvm::Value* index) const;
  void store(DType t, llvm::Value* base, llvm::Value* index, llvm::Value* v) const;

  // ---- arithmetic helpers
  // Converts v from dtype `from` to dtype `to` with ONNX Cast semantics
  // (float->int truncates toward zero; anything->bool is `!= 0`; to bf16 keeps
  // the upper half of the f32 value, as the ONNX reference implementation does).
  llvm::Value* convert(llvm::Value* v, DType from, DType to) const;
  // Calls an overloaded LLVM intrinsic, e.g. callIntrinsic(Intrinsic::exp, {x}).
  llvm::Value* callIntrinsic(llvm::Intrinsic::ID id, llvm::ArrayRef<llvm::Value*> args) const;
  llvm::Value* minF(llvm::Value* a, llvm::Value* c) const;  // NaN-propagating not required
  llvm::Value* maxF(llvm::Value* a, llvm::Value* c) const;

  // ---- control flow
  // for (i = lo; i < hi; i += step) body(i). i is i64. Emits nothing if empty.
  void loop(llvm::Value* lo, llvm::Value* hi, int64_t step, const Body& body);
  void loop(int64_t lo, int64_t hi, const Body& body) { loop(i64(lo), i64(hi), 1, body); }
  // A nest over `extents` (outermost first); body receives one index per dim.
  void loopNest(const std::vector<int64_t>& extents,
                const std::function<void(const std::vector<llvm::Value*>&)>& body);
  // The parallel outer loop: body runs for i in [begin, end) of [0, extent).
  void parallelFor(int64_t extent, const Body& body);
  int64_t parallelExtent() const { return parallelExtent_; }
  // if (cond) then(); emitted as a branch.
  void ifThen(llvm::Value* cond, const std::function<void()>& then);

  // Normalizes a possibly negative axis into [0, rank); fails when out of range
  // (the same rule as ir::InferContext::normalizeAxis).
  size_t normalizeAxis(int64_t axis, int64_t rank) const;

  // Row-major linear index of `idx` in a tensor of `shape` (i64 values).
  llvm::Value* linearIndex(const std::vector<int64_t>& shape,
                           const std::vector<llvm::Value*>& idx) const;

  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) const {
    throw Error(graph.describe(node) + ": " + fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  std::vector<llvm::Value*> inputs_, outputs_;
  llvm::Value* begin_;
  llvm::Value* end_;
  int64_t parallelExtent_ = 1;
};

// Row-major strides of a shape, in elements.
std::vector<int64_t> stridesOf(const std::vector<int64_t>& shape);

#define KILN_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family) void emit##Name(KernelContext&);
#define KILN_HOST_OP(Name, MinIn, MaxIn, MinOut, MaxOut, Family)
#include "ir/ops.def"
#undef KILN_OP
#undef KILN_HOST_OP

}  // namespace kiln::codegen
