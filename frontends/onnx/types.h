// ONNX TypeProto -> Kiln TensorType.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/graph.h"

namespace kiln::onnx {

// A tensor type: dim_value -> static dim, dim_param -> named symbolic dim,
// neither -> unknown dim; no shape at all -> rankKnown = false. Non-tensor
// types, element types Kiln lacks and negative dims are kiln::Errors naming
// `valueName`.
ir::TensorType tensorTypeFromProto(const ::onnx::TypeProto& type, const std::string& valueName);

// A value's type: a tensor type, or the element tensor type of ONNX sequences
// and optionals with their wrappers (TypeProto.sequence_type/optional_type).
// Maps and sparse tensors are kiln::Errors naming `valueName`.
struct ValueType {
  ir::TensorType tensor;
  std::vector<ir::Container> containers;  // outermost first
};
ValueType valueTypeFromProto(const ::onnx::TypeProto& type, const std::string& valueName);

// Kiln's spelling of an ONNX element type ("f32"), or ONNX's own name in lower
// case for types Kiln lacks ("complex64").
std::string elemTypeName(int32_t onnxElemType);

}  // namespace kiln::onnx
