// ONNX value files <-> runtime values: TensorProto, SequenceProto and
// OptionalProto (onnx/onnx-data.proto), as the backend test data stores
// inputs and expected outputs of models with sequence and optional values.
// Which proto a file holds is not recorded in it, so the value's declared
// type (ir::Value::containers) decides how it is read.
#pragma once

#include <string>

#include "ir/graph.h"
#include "runtime/value.h"

namespace kiln::onnx {

// Reads the file holding a value of `decl`'s type. Errors name the path.
runtime::Value readValueProtoFile(const std::string& path, const ir::Value& decl);

// Writes `v` as the proto `decl`'s type calls for (a tensor as TensorProto,
// strings included), named after decl. Throws kiln::Error when it cannot write.
void writeValueProtoFile(const std::string& path, const runtime::Value& v, const ir::Value& decl);

}  // namespace kiln::onnx
