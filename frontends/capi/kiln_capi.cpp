// The C API (runtime/include/kiln.h) over the JIT pipeline: ONNX import,
// shape specialization at first run, LLVM codegen, runtime execution.
#include "kiln.h"

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "codegen/staged_model.h"
#include "frontends/onnx/importer.h"
#include "ir/error.h"

namespace {

thread_local std::string lastError;

template <typename F>
auto guarded(F&& f, decltype(f()) onError) -> decltype(f()) {
  try {
    lastError.clear();
    return f();
  } catch (const std::exception& e) {
    lastError = e.what();
  } catch (...) {
    lastError = "unknown error";
  }
  return onError;
}

}  // namespace

struct kiln_model {
  // Models with host ops (control flow, data-dependent shapes) run staged;
  // through the C API their inputs and outputs must be numeric tensors.
  std::unique_ptr<kiln::codegen::StagedModel> jit;
  std::unique_ptr<kiln::runtime::ThreadPool> pool;
  std::mutex poolMutex;  // the pool runs one model invocation at a time
};

struct kiln_result {
  std::vector<std::string> names;
  std::vector<kiln::runtime::Tensor> tensors;
};

extern "C" {

void kiln_options_init(kiln_options* options) {
  options->threads = 1;
  options->opt_level = 3;
}

kiln_model* kiln_model_load(const char* onnx_path, const kiln_options* options) {
  return guarded([&]() -> kiln_model* {
    if (!onnx_path) kiln::fail("model path is NULL");
    kiln_options opts;
    kiln_options_init(&opts);
    if (options) opts = *options;
    if (opts.threads < 0 || opts.threads > 1024) kiln::fail("threads must be 0..1024");
    if (opts.opt_level < 0 || opts.opt_level > 3) kiln::fail("opt_level must be 0..3");
    auto m = std::make_unique<kiln_model>();
    kiln::codegen::CompileOptions co;
    co.optLevel = opts.opt_level;
    m->jit = std::make_unique<kiln::codegen::StagedModel>(kiln::onnx::importModel(onnx_path), co);
    m->pool = std::make_unique<kiln::runtime::ThreadPool>(opts.threads == 0 ? 1 : opts.threads);
    return m.release();
  }, nullptr);
}

void kiln_model_free(kiln_model* model) { delete model; }

size_t kiln_model_num_inputs(const kiln_model* m) { return m ? m->jit->graph().inputs.size() : 0; }
size_t kiln_model_num_outputs(const kiln_model* m) { return m ? m->jit->graph().outputs.size() : 0; }

const char* kiln_model_input_name(const kiln_model* m, size_t i) {
  if (!m || i >= m->jit->graph().inputs.size()) return nullptr;
  return m->jit->graph().value(m->jit->graph().inputs[i]).name.c_str();
}

const char* kiln_model_output_name(const kiln_model* m, size_t i) {
  if (!m || i >= m->jit->graph().outputs.size()) return nullptr;
  return m->jit->graph().value(m->jit->graph().outputs[i]).name.c_str();
}

kiln_result* kiln_model_run(kiln_model* m, size_t num_inputs, const char* const* names,
                            const kiln_tensor* inputs) {
  return guarded([&]() -> kiln_result* {
    if (!m) kiln::fail("model is NULL");
    const kiln::ir::Graph& g = m->jit->graph();
    if (num_inputs != g.inputs.size()) kiln::fail("model takes {} inputs, got {}", g.inputs.size(), num_inputs);
    if (num_inputs && (!names || !inputs)) kiln::fail("names or inputs is NULL");
    std::vector<kiln::runtime::Value> ordered(g.inputs.size());
    std::vector<bool> given(g.inputs.size(), false);
    for (size_t k = 0; k < num_inputs; ++k) {
      if (!names[k]) kiln::fail("input name {} is NULL", k);
      size_t idx = g.inputs.size();
      for (size_t i = 0; i < g.inputs.size(); ++i)
        if (g.value(g.inputs[i]).name == names[k]) idx = i;
      if (idx == g.inputs.size()) kiln::fail("model has no input '{}'", names[k]);
      if (given[idx]) kiln::fail("input '{}' given twice", names[k]);
      const kiln_tensor& t = inputs[k];
      auto dtype = kiln::dtypeFromOnnx(t.dtype);
      if (!dtype || kiln::dtypeSize(*dtype) == 0) kiln::fail("input '{}': unsupported dtype {}", names[k], t.dtype);
      if (t.rank < 0 || t.rank > 16 || (t.rank > 0 && !t.shape)) kiln::fail("input '{}': bad rank", names[k]);
      std::vector<int64_t> shape(t.shape, t.shape + t.rank);
      kiln::runtime::Tensor copy(*dtype, shape);
      if (copy.byteSize() && !t.data) kiln::fail("input '{}': data is NULL", names[k]);
      if (copy.byteSize()) std::memcpy(copy.data(), t.data, copy.byteSize());
      ordered[idx] = std::move(copy);
      given[idx] = true;
    }
    std::vector<kiln::runtime::Value> outs;
    {
      std::lock_guard<std::mutex> lock(m->poolMutex);
      outs = m->jit->run(ordered, *m->pool);
    }
    auto r = std::make_unique<kiln_result>();
    for (size_t i = 0; i < outs.size(); ++i) {
      const std::string& name = g.value(g.outputs[i]).name;
      if (!outs[i].isTensor() || outs[i].tensor().dtype() == kiln::DType::String)
        kiln::fail("output '{}' is a {}; the C API returns numeric tensors only", name,
                   outs[i].isTensor() ? "string tensor" : kiln::runtime::kindName(outs[i].kind()));
      r->names.push_back(name);
      r->tensors.push_back(outs[i].tensor());
    }
    return r.release();
  }, nullptr);
}

size_t kiln_result_num_outputs(const kiln_result* r) { return r ? r->tensors.size() : 0; }

const char* kiln_result_output_name(const kiln_result* r, size_t i) {
  return r && i < r->names.size() ? r->names[i].c_str() : nullptr;
}

kiln_tensor kiln_result_output(const kiln_result* r, size_t i) {
  kiln_tensor t{0, 0, nullptr, nullptr};
  if (!r || i >= r->tensors.size()) return t;
  const kiln::runtime::Tensor& x = r->tensors[i];
  t.dtype = static_cast<int32_t>(x.dtype());
  t.rank = static_cast<int32_t>(x.shape().size());
  t.shape = x.shape().data();
  t.data = const_cast<void*>(x.data());
  return t;
}

void kiln_result_free(kiln_result* r) { delete r; }

const char* kiln_last_error(void) { return lastError.c_str(); }

}  // extern "C"
