// Kiln's runtime inside an AOT library: the C ABI of runtime/aot/kiln_rt.h
// over runtime::CompiledModel, RunContext and ThreadPool.
#include "runtime/aot/kiln_rt.h"

#include <memory>
#include <string>

#include "ir/error.h"
#include "runtime/aot/cpu_features.h"
#include "runtime/model_plan.h"
#include "runtime/run_context.h"

namespace {
thread_local std::string lastError;

template <typename F>
auto guarded(F&& f, decltype(f()) onError) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    lastError = e.what();
  } catch (...) {
    lastError = "unknown error";
  }
  return onError;
}
}  // namespace

struct kiln_rt_model {
  std::shared_ptr<const kiln::runtime::CompiledModel> model;
  std::unique_ptr<kiln::runtime::ThreadPool> pool;
  std::unique_ptr<kiln::runtime::RunContext> context;
};

extern "C" kiln_rt_model* kiln_rt_create(const uint8_t* plan, uint64_t plan_size, const kiln_rt_kernel* kernels,
                                         uint64_t num_kernels, int32_t num_threads) {
  return guarded([&]() -> kiln_rt_model* {
    using namespace kiln;
    if (num_threads < 1) fail("num_threads must be at least 1, got {}", num_threads);
    runtime::ModelPlan p = runtime::decodePlan({plan, static_cast<size_t>(plan_size)}, "the library's model plan");
    runtime::requireCpuFeatures(p.targetCpu, p.targetFeatures);
    if (p.parts.kernels.size() != num_kernels)
      fail("the library's plan has {} kernels but its kernel table {}", p.parts.kernels.size(), num_kernels);
    for (size_t i = 0; i < num_kernels; ++i) p.parts.kernels[i].fn = kernels[i];
    auto m = std::make_unique<kiln_rt_model>();
    m->model = std::make_shared<const runtime::CompiledModel>(std::move(p.parts));
    m->pool = std::make_unique<runtime::ThreadPool>(num_threads);
    m->context = std::make_unique<runtime::RunContext>(m->model);
    return m.release();
  }, nullptr);
}

extern "C" int32_t kiln_rt_run(kiln_rt_model* model, const void* const* inputs, void* const* outputs) {
  return guarded([&]() -> int32_t {
    if (!model) kiln::fail("model is NULL");
    model->context->run(inputs, outputs, *model->pool);
    return 0;
  }, -1);
}

extern "C" void kiln_rt_destroy(kiln_rt_model* model) { delete model; }

extern "C" const char* kiln_rt_last_error(void) { return lastError.c_str(); }
