#include "frontends/onnx/tensor_proto.h"

#include <bit>
#include <cstring>

#include "runtime/tensor_convert.h"
#include <memory>

#include "frontends/onnx/external_data.h"
#include "frontends/onnx/proto_io.h"
#include "ir/error.h"

namespace kiln::onnx {

static_assert(std::endian::native == std::endian::little,
              "TensorProto raw_data is little-endian and is copied as-is");

namespace {

using ::onnx::TensorProto;

// Copies `n` values of a typed repeated field into `out`, converting each to
// the element type T that the dtype stores.
template <typename T, typename Field>
void copyField(const Field& field, std::vector<uint8_t>& out) {
  out.resize(static_cast<size_t>(field.size()) * sizeof(T));
  uint8_t* p = out.data();
  for (const auto& v : field) {
    T e = static_cast<T>(v);
    std::memcpy(p, &e, sizeof(T));
    p += sizeof(T);
  }
}

// Number of elements held by the typed field the ONNX spec assigns to `dtype`.
// int32_data carries every type narrower than 32 bits (f16/bf16 as bit patterns).
int64_t typedFieldSize(const TensorProto& t, DType dtype) {
  switch (dtype) {
    case DType::F32: return t.float_data_size();
    case DType::F64: return t.double_data_size();
    case DType::I64: return t.int64_data_size();
    case DType::U32: case DType::U64: return t.uint64_data_size();
    case DType::String: return t.string_data_size();
    case DType::I32: case DType::I16: case DType::I8: case DType::U16: case DType::U8:
    case DType::Bool: case DType::F16: case DType::BF16: return t.int32_data_size();
    case DType::Undefined: break;
  }
  return 0;
}

void decodeTypedField(const TensorProto& t, DType dtype, std::vector<uint8_t>& out) {
  switch (dtype) {
    case DType::F32: copyField<float>(t.float_data(), out); break;
    case DType::F64: copyField<double>(t.double_data(), out); break;
    case DType::I64: copyField<int64_t>(t.int64_data(), out); break;
    case DType::U32: copyField<uint32_t>(t.uint64_data(), out); break;
    case DType::U64: copyField<uint64_t>(t.uint64_data(), out); break;
    case DType::I32: copyField<int32_t>(t.int32_data(), out); break;
    case DType::I16: copyField<int16_t>(t.int32_data(), out); break;
    case DType::I8: copyField<int8_t>(t.int32_data(), out); break;
    case DType::U16: case DType::F16: case DType::BF16: copyField<uint16_t>(t.int32_data(), out); break;
    case DType::U8: copyField<uint8_t>(t.int32_data(), out); break;
    case DType::Bool: {
      out.resize(static_cast<size_t>(t.int32_data_size()));
      for (int i = 0; i < t.int32_data_size(); ++i) out[static_cast<size_t>(i)] = t.int32_data(i) != 0;
      break;
    }
    case DType::String: case DType::Undefined: break;
  }
}

// How many typed repeated fields are non-empty: a well-formed tensor uses at most one.
int nonEmptyTypedFields(const TensorProto& t) {
  return (t.float_data_size() > 0) + (t.int32_data_size() > 0) + (t.string_data_size() > 0) +
         (t.int64_data_size() > 0) + (t.double_data_size() > 0) + (t.uint64_data_size() > 0);
}

}  // namespace

ir::TensorDataPtr tensorFromProto(const TensorProto& proto, const std::string& modelDir,
                                  const std::string& what) {
  const std::string name = !proto.name().empty() ? proto.name() : !what.empty() ? what : "<unnamed>";
  auto dtype = dtypeFromOnnx(proto.data_type());
  if (!dtype || *dtype == DType::Undefined)
    fail("tensor '{}': unsupported element type {} ({})", name,
         ::onnx::TensorProto_DataType_Name(proto.data_type()), proto.data_type());
  if (proto.has_segment()) fail("tensor '{}': segmented tensors are not supported", name);

  auto out = std::make_shared<ir::TensorData>();
  out->dtype = *dtype;
  out->shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t n = 0;
  try {
    n = runtime::checkedNumElements(out->shape);
  } catch (const Error& e) {
    fail("tensor '{}': {}", name, e.what());
  }
  const uint64_t expectedBytes = static_cast<uint64_t>(n) * dtypeSize(*dtype);
  const bool external = proto.data_location() == TensorProto::EXTERNAL;
  const int typedFields = nonEmptyTypedFields(proto);
  if (external + proto.has_raw_data() + (typedFields > 0) > 1 || typedFields > 1)
    fail("tensor '{}': data is stored in more than one place", name);

  if (*dtype == DType::String) {
    if (external || proto.has_raw_data())
      fail("tensor '{}': string tensors must use string_data", name);
    if (proto.string_data_size() != n)
      fail("tensor '{}': has {} strings but its dims {} need {}", name, proto.string_data_size(),
           runtime::shapeToString(out->shape), n);
    out->strings.assign(proto.string_data().begin(), proto.string_data().end());
    return out;
  }

  if (external) {
    out->bytes = readExternalData(proto, modelDir, name, expectedBytes);
  } else if (proto.has_raw_data()) {
    if (proto.raw_data().size() != expectedBytes)
      fail("tensor '{}': raw_data holds {} bytes but dims {} of {} need {}", name,
           proto.raw_data().size(), runtime::shapeToString(out->shape), dtypeName(*dtype),
           expectedBytes);
    out->bytes.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    int64_t have = typedFieldSize(proto, *dtype);
    if (typedFields > 0 && have == 0)
      fail("tensor '{}': data is in a field that does not hold {} elements", name, dtypeName(*dtype));
    if (have != n)
      fail("tensor '{}': has {} elements but its dims {} need {}", name, have,
           runtime::shapeToString(out->shape), n);
    decodeTypedField(proto, *dtype, out->bytes);
  }
  return out;
}

runtime::Tensor readTensorProtoFile(const std::string& path) {
  std::string bytes = readProtoFileBytes(path, "TensorProto file");
  TensorProto proto;
  if (!proto.ParseFromString(bytes)) fail("{}: not a valid TensorProto file", path);
  ir::TensorDataPtr data;
  try {
    data = tensorFromProto(proto, modelDirOf(path), path);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
  try {
    return runtime::toTensor(*data);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
}

}  // namespace kiln::onnx
