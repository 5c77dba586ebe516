#include "codegen/compiler.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <thread>

#include "codegen/in_place.h"
#include "codegen/jit.h"
#include "codegen/llvm_pipeline.h"
#include "codegen/lower.h"
#include "codegen/work_estimate.h"
#include "passes/memory_plan.h"
#include "runtime/tensor_convert.h"

namespace kiln::codegen {

namespace {

runtime::Tensor tensorFromConstant(const ir::TensorData& c) {
  if (c.dtype == DType::String) fail("string constants are not supported in kernels");
  return runtime::toTensor(c);
}

// The memory plan compiled models use: view ops alias their input (no kernel),
// elementwise kernels write in place into an input that dies with them.
passes::MemoryPlanOptions planOptions() {
  passes::MemoryPlanOptions o;
  o.views = true;
  o.mayWriteInPlace = kernelMayWriteInPlace;
  return o;
}

// Where each value lives at run time.
class BufferAssignment {
 public:
  BufferAssignment(const ir::Graph& g, runtime::CompiledModelParts& parts)
      : g_(g), parts_(parts), plan_(passes::planMemory(g, planOptions())) {
    parts_.arenaBytes = plan_.arenaBytes;
    for (size_t i = 0; i < g.inputs.size(); ++i) inputIndex_.emplace(g.inputs[i], i);
    for (size_t i = 0; i < g.outputs.size(); ++i) outputIndex_.emplace(g.outputs[i], i);
  }

  runtime::BufferRef ref(ir::ValueId v) {
    using runtime::BufferKind;
    if (v == ir::kNoValue) return {BufferKind::None, 0};
    const ir::Value& val = g_.value(v);
    if (val.isConstant()) {
      auto it = constantIndex_.find(v);
      if (it == constantIndex_.end()) {
        it = constantIndex_.emplace(v, parts_.constants.size()).first;
        parts_.constants.push_back(tensorFromConstant(*val.constant));
      }
      return {BufferKind::Constant, static_cast<int64_t>(it->second)};
    }
    if (auto it = inputIndex_.find(v); it != inputIndex_.end())
      return {BufferKind::Input, static_cast<int64_t>(it->second)};
    if (auto it = outputIndex_.find(v); it != outputIndex_.end())
      return {BufferKind::Output, static_cast<int64_t>(it->second)};
    int64_t off = plan_.offsets.at(static_cast<size_t>(v));
    if (off >= 0) return {BufferKind::Arena, off};
    // A view of a graph input, a constant or a graph output lives there.
    if (ir::ValueId base = plan_.sharesBufferOf.at(static_cast<size_t>(v)); base != ir::kNoValue) return ref(base);
    fail("internal error: value '{}' has no buffer", val.name);
  }

  const passes::MemoryPlan& plan() const { return plan_; }

 private:
  const ir::Graph& g_;
  runtime::CompiledModelParts& parts_;
  passes::MemoryPlan plan_;
  std::map<ir::ValueId, size_t> inputIndex_, outputIndex_, constantIndex_;
};

// LLVM compiles on as many threads as the machine has (compile time is
// latency the user waits for; kernels are independent modules).
int compileThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return static_cast<int>(n == 0 ? 1 : std::min(n, 16u));
}

runtime::TensorSpec specOf(const ir::Graph& g, ir::ValueId v) {
  return runtime::TensorSpec{g.value(v).name, g.type(v).dtype, g.type(v).staticShape()};
}

}  // namespace

ModelImage buildModelImage(const ir::Graph& g, const CompileOptions& options) {
  ModelImage image;
  runtime::CompiledModelParts& parts = image.plan.parts;
  image.plan.targetCpu = options.target.cpu;
  image.plan.targetFeatures = options.target.features;
  for (ir::ValueId v : g.inputs) parts.inputs.push_back(specOf(g, v));
  for (ir::ValueId v : g.outputs) parts.outputs.push_back(specOf(g, v));

  for (const ir::Node& n : g.nodes) requireStaticShapes(g, n);
  BufferAssignment buffers(g, parts);
  const passes::MemoryPlan& plan = buffers.plan();

  // One module per kernel, so LLVM optimizes and compiles them in parallel.
  // View nodes get no kernel: their output is their input's buffer.
  std::vector<ModuleWithContext> modules;
  std::vector<LoweredKernel> lowered;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (plan.isView[i]) continue;
    ModuleWithContext m;
    m.context = std::make_unique<llvm::LLVMContext>();
    m.module = std::make_unique<llvm::Module>(fmt::format("kiln_k{}", i), *m.context);
    lowered.push_back(lowerNodes(g, {i}, *m.module, options.target, "kiln_k", plan.inPlaceInput).at(0));
    modules.push_back(std::move(m));
  }
  image.objects = emitObjects(modules, options.target, options.optLevel, compileThreads());

  std::vector<bool> written(g.outputs.size(), false);
  for (const LoweredKernel& k : lowered) {
    const ir::Node& n = g.nodes[k.nodeIndex];
    runtime::KernelLaunch launch;
    launch.name = k.symbol;
    launch.detail = fmt::format("{} -> {}", g.describe(n),
                                n.outputs.empty() ? std::string() : runtime::shapeToString(g.type(n.outputs[0]).staticShape()));
    launch.parallelExtent = k.parallelExtent;
    launch.splitAcrossThreads = estimateWork(g, n) >= kMinParallelWork;
    for (ir::ValueId v : n.inputs) launch.args.push_back(buffers.ref(v));
    for (ir::ValueId v : n.outputs) {
      runtime::BufferRef r = buffers.ref(v);
      if (r.kind == runtime::BufferKind::Output) written[static_cast<size_t>(r.index)] = true;
      launch.args.push_back(r);
    }
    parts.kernels.push_back(std::move(launch));
  }
  // Outputs no kernel wrote: graph inputs, constants, or a value listed twice.
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    if (written[i]) continue;
    runtime::BufferRef src = buffers.ref(g.outputs[i]);
    if (src.kind == runtime::BufferKind::Output && static_cast<size_t>(src.index) == i)
      fail("internal error: output '{}' is never computed", g.value(g.outputs[i]).name);
    parts.outputCopies.push_back({i, src});
  }
  return image;
}

std::shared_ptr<const runtime::CompiledModel> loadModelImage(ModelImage image, const Target& target) {
  auto jit = std::make_shared<Jit>(target, 0);
  for (size_t i = 0; i < image.objects.size(); ++i)
    jit->addObject(std::move(image.objects[i]), fmt::format("kernel object {}", i));
  runtime::CompiledModelParts& parts = image.plan.parts;
  std::vector<std::string> symbols;
  for (const runtime::KernelLaunch& k : parts.kernels) symbols.push_back(k.name);
  std::vector<void*> addresses = jit->lookupAll(symbols);
  for (size_t i = 0; i < parts.kernels.size(); ++i)
    parts.kernels[i].fn = reinterpret_cast<runtime::KernelFn>(addresses[i]);
  parts.codeOwner = jit;
  return std::make_shared<const runtime::CompiledModel>(std::move(parts));
}

std::shared_ptr<const runtime::CompiledModel> compileStaticGraph(const ir::Graph& g,
                                                                 const CompileOptions& options) {
  return loadModelImage(buildModelImage(g, options), options.target);
}

std::string compileToAssembly(const ir::Graph& g, const CompileOptions& options) {
  Jit jit(options.target, options.optLevel);
  std::string text;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    llvm::LLVMContext context;
    llvm::Module module(fmt::format("kiln_k{}", i), context);
    lowerNodes(g, {i}, module, options.target, "kiln_k");
    text += jit.assembly(module);
  }
  return text;
}

struct JitConstantEvaluator::Impl {
  explicit Impl(const Target& t) : jit(t, 1) {}
  Jit jit;
  int counter = 0;
};

JitConstantEvaluator::JitConstantEvaluator(const Target& target)
    : impl_(std::make_unique<Impl>(target)) {}
JitConstantEvaluator::~JitConstantEvaluator() = default;

std::vector<ir::TensorDataPtr> JitConstantEvaluator::evaluate(const ir::Graph& g, const ir::Node& n) {
  size_t index = static_cast<size_t>(&n - g.nodes.data());
  if (index >= g.nodes.size()) fail("internal error: node is not in the graph");
  auto context = std::make_unique<llvm::LLVMContext>();
  auto module = std::make_unique<llvm::Module>("kiln_fold", *context);
  std::string prefix = fmt::format("kiln_fold{}_", impl_->counter++);
  LoweredKernel k = lowerNodes(g, {index}, *module, impl_->jit.target(), prefix).at(0);
  impl_->jit.addModule(std::move(module), std::move(context));
  auto fn = reinterpret_cast<runtime::KernelFn>(impl_->jit.lookup(k.symbol));

  std::vector<std::shared_ptr<ir::TensorData>> results;
  std::vector<void*> args;
  for (ir::ValueId v : n.inputs)
    args.push_back(v == ir::kNoValue ? nullptr
                                     : const_cast<uint8_t*>(g.value(v).constant->bytes.data()));
  for (ir::ValueId v : n.outputs) {
    auto t = std::make_shared<ir::TensorData>();
    t->dtype = g.type(v).dtype;
    t->shape = g.type(v).staticShape();
    // One spare element so an empty tensor still has a valid pointer.
    t->bytes.resize(static_cast<size_t>(t->numElements() + 1) * dtypeSize(t->dtype));
    args.push_back(t->bytes.data());
    results.push_back(t);
  }
  fn(args.data(), 0, k.parallelExtent);
  std::vector<ir::TensorDataPtr> out;
  for (auto& t : results) {
    t->bytes.resize(static_cast<size_t>(t->numElements()) * dtypeSize(t->dtype));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace kiln::codegen
