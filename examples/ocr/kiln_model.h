// kiln_model.h — a small RAII wrapper over the Kiln C API for single-input,
// float32 models.
#pragma once

#include <string>

#include "preprocess.h"

struct kiln_model;

namespace kiln_ocr {

class KilnModel {
 public:
  KilnModel(const std::string& onnxPath, int threads);
  ~KilnModel();
  KilnModel(const KilnModel&) = delete;
  KilnModel& operator=(const KilnModel&) = delete;
  KilnModel(KilnModel&& other) noexcept;
  KilnModel& operator=(KilnModel&&) = delete;

  // Feeds `input` to the model's only input; returns a copy of its first output,
  // which must be float32. Throws std::runtime_error with Kiln's message.
  FloatTensor run(const FloatTensor& input) const;

 private:
  std::string path_;
  kiln_model* model_ = nullptr;
};

}  // namespace kiln_ocr
