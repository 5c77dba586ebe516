// NonZero (ONNX opset 13): the indices of the non-zero elements of X, as an
// int64 tensor of shape [rank(X), count], one column per element in row-major
// order (numpy.nonzero). A scalar is treated as a 1-element vector (as ONNX
// Runtime and numpy's atleast_1d do): the output is [1, count]. Floats are
// non-zero when != 0 (NaN counts, -0 does not); strings when non-empty.
#include <string>

#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

namespace {

template <typename T>
std::vector<int64_t> nonZeroPositions(const Tensor& x) {
  const T* p = x.data<T>();
  std::vector<int64_t> pos;
  for (int64_t i = 0; i < x.numElements(); ++i)
    if (p[i] != T(0)) pos.push_back(i);
  return pos;
}

// float16 and bfloat16: zero is +0 or -0 (all bits but the sign clear).
std::vector<int64_t> nonZero16BitFloat(const Tensor& x) {
  const auto* p = x.data<uint16_t>();
  std::vector<int64_t> pos;
  for (int64_t i = 0; i < x.numElements(); ++i)
    if (p[i] & 0x7fffu) pos.push_back(i);
  return pos;
}

std::vector<int64_t> nonZeroStrings(const Tensor& x) {
  const auto* p = x.data<std::string>();
  std::vector<int64_t> pos;
  for (int64_t i = 0; i < x.numElements(); ++i)
    if (!p[i].empty()) pos.push_back(i);
  return pos;
}

}  // namespace

std::vector<Value> runHostNonZero(const HostCall& call) {
  const Tensor& x = call.tensor(0);
  std::vector<int64_t> pos;
  switch (x.dtype()) {
    case DType::Bool:
    case DType::U8: pos = nonZeroPositions<uint8_t>(x); break;
    case DType::I8: pos = nonZeroPositions<int8_t>(x); break;
    case DType::U16: pos = nonZeroPositions<uint16_t>(x); break;
    case DType::I16: pos = nonZeroPositions<int16_t>(x); break;
    case DType::U32: pos = nonZeroPositions<uint32_t>(x); break;
    case DType::I32: pos = nonZeroPositions<int32_t>(x); break;
    case DType::U64: pos = nonZeroPositions<uint64_t>(x); break;
    case DType::I64: pos = nonZeroPositions<int64_t>(x); break;
    case DType::F32: pos = nonZeroPositions<float>(x); break;
    case DType::F64: pos = nonZeroPositions<double>(x); break;
    case DType::F16:
    case DType::BF16: pos = nonZero16BitFloat(x); break;
    case DType::String: pos = nonZeroStrings(x); break;
    case DType::Undefined: fail("{}: unsupported input dtype {}", call.where(), dtypeName(x.dtype()));
  }
  std::vector<int64_t> shape = x.shape();
  if (shape.empty()) shape.push_back(1);
  const auto rank = static_cast<int64_t>(shape.size());
  const auto count = static_cast<int64_t>(pos.size());
  Tensor y(DType::I64, {rank, count});
  int64_t* out = y.data<int64_t>();
  for (int64_t k = 0; k < count; ++k) {
    int64_t rest = pos[static_cast<size_t>(k)];
    for (int64_t d = rank - 1; d >= 0; --d) {
      const int64_t dim = shape[static_cast<size_t>(d)];
      out[d * count + k] = rest % dim;
      rest /= dim;
    }
  }
  return {Value(std::move(y))};
}

}  // namespace kiln::runtime
