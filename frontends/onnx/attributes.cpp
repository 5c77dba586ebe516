#include "frontends/onnx/attributes.h"

#include "frontends/onnx/tensor_proto.h"
#include "ir/error.h"

namespace kiln::onnx {

using ::onnx::AttributeProto;

ir::Attribute attributeFromProto(const AttributeProto& attr, const std::string& modelDir,
                                 const std::string& owner) {
  if (!attr.ref_attr_name().empty())
    fail("{}: attribute '{}' refers to a function attribute, which is unsupported", owner,
         attr.name());
  switch (attr.type()) {
    case AttributeProto::INT: return attr.i();
    case AttributeProto::FLOAT: return attr.f();
    case AttributeProto::STRING: return attr.s();
    case AttributeProto::INTS: return std::vector<int64_t>(attr.ints().begin(), attr.ints().end());
    case AttributeProto::FLOATS: return std::vector<float>(attr.floats().begin(), attr.floats().end());
    case AttributeProto::STRINGS:
      return std::vector<std::string>(attr.strings().begin(), attr.strings().end());
    case AttributeProto::TENSOR:
      return tensorFromProto(attr.t(), modelDir,
                             "attribute '" + attr.name() + "' of " + owner);
    case AttributeProto::GRAPH:
    case AttributeProto::GRAPHS:
      fail("{}: attribute '{}' is a subgraph; control flow with subgraphs is unsupported", owner,
           attr.name());
    default:
      fail("{}: attribute '{}' has unsupported type {}", owner, attr.name(),
           AttributeProto::AttributeType_IsValid(attr.type())
               ? AttributeProto::AttributeType_Name(attr.type())
               : std::to_string(static_cast<int>(attr.type())));
  }
}

}  // namespace kiln::onnx
