// Reading ONNX protobuf files defensively: the size is checked before any
// byte is read, parse failures and the ONNX library's own exceptions become
// one-line kiln::Errors. Shared by the importer, inspect and TensorProto I/O.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

namespace kiln::onnx {

// The whole file as bytes. `kind` names what the file should be ("ONNX model")
// in messages. Empty files and files protobuf cannot hold (>= 2 GiB) are errors.
std::string readProtoFileBytes(const std::string& path, const char* kind);

// Parses a ModelProto; `label` (a path or "<memory>") prefixes every error.
// Also rejects parsed messages without a graph: random bytes occasionally
// decode as a protobuf, but never as one carrying a graph and an IR version.
::onnx::ModelProto parseModelProto(const std::string& bytes, const std::string& label);

// The directory holding `path` ("." when it has none), where external tensor
// data is looked up.
std::string modelDirOf(const std::string& path);

// Collapses an ONNX library message (often multi-line, with a proto dump of the
// offending node) into one line of bounded length.
std::string oneLine(const std::string& msg, size_t maxLen = 600);

}  // namespace kiln::onnx
