#include "frontends/onnx/types.h"

#include <cctype>

#include "ir/error.h"

namespace kiln::onnx {

ir::TensorType tensorTypeFromProto(const ::onnx::TypeProto& type, const std::string& valueName) {
  if (type.value_case() != ::onnx::TypeProto::kTensorType)
    fail("value '{}' is not a tensor (sequences, maps, optionals and sparse tensors are not supported)",
         valueName);
  const auto& tt = type.tensor_type();
  ir::TensorType out;
  if (tt.elem_type() != 0) {
    auto dtype = dtypeFromOnnx(tt.elem_type());
    if (!dtype)
      fail("value '{}' has unsupported element type {}", valueName, elemTypeName(tt.elem_type()));
    out.dtype = *dtype;
  }
  if (!tt.has_shape()) {
    out.rankKnown = false;
    return out;
  }
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) fail("value '{}' has negative dimension {}", valueName, d.dim_value());
      out.shape.push_back(ir::Dim::known(d.dim_value()));
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      out.shape.push_back(ir::Dim::named(d.dim_param()));
    } else {
      out.shape.push_back(ir::Dim::unknown());
    }
  }
  return out;
}

ValueType valueTypeFromProto(const ::onnx::TypeProto& type, const std::string& valueName) {
  ValueType out;
  const ::onnx::TypeProto* t = &type;
  for (;;) {
    if (t->value_case() == ::onnx::TypeProto::kSequenceType) {
      out.containers.push_back(ir::Container::Sequence);
      t = &t->sequence_type().elem_type();
    } else if (t->value_case() == ::onnx::TypeProto::kOptionalType) {
      out.containers.push_back(ir::Container::Optional);
      t = &t->optional_type().elem_type();
    } else {
      break;
    }
  }
  // An element type left unset (an empty sequence's) is a tensor of unknown type.
  if (t->value_case() == ::onnx::TypeProto::VALUE_NOT_SET && !out.containers.empty()) {
    out.tensor = ir::unknownRank(DType::Undefined);
    return out;
  }
  if (t->value_case() != ::onnx::TypeProto::kTensorType)
    fail("value '{}' is not a tensor, sequence or optional (maps and sparse tensors are unsupported)",
         valueName);
  out.tensor = tensorTypeFromProto(*t, valueName);
  return out;
}

std::string elemTypeName(int32_t onnxElemType) {
  if (auto t = dtypeFromOnnx(onnxElemType)) return std::string(dtypeName(*t));
  if (!::onnx::TensorProto_DataType_IsValid(onnxElemType))
    return "unknown(" + std::to_string(onnxElemType) + ")";
  std::string name = ::onnx::TensorProto_DataType_Name(onnxElemType);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace kiln::onnx
