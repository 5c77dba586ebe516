// ONNX operator schemas whose shape-inference functions first check the
// preconditions the ONNX library (1.12) assumes without checking.
//
// Found by mutating models: ONNX's Conv/ConvTranspose/pooling inference reads
// past the end of its own vectors when the weight's rank exceeds the input's,
// divides by a zero stride, and indexes dims that do not exist. A model file is
// untrusted input, so such a model must be a kiln::Error, never a crash: the
// registry returned here wraps those ops' inference functions with rank, size
// and value checks that fail the way ONNX's own checks do (an InferenceError).
//
// Ops newer than the library (Gelu, RMSNormalization, Swish) get Kiln's schemas
// (newer_schemas.h). One schema is relaxed instead: Constant-1 is checked with the output types of
// later Constant versions (every tensor type), as ONNX Runtime accepts PyTorch's
// opset-6 exports with int64 Constants (see hardened_schemas.cpp).
#pragma once

#include <onnx/defs/schema.h>

namespace kiln::onnx {

// Forwards to onnx::OpSchemaRegistry, substituting guarded copies of the
// schemas listed in hardened_schemas.cpp and the relaxed Constant-1. Thread-safe; lives for the process.
const ::onnx::ISchemaRegistry* hardenedSchemaRegistry();

}  // namespace kiln::onnx
