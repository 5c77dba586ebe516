// The C API (runtime/include/kiln.h) over the JIT pipeline: ONNX import,
// shape specialization at first run, LLVM codegen, runtime execution.
//
// kiln_model_run_into keeps the compiled variant and a runtime::RunContext
// for the last input shapes, so repeated runs of a fully compiled model on
// same-shaped inputs take no heap allocation: inputs are read in place and
// outputs written into the caller's buffers.
#include "kiln.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "codegen/staged_model.h"
#include "frontends/onnx/importer.h"
#include "ir/error.h"
#include "runtime/run_context.h"

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

// What kiln_model_run_into reuses between runs of a fully compiled model: the
// variant compiled for the last input shapes (and the contents of value-keyed
// inputs) and its run state.
struct PreparedRun {
  std::unique_ptr<kiln::runtime::RunContext> context;
  std::vector<std::vector<int64_t>> shapes;       // per graph input
  std::vector<uint8_t> keyed;                     // per graph input: contents select the variant
  std::vector<std::vector<uint8_t>> keyedBytes;  // per graph input, when keyed
};

struct kiln_model {
  // Models with host ops (control flow, data-dependent shapes) run staged;
  // through the C API their inputs and outputs must be numeric tensors.
  std::unique_ptr<kiln::codegen::StagedModel> jit;
  std::unique_ptr<kiln::runtime::ThreadPool> pool;
  std::mutex poolMutex;  // the pool runs one model invocation at a time
  // kiln_model_run_into's state, guarded by poolMutex.
  PreparedRun prepared;
  std::vector<const kiln_tensor*> ordered;  // per graph input: the caller's tensor
  std::vector<const void*> inputPtrs;
  std::vector<void*> outputPtrs;
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
    m->ordered.resize(m->jit->graph().inputs.size());
    m->inputPtrs.resize(m->jit->graph().inputs.size());
    m->outputPtrs.resize(m->jit->graph().outputs.size());
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

namespace {

using kiln::runtime::Tensor;

// Checks a caller's tensor view: a known numeric dtype, a sane rank, data
// present when it has elements. Returns its dtype.
kiln::DType checkView(const kiln_tensor& t, const char* what, const std::string& name) {
  auto dtype = kiln::dtypeFromOnnx(t.dtype);
  if (!dtype || kiln::dtypeSize(*dtype) == 0) kiln::fail("{} '{}': unsupported dtype {}", what, name, t.dtype);
  if (t.rank < 0 || t.rank > 16 || (t.rank > 0 && !t.shape)) kiln::fail("{} '{}': bad rank", what, name);
  int64_t n = 1;
  for (int32_t d = 0; d < t.rank; ++d) {
    if (t.shape[d] < 0) kiln::fail("{} '{}': negative dim {}", what, name, t.shape[d]);
    n *= t.shape[d];
  }
  if (n > 0 && !t.data) kiln::fail("{} '{}': data is NULL", what, name);
  return *dtype;
}

bool sameShape(const kiln_tensor& t, const std::vector<int64_t>& shape) {
  return static_cast<size_t>(t.rank) == shape.size() && std::equal(shape.begin(), shape.end(), t.shape);
}

// Maps the caller's (name, tensor) pairs to graph input order in m->ordered.
// Allocates nothing unless it fails.
void orderInputs(kiln_model* m, size_t num_inputs, const char* const* names, const kiln_tensor* inputs) {
  const kiln::ir::Graph& g = m->jit->graph();
  if (num_inputs != g.inputs.size()) kiln::fail("model takes {} inputs, got {}", g.inputs.size(), num_inputs);
  if (num_inputs && (!names || !inputs)) kiln::fail("names or inputs is NULL");
  std::fill(m->ordered.begin(), m->ordered.end(), nullptr);
  for (size_t k = 0; k < num_inputs; ++k) {
    if (!names[k]) kiln::fail("input name {} is NULL", k);
    size_t idx = g.inputs.size();
    for (size_t i = 0; i < g.inputs.size(); ++i)
      if (g.value(g.inputs[i]).name == names[k]) idx = i;
    if (idx == g.inputs.size()) kiln::fail("model has no input '{}'", names[k]);
    if (m->ordered[idx]) kiln::fail("input '{}' given twice", names[k]);
    checkView(inputs[k], "input", names[k]);
    m->ordered[idx] = &inputs[k];
  }
}

// Copies the ordered inputs into runtime values.
std::vector<kiln::runtime::Value> copyInputs(const kiln_model* m) {
  const kiln::ir::Graph& g = m->jit->graph();
  std::vector<kiln::runtime::Value> values(m->ordered.size());
  for (size_t i = 0; i < m->ordered.size(); ++i) {
    const kiln_tensor& t = *m->ordered[i];
    Tensor copy(checkView(t, "input", g.value(g.inputs[i]).name), std::vector<int64_t>(t.shape, t.shape + t.rank));
    if (copy.byteSize()) std::memcpy(copy.data(), t.data, copy.byteSize());
    values[i] = std::move(copy);
  }
  return values;
}

// Whether m->prepared was compiled for the ordered inputs' shapes (and keyed contents).
bool preparedMatches(const kiln_model* m, const kiln::codegen::JitModel& jit) {
  const PreparedRun& p = m->prepared;
  if (!p.context) return false;
  for (size_t i = 0; i < m->ordered.size(); ++i) {
    const kiln_tensor& t = *m->ordered[i];
    if (t.dtype != static_cast<int32_t>(p.context->model().inputs()[i].dtype) || !sameShape(t, p.shapes[i]))
      return false;
    if (jit.isValueKeyed(i) != static_cast<bool>(p.keyed[i])) return false;
    if (p.keyed[i] && !p.keyedBytes[i].empty() && std::memcmp(t.data, p.keyedBytes[i].data(), p.keyedBytes[i].size()) != 0) return false;
  }
  return true;
}

void prepare(kiln_model* m, kiln::codegen::JitModel& jit) {
  std::vector<Tensor> tensors;
  for (kiln::runtime::Value& v : copyInputs(m)) tensors.push_back(v.tensor("input"));
  auto variant = jit.specialize(tensors);
  PreparedRun p;
  p.context = std::make_unique<kiln::runtime::RunContext>(variant.model);
  for (size_t i = 0; i < tensors.size(); ++i) {
    p.shapes.push_back(tensors[i].shape());
    p.keyed.push_back(jit.isValueKeyed(i));
    const auto* bytes = static_cast<const uint8_t*>(tensors[i].data());
    p.keyedBytes.emplace_back(p.keyed[i] ? std::vector<uint8_t>(bytes, bytes + tensors[i].byteSize())
                                         : std::vector<uint8_t>());
  }
  m->prepared = std::move(p);
}

// Checks a caller's output view against the dtype and shape the model produces.
void checkOutput(const kiln_tensor& t, const std::string& name, kiln::DType dtype, const std::vector<int64_t>& shape) {
  kiln::DType given = checkView(t, "output", name);
  if (given != dtype)
    kiln::fail("output '{}' has dtype {}, the model produces {}", name, kiln::dtypeName(given), kiln::dtypeName(dtype));
  if (!sameShape(t, shape))
    kiln::fail("output '{}' has shape {}, the model produces {}", name,
               kiln::runtime::shapeToString(std::vector<int64_t>(t.shape, t.shape + t.rank)),
               kiln::runtime::shapeToString(shape));
}

}  // namespace

kiln_result* kiln_model_run(kiln_model* m, size_t num_inputs, const char* const* names,
                            const kiln_tensor* inputs) {
  return guarded([&]() -> kiln_result* {
    if (!m) kiln::fail("model is NULL");
    const kiln::ir::Graph& g = m->jit->graph();
    std::vector<kiln::runtime::Value> outs;
    {
      std::lock_guard<std::mutex> lock(m->poolMutex);
      orderInputs(m, num_inputs, names, inputs);
      std::vector<kiln::runtime::Value> ordered = copyInputs(m);
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

int kiln_model_run_into(kiln_model* m, size_t num_inputs, const char* const* names, const kiln_tensor* inputs,
                        size_t num_outputs, const kiln_tensor* outputs) {
  return guarded([&]() -> int {
    if (!m) kiln::fail("model is NULL");
    const kiln::ir::Graph& g = m->jit->graph();
    if (num_outputs != g.outputs.size()) kiln::fail("model has {} outputs, got {}", g.outputs.size(), num_outputs);
    if (num_outputs && !outputs) kiln::fail("outputs is NULL");
    std::lock_guard<std::mutex> lock(m->poolMutex);
    orderInputs(m, num_inputs, names, inputs);
    if (kiln::codegen::JitModel* jit = m->jit->singleStage()) {
      if (!preparedMatches(m, *jit)) prepare(m, *jit);
      const kiln::runtime::CompiledModel& cm = m->prepared.context->model();
      for (size_t j = 0; j < num_outputs; ++j) {
        checkOutput(outputs[j], cm.outputs()[j].name, cm.outputs()[j].dtype, cm.outputs()[j].shape);
        m->outputPtrs[j] = outputs[j].data;
      }
      for (size_t i = 0; i < m->ordered.size(); ++i) m->inputPtrs[i] = m->ordered[i]->data;
      m->prepared.context->run(m->inputPtrs.data(), m->outputPtrs.data(), *m->pool);
      return 0;
    }
    // Staged model (host ops): run, then copy each output into the caller's buffer.
    std::vector<kiln::runtime::Value> outs = m->jit->run(copyInputs(m), *m->pool);
    for (size_t j = 0; j < num_outputs; ++j) {
      const std::string& name = g.value(g.outputs[j]).name;
      if (!outs[j].isTensor() || outs[j].tensor().dtype() == kiln::DType::String)
        kiln::fail("output '{}' is a {}; the C API returns numeric tensors only", name,
                   outs[j].isTensor() ? "string tensor" : kiln::runtime::kindName(outs[j].kind()));
      const Tensor& t = outs[j].tensor();
      checkOutput(outputs[j], name, t.dtype(), t.shape());
      if (t.byteSize()) std::memcpy(outputs[j].data, t.data(), t.byteSize());
    }
    return 0;
  }, 1);
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
