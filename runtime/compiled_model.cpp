#include "runtime/compiled_model.h"

#include <cstring>

#include "ir/error.h"

namespace kiln::runtime {

std::vector<Tensor> CompiledModel::run(const std::vector<Tensor>& inputs, ThreadPool& pool) const {
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
  for (const KernelLaunch& k : p_.kernels) {
    args.clear();
    for (const BufferRef& r : k.args) args.push_back(resolve(r));
    void* const* a = args.data();
    KernelFn fn = k.fn;
    if (k.parallelExtent <= 1 || !k.splitAcrossThreads) {
      fn(a, 0, k.parallelExtent);
    } else {
      pool.parallelFor(k.parallelExtent, [fn, a](int64_t b, int64_t e) { fn(a, b, e); });
    }
  }
  for (const OutputCopy& c : p_.outputCopies)
    std::memcpy(outputs.at(c.output).data(), resolve(c.source), outputs[c.output].byteSize());
  return outputs;
}

}  // namespace kiln::runtime
