#include "runtime/compiled_model.h"

#include <chrono>
#include <cstring>

#include "ir/error.h"

namespace kiln::runtime {

std::vector<Tensor> CompiledModel::run(const std::vector<Tensor>& inputs, ThreadPool& pool) const {
  return runImpl(inputs, pool, nullptr);
}

std::vector<Tensor> CompiledModel::runProfiled(const std::vector<Tensor>& inputs, ThreadPool& pool,
                                               std::vector<double>& kernelNs) const {
  kernelNs.resize(p_.kernels.size(), 0.0);
  return runImpl(inputs, pool, &kernelNs);
}

std::vector<Tensor> CompiledModel::runImpl(const std::vector<Tensor>& inputs, ThreadPool& pool,
                                           std::vector<double>* kernelNs) const {
  if (inputs.size() != p_.inputs.size())
    fail("model takes {} inputs, got {}", p_.inputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec& s = p_.inputs[i];
    if (inputs[i].dtype() != s.dtype)
      fail("input '{}' has dtype {}, expected {}", s.name, dtypeName(inputs[i].dtype()),
           dtypeName(s.dtype));
    if (inputs[i].shape() != s.shape)
      fail("input '{}' has shape {}, expected {}", s.name, shapeToString(inputs[i].shape()),
           shapeToString(s.shape));
  }
  std::vector<Tensor> outputs;
  outputs.reserve(p_.outputs.size());
  for (const TensorSpec& s : p_.outputs) outputs.emplace_back(s.dtype, s.shape);
  Tensor arena(DType::U8, {p_.arenaBytes});

  auto resolve = [&](const BufferRef& r) -> void* {
    switch (r.kind) {
      case BufferKind::Arena: return static_cast<uint8_t*>(arena.data()) + r.index;
      case BufferKind::Constant: return const_cast<void*>(p_.constants.at(r.index).data());
      case BufferKind::Input: return const_cast<void*>(inputs.at(r.index).data());
      case BufferKind::Output: return outputs.at(r.index).data();
      case BufferKind::None: return nullptr;
    }
    return nullptr;
  };

  std::vector<void*> args;
  for (size_t ki = 0; ki < p_.kernels.size(); ++ki) {
    const KernelLaunch& k = p_.kernels[ki];
    auto start = kernelNs ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    args.clear();
    for (const BufferRef& r : k.args) args.push_back(resolve(r));
    void* const* a = args.data();
    KernelFn fn = k.fn;
    if (k.parallelExtent <= 1 || !k.splitAcrossThreads) {
      fn(a, 0, k.parallelExtent);
    } else {
      pool.parallelFor(k.parallelExtent, [fn, a](int64_t b, int64_t e) { fn(a, b, e); });
    }
    if (kernelNs)
      (*kernelNs)[ki] += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  }
  for (const OutputCopy& c : p_.outputCopies)
    std::memcpy(outputs.at(c.output).data(), resolve(c.source), outputs[c.output].byteSize());
  return outputs;
}

}  // namespace kiln::runtime
