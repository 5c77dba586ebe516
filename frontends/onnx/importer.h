// ONNX model -> Kiln graph IR.
//
// The model is parsed, checked with the ONNX checker and run through ONNX
// shape inference (whose value_info gives every value its dtype and dims),
// then converted: initializers and Constant nodes become constant values,
// older opsets' attribute forms become the latest opset's inputs (see
// legacy_opset.h), and every other node must be an ai.onnx op Kiln supports
// (ir/ops.def). Every failure is a kiln::Error naming the file and the node,
// tensor or value at fault; malformed files never crash the importer.
#pragma once

#include <string>

#include "ir/graph.h"

namespace kiln::onnx {

ir::Graph importModel(const std::string& path);

// `bytes` is a serialized ModelProto; external tensor data is read from files
// inside `modelDir` (pass "" to forbid external data).
ir::Graph importModelFromBytes(const std::string& bytes, const std::string& modelDir);

}  // namespace kiln::onnx
