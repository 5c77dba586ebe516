// ONNX AttributeProto -> ir::Attribute.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "ir/graph.h"

namespace kiln::onnx {

// INT, FLOAT, STRING, INTS, FLOATS, STRINGS and TENSOR attributes convert;
// subgraphs (GRAPH, GRAPHS), sparse tensors, type protos and function
// attribute references are kiln::Errors naming `owner` (how errors name the node).
ir::Attribute attributeFromProto(const ::onnx::AttributeProto& attr, const std::string& modelDir,
                                 const std::string& owner);

}  // namespace kiln::onnx
