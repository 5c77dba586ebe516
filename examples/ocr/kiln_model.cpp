// kiln_model.cpp — loading and running a model through kiln.h.
#include "kiln_model.h"

#include <kiln.h>

#include <memory>
#include <stdexcept>
#include <utility>

namespace kiln_ocr {

namespace {

std::string lastError() {
  const char* message = kiln_last_error();
  return message != nullptr && *message != '\0' ? message : "unknown error";
}

}  // namespace

KilnModel::KilnModel(const std::string& onnxPath, int threads) : path_(onnxPath) {
  kiln_options options;
  kiln_options_init(&options);
  options.threads = threads;
  model_ = kiln_model_load(onnxPath.c_str(), &options);
  if (model_ == nullptr) throw std::runtime_error(onnxPath + ": " + lastError());
  if (kiln_model_num_inputs(model_) != 1 || kiln_model_num_outputs(model_) < 1) {
    kiln_model_free(model_);
    throw std::runtime_error(onnxPath + ": expected a model with one input and at least one output");
  }
}

KilnModel::~KilnModel() {
  if (model_ != nullptr) kiln_model_free(model_);
}

KilnModel::KilnModel(KilnModel&& other) noexcept : path_(std::move(other.path_)), model_(other.model_) {
  other.model_ = nullptr;
}

FloatTensor KilnModel::run(const FloatTensor& input) const {
  kiln_tensor tensor;
  tensor.dtype = KILN_FLOAT32;
  tensor.rank = static_cast<int32_t>(input.shape.size());
  tensor.shape = input.shape.data();
  // The C API takes a non-const pointer for outputs' sake; inputs are only read.
  tensor.data = const_cast<float*>(input.data.data());
  const char* name = kiln_model_input_name(model_, 0);

  std::unique_ptr<kiln_result, decltype(&kiln_result_free)> result(kiln_model_run(model_, 1, &name, &tensor),
                                                                   &kiln_result_free);
  if (!result) throw std::runtime_error(path_ + ": " + lastError());
  if (kiln_result_num_outputs(result.get()) < 1) throw std::runtime_error(path_ + ": model produced no output");
  const kiln_tensor out = kiln_result_output(result.get(), 0);
  if (out.dtype != KILN_FLOAT32) {
    throw std::runtime_error(path_ + ": output '" + kiln_result_output_name(result.get(), 0) + "' is not float32");
  }
  FloatTensor copy;
  copy.shape.assign(out.shape, out.shape + out.rank);
  size_t count = 1;
  for (int64_t d : copy.shape) count *= static_cast<size_t>(d);
  const float* data = static_cast<const float*>(out.data);
  copy.data.assign(data, data + count);
  return copy;
}

}  // namespace kiln_ocr
