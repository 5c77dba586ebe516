#include "frontends/cli/aot_model.h"

#include <dlfcn.h>

#include "ir/error.h"

namespace kiln::cli {

namespace {
template <typename F>
F symbol(void* handle, const char* name, const std::string& path) {
  void* p = dlsym(handle, name);
  if (!p) fail("'{}' is not a Kiln model library: it has no {}", path, name);
  return reinterpret_cast<F>(p);
}
}  // namespace

AotModel::AotModel(const std::string& path, int numThreads) : path_(path) {
  // RTLD_LOCAL: each library keeps its own runtime and kernels. RTLD_NODELETE: the library's static
  // libstdc++ allocates its exception emergency pool once and never frees it; unmapping the library at
  // dlclose would drop the only pointer to it (LeakSanitizer reports 72 KiB), so the mapping stays.
  handle_ = dlopen(path.find('/') == std::string::npos ? ("./" + path).c_str() : path.c_str(),
                   RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle_) fail("cannot load model library '{}': {}", path, dlerror());
  try {
    auto planOf = symbol<const uint8_t* (*)(uint64_t*)>(handle_, "kiln_aot_plan", path);
    auto create = symbol<void* (*)(int32_t)>(handle_, "kiln_aot_create", path);
    run_ = symbol<int32_t (*)(void*, const void* const*, void* const*)>(handle_, "kiln_aot_run", path);
    destroy_ = symbol<void (*)(void*)>(handle_, "kiln_aot_destroy", path);
    lastError_ = symbol<const char* (*)()>(handle_, "kiln_aot_last_error", path);
    uint64_t size = 0;
    const uint8_t* bytes = planOf(&size);
    plan_ = runtime::decodePlan({bytes, static_cast<size_t>(size)}, "the plan in " + path);
    model_ = create(numThreads);
    if (!model_) fail("{}: {}", path, lastError_());
  } catch (...) {
    dlclose(handle_);
    throw;
  }
  for (const runtime::TensorSpec& s : plan_.parts.inputs)
    interface_.inputs.push_back(interface_.addValue(s.name, ir::staticType(s.dtype, s.shape)));
  for (const runtime::TensorSpec& s : plan_.parts.outputs)
    interface_.outputs.push_back(interface_.addValue(s.name, ir::staticType(s.dtype, s.shape)));
}

AotModel::~AotModel() {
  destroy_(model_);
  dlclose(handle_);
}

std::vector<runtime::Tensor> AotModel::run(const std::vector<runtime::Tensor>& inputs) {
  const auto& specs = plan_.parts.inputs;
  if (inputs.size() != specs.size()) fail("model takes {} inputs, got {}", specs.size(), inputs.size());
  std::vector<const void*> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != specs[i].dtype || inputs[i].shape() != specs[i].shape)
      fail("input '{}' is {}[{}], the library was compiled for {}[{}]", specs[i].name, dtypeName(inputs[i].dtype()),
           runtime::shapeToString(inputs[i].shape()), dtypeName(specs[i].dtype), runtime::shapeToString(specs[i].shape));
    in.push_back(inputs[i].data());
  }
  std::vector<runtime::Tensor> outputs;
  std::vector<void*> out;
  for (const runtime::TensorSpec& s : plan_.parts.outputs) {
    outputs.emplace_back(s.dtype, s.shape);
    out.push_back(outputs.back().data());
  }
  if (run_(model_, in.data(), out.data()) != 0) fail("{}: {}", path_, lastError_());
  return outputs;
}

}  // namespace kiln::cli
