#include "runtime/tensor_convert.h"

#include <cstring>

namespace kiln::runtime {

Tensor toTensor(const ir::TensorData& data) {
  Tensor t(data.dtype, data.shape);
  if (data.dtype == DType::String) {
    if (data.strings.size() != static_cast<size_t>(t.numElements()))
      fail("string constant has {} elements, its shape {} needs {}", data.strings.size(),
           shapeToString(data.shape), t.numElements());
    std::copy(data.strings.begin(), data.strings.end(), t.data<std::string>());
    return t;
  }
  if (data.bytes.size() != t.byteSize())
    fail("constant has {} bytes, its shape {} needs {}", data.bytes.size(), shapeToString(data.shape),
         t.byteSize());
  if (!data.bytes.empty()) std::memcpy(t.data(), data.bytes.data(), data.bytes.size());
  return t;
}

ir::TensorDataPtr toTensorData(const Tensor& t) {
  auto data = std::make_shared<ir::TensorData>();
  data->dtype = t.dtype();
  data->shape = t.shape();
  if (t.dtype() == DType::String) {
    const std::string* s = t.data<std::string>();
    data->strings.assign(s, s + t.numElements());
  } else {
    const auto* p = static_cast<const uint8_t*>(t.data());
    data->bytes.assign(p, p + t.byteSize());
  }
  return data;
}

}  // namespace kiln::runtime
