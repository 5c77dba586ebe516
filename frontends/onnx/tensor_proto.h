// ONNX TensorProto -> Kiln tensors: initializers, Constant node values and
// tensor attributes (via tensorFromProto), and standalone TensorProto files such
// as the ONNX backend tests' test_data_set_N/input_M.pb (via readTensorProtoFile).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/tensor_data.h"
#include "runtime/tensor.h"

namespace kiln::onnx {

// Decodes a TensorProto's data from raw_data, the typed repeated fields, or an
// external file under `modelDir`. The element count must match the dims.
// `what` names the tensor in errors when the proto itself has no name (for
// example "attribute 'value' of Constant node 'c1'").
ir::TensorDataPtr tensorFromProto(const ::onnx::TensorProto& proto, const std::string& modelDir,
                                  const std::string& what = {});

// Reads a serialized TensorProto file into a runtime tensor; external data is
// looked up next to the file.
runtime::Tensor readTensorProtoFile(const std::string& path);

}  // namespace kiln::onnx
