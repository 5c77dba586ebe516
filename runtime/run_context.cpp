#include "runtime/run_context.h"

#include <chrono>
#include <cstring>

#include "ir/error.h"

namespace kiln::runtime {

RunContext::RunContext(std::shared_ptr<const CompiledModel> model) : RunContext(*model) {
  owner_ = std::move(model);
}

RunContext::RunContext(const CompiledModel& model)
    : model_(&model), arena_(DType::U8, {model.p_.arenaBytes}) {
  const CompiledModelParts& p = model.p_;
  size_t total = 0;
  for (const KernelLaunch& k : p.kernels) total += k.args.size();
  args_.reserve(total);
  argBegin_.reserve(p.kernels.size());
  for (const KernelLaunch& k : p.kernels) {
    argBegin_.push_back(args_.size());
    for (const BufferRef& r : k.args) {
      void* ptr = nullptr;
      switch (r.kind) {
        case BufferKind::Arena: ptr = static_cast<uint8_t*>(arena_.data()) + r.index; break;
        case BufferKind::Constant: ptr = const_cast<void*>(p.constants.at(static_cast<size_t>(r.index)).data()); break;
        case BufferKind::Input:
        case BufferKind::Output: patches_.push_back({args_.size(), r.kind, r.index}); break;
        case BufferKind::None: break;
      }
      args_.push_back(ptr);
    }
  }
  inputPtrs_.resize(p.inputs.size());
  outputPtrs_.resize(p.outputs.size());
}

std::vector<Tensor> RunContext::makeOutputs() const {
  std::vector<Tensor> out;
  out.reserve(model_->outputs().size());
  for (const TensorSpec& s : model_->outputs()) out.emplace_back(s.dtype, s.shape);
  return out;
}

void RunContext::check(std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  const auto& ins = model_->inputs();
  const auto& outs = model_->outputs();
  if (inputs.size() != ins.size()) fail("model takes {} inputs, got {}", ins.size(), inputs.size());
  if (outputs.size() != outs.size()) fail("model has {} outputs, got {} output tensors", outs.size(), outputs.size());
  auto same = [](const Tensor& t, const TensorSpec& s, const char* what) {
    if (t.dtype() != s.dtype)
      fail("{} '{}' has dtype {}, expected {}", what, s.name, dtypeName(t.dtype()), dtypeName(s.dtype));
    if (t.shape() != s.shape)
      fail("{} '{}' has shape {}, expected {}", what, s.name, shapeToString(t.shape()), shapeToString(s.shape));
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    same(inputs[i], ins[i], "input");
    inputPtrs_[i] = inputs[i].data();
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    same(outputs[i], outs[i], "output");
    outputPtrs_[i] = outputs[i].data();
  }
}

void RunContext::run(std::span<const Tensor> inputs, std::span<Tensor> outputs, ThreadPool& pool) {
  check(inputs, outputs);
  execute(inputPtrs_.data(), outputPtrs_.data(), pool, nullptr);
}

void RunContext::run(const void* const* inputs, void* const* outputs, ThreadPool& pool) {
  execute(inputs, outputs, pool, nullptr);
}

void RunContext::runProfiled(std::span<const Tensor> inputs, std::span<Tensor> outputs, ThreadPool& pool,
                             std::vector<double>& kernelNs) {
  check(inputs, outputs);
  kernelNs.resize(model_->numKernels(), 0.0);
  execute(inputPtrs_.data(), outputPtrs_.data(), pool, kernelNs.data());
}

void RunContext::execute(const void* const* inputs, void* const* outputs, ThreadPool& pool, double* kernelNs) {
  const CompiledModelParts& p = model_->p_;
  for (const Patch& x : patches_)
    args_[x.slot] = x.kind == BufferKind::Input ? const_cast<void*>(inputs[x.index]) : outputs[x.index];

  for (size_t ki = 0; ki < p.kernels.size(); ++ki) {
    const KernelLaunch& k = p.kernels[ki];
    auto start = kernelNs ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    void* const* a = args_.data() + argBegin_[ki];
    KernelFn fn = k.fn;
    if (k.parallelExtent <= 1 || !k.splitAcrossThreads) {
      fn(a, 0, k.parallelExtent);
    } else {
      pool.parallelFor(k.parallelExtent, [fn, a](int64_t b, int64_t e) { fn(a, b, e); });
    }
    if (kernelNs)
      kernelNs[ki] += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  }

  // Outputs no kernel writes: copies of a graph input, a constant or another output.
  for (const OutputCopy& c : p.outputCopies) {
    const void* src = nullptr;
    switch (c.source.kind) {
      case BufferKind::Arena: src = static_cast<const uint8_t*>(arena_.data()) + c.source.index; break;
      case BufferKind::Constant: src = p.constants[static_cast<size_t>(c.source.index)].data(); break;
      case BufferKind::Input: src = inputs[c.source.index]; break;
      case BufferKind::Output: src = outputs[c.source.index]; break;
      case BufferKind::None: continue;
    }
    const TensorSpec& s = p.outputs[c.output];
    size_t bytes = dtypeSize(s.dtype);
    for (int64_t d : s.shape) bytes *= static_cast<size_t>(d);
    if (bytes) std::memmove(outputs[c.output], src, bytes);
  }
}

}  // namespace kiln::runtime
