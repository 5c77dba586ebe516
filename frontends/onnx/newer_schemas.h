// Schemas of the ai.onnx ops Kiln implements that are newer than the ONNX
// library it links (1.12 knows opsets up to 17): Gelu (opset 20),
// RMSNormalization and Attention (opset 23) and Swish (opset 24). The checker
// and shape inference find them through hardenedSchemaRegistry() (hardened_schemas.h)
// when the library has no schema of that name, so models that use them
// import like any other. Their shape inference propagates X's type and shape
// to Y (Attention's: Y [B, Hq, Sq, Dv] of the 4-D form); Kiln's own shape
// rules (ir/shape_rules) check the rest.
#pragma once

#include <onnx/defs/schema.h>

#include <string>

namespace kiln::onnx {

// The schema of `op` in `domain` ("" or "ai.onnx") at opset
// `maxInclusiveVersion` among those above, or null.
const ::onnx::OpSchema* newerOpSchema(const std::string& op, int maxInclusiveVersion, const std::string& domain);

}  // namespace kiln::onnx
