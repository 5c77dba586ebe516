// Validation of a parsed ModelProto with the ONNX library: the checker (well
// formed graph, known ops, attribute types) and strict shape inference, whose
// exceptions become kiln::Errors prefixed with `label`.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace kiln::onnx {

// The ai.onnx opset the model imports (domain "" or "ai.onnx"); 1 for models
// older than IR version 3, which had no opset imports. kiln::Error when absent.
int64_t defaultOpset(const ::onnx::ModelProto& model, const std::string& label);

// Runs the ONNX checker. Unlike onnx::checker::check_model(ModelProto), the
// model directory is known, so external data references are checked against it.
void checkModel(const ::onnx::ModelProto& model, const std::string& modelDir,
                const std::string& label);

// Runs ONNX shape inference in strict mode, adding value_info in place.
void inferShapes(::onnx::ModelProto& model, const std::string& label);

}  // namespace kiln::onnx
