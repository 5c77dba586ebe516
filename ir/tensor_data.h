// Constant tensor contents: ONNX initializers, Constant nodes and folded values.
//
// Layout: dense, row-major (C order), little-endian, `dtypeSize(dtype)` bytes per
// element; `bytes.size() == numElements() * dtypeSize(dtype)`. String tensors keep
// their elements in `strings` instead and leave `bytes` empty.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/error.h"

namespace kiln::ir {

struct TensorData {
  DType dtype = DType::Undefined;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  std::vector<std::string> strings;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  template <typename T>
  const T* data() const { return reinterpret_cast<const T*>(bytes.data()); }

  // Reads element i converted to int64 (any integer/bool/float dtype); used for
  // shape tensors, axes, pads and similar small index inputs.
  int64_t intAt(int64_t i) const;
  double floatAt(int64_t i) const;
  // All elements as int64 (throws kiln::Error for non-numeric dtypes).
  std::vector<int64_t> toInts() const;
  std::vector<double> toDoubles() const;

  static std::shared_ptr<const TensorData> fromInts(const std::vector<int64_t>& v,
                                                    std::vector<int64_t> shape);
  static std::shared_ptr<const TensorData> fromFloats(const std::vector<float>& v,
                                                      std::vector<int64_t> shape);
  // A scalar (rank 0) or shaped tensor of `dtype` with every element = value.
  static std::shared_ptr<const TensorData> filled(DType dtype, std::vector<int64_t> shape,
                                                  double value);
};

using TensorDataPtr = std::shared_ptr<const TensorData>;

}  // namespace kiln::ir
