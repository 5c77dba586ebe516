// A host tensor: dtype, static shape, and a 64-byte aligned dense row-major
// buffer. Copying a Tensor shares its storage (like a shared_ptr).
//
// String tensors (DType::String) hold std::string elements instead, reached
// through data<std::string>(); byteSize() is 0 for them. Only host ops
// (runtime/host/) read or write strings; compiled kernels never see them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace kiln::runtime {

class Tensor {
 public:
  Tensor() = default;
  // Allocates a zero-filled tensor. Throws kiln::Error when the shape has a
  // negative dim or the byte size would overflow.
  Tensor(DType dtype, std::vector<int64_t> shape);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const { return static_cast<size_t>(numElements_) * dtypeSize(dtype_); }
  void* data() { return strings_ ? static_cast<void*>(strings_->data()) : storage_.get(); }
  const void* data() const { return strings_ ? static_cast<const void*>(strings_->data()) : storage_.get(); }
  template <typename T> T* data() { return static_cast<T*>(data()); }
  template <typename T> const T* data() const { return static_cast<const T*>(data()); }

 private:
  DType dtype_ = DType::Undefined;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 0;
  std::shared_ptr<uint8_t> storage_;
  std::shared_ptr<std::vector<std::string>> strings_;  // DType::String only
};

// Element count of a shape; throws kiln::Error on negative dims or overflow
// past `maxElements`.
int64_t checkedNumElements(const std::vector<int64_t>& shape, int64_t maxElements = int64_t{1} << 40);
std::string shapeToString(const std::vector<int64_t>& shape);  // "1x3x640x640"

}  // namespace kiln::runtime
