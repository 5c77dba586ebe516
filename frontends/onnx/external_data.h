// Tensor data kept outside the model file (TensorProto.data_location ==
// EXTERNAL, with external_data keys "location", "offset", "length").
//
// A model file is untrusted input, so the location is confined to the model's
// directory: absolute paths, ".." components and symlinks that resolve outside
// the directory are rejected, and offset/length are checked against the file.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::onnx {

// Returns exactly `expectedBytes` bytes of `tensor`'s external data; throws
// kiln::Error naming `tensorName` when the reference is unsafe or inconsistent.
std::vector<uint8_t> readExternalData(const ::onnx::TensorProto& tensor, const std::string& modelDir,
                                      const std::string& tensorName, uint64_t expectedBytes);

}  // namespace kiln::onnx
