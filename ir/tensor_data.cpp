#include "ir/tensor_data.h"

#include "ir/float16.h"

namespace kiln::ir {

namespace {
template <typename Out>
Out readAs(const TensorData& t, int64_t i) {
  const uint8_t* p = t.bytes.data() + i * dtypeSize(t.dtype);
  auto load = [p](auto tag) {
    decltype(tag) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (t.dtype) {
    case DType::F32: return static_cast<Out>(load(float{}));
    case DType::F64: return static_cast<Out>(load(double{}));
    case DType::F16: return static_cast<Out>(halfToFloat(load(uint16_t{})));
    case DType::BF16: return static_cast<Out>(bf16ToFloat(load(uint16_t{})));
    case DType::I8: return static_cast<Out>(load(int8_t{}));
    case DType::I16: return static_cast<Out>(load(int16_t{}));
    case DType::I32: return static_cast<Out>(load(int32_t{}));
    case DType::I64: return static_cast<Out>(load(int64_t{}));
    case DType::U8: return static_cast<Out>(load(uint8_t{}));
    case DType::U16: return static_cast<Out>(load(uint16_t{}));
    case DType::U32: return static_cast<Out>(load(uint32_t{}));
    case DType::U64: return static_cast<Out>(load(uint64_t{}));
    case DType::Bool: return static_cast<Out>(load(uint8_t{}) != 0);
    case DType::String:
    case DType::Undefined: break;
  }
  fail("cannot read a {} tensor as a number", dtypeName(t.dtype));
}
}  // namespace

int64_t TensorData::intAt(int64_t i) const {
  if (i < 0 || i >= numElements()) fail("constant index {} out of range [0, {})", i, numElements());
  return readAs<int64_t>(*this, i);
}

double TensorData::floatAt(int64_t i) const {
  if (i < 0 || i >= numElements()) fail("constant index {} out of range [0, {})", i, numElements());
  return readAs<double>(*this, i);
}

std::vector<int64_t> TensorData::toInts() const {
  std::vector<int64_t> out(numElements());
  for (int64_t i = 0; i < numElements(); ++i) out[i] = readAs<int64_t>(*this, i);
  return out;
}

std::vector<double> TensorData::toDoubles() const {
  std::vector<double> out(numElements());
  for (int64_t i = 0; i < numElements(); ++i) out[i] = readAs<double>(*this, i);
  return out;
}

TensorDataPtr TensorData::fromInts(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
  auto t = std::make_shared<TensorData>();
  t->dtype = DType::I64;
  t->shape = std::move(shape);
  t->bytes.resize(v.size() * 8);
  if (!v.empty()) std::memcpy(t->bytes.data(), v.data(), t->bytes.size());
  return t;
}

TensorDataPtr TensorData::fromFloats(const std::vector<float>& v, std::vector<int64_t> shape) {
  auto t = std::make_shared<TensorData>();
  t->dtype = DType::F32;
  t->shape = std::move(shape);
  t->bytes.resize(v.size() * 4);
  if (!v.empty()) std::memcpy(t->bytes.data(), v.data(), t->bytes.size());
  return t;
}

TensorDataPtr TensorData::filled(DType dtype, std::vector<int64_t> shape, double value) {
  auto t = std::make_shared<TensorData>();
  t->dtype = dtype;
  t->shape = std::move(shape);
  int64_t n = t->numElements();
  size_t es = dtypeSize(dtype);
  if (es == 0) fail("cannot fill a {} tensor", dtypeName(dtype));
  t->bytes.resize(n * es);
  uint8_t* p = t->bytes.data();
  for (int64_t i = 0; i < n; ++i, p += es) {
    switch (dtype) {
      case DType::F32: { float v = static_cast<float>(value); std::memcpy(p, &v, 4); break; }
      case DType::F64: std::memcpy(p, &value, 8); break;
      case DType::F16: { uint16_t v = floatToHalf(static_cast<float>(value)); std::memcpy(p, &v, 2); break; }
      case DType::BF16: { uint16_t v = floatToBf16(static_cast<float>(value)); std::memcpy(p, &v, 2); break; }
      case DType::I8: { int8_t v = static_cast<int8_t>(value); std::memcpy(p, &v, 1); break; }
      case DType::I16: { int16_t v = static_cast<int16_t>(value); std::memcpy(p, &v, 2); break; }
      case DType::I32: { int32_t v = static_cast<int32_t>(value); std::memcpy(p, &v, 4); break; }
      case DType::I64: { int64_t v = static_cast<int64_t>(value); std::memcpy(p, &v, 8); break; }
      case DType::U8: { uint8_t v = static_cast<uint8_t>(value); std::memcpy(p, &v, 1); break; }
      case DType::U16: { uint16_t v = static_cast<uint16_t>(value); std::memcpy(p, &v, 2); break; }
      case DType::U32: { uint32_t v = static_cast<uint32_t>(value); std::memcpy(p, &v, 4); break; }
      case DType::U64: { uint64_t v = static_cast<uint64_t>(value); std::memcpy(p, &v, 8); break; }
      case DType::Bool: { uint8_t v = value != 0; std::memcpy(p, &v, 1); break; }
      default: break;
    }
  }
  return t;
}

}  // namespace kiln::ir
