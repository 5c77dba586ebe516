#include "frontends/onnx/newer_schemas.h"

#include <onnx/defs/shape_inference.h>

#include <vector>

namespace kiln::onnx {

namespace {

using ::onnx::AttributeProto;
using ::onnx::OpSchema;

const std::vector<std::string> kFloatTypes = {"tensor(float16)", "tensor(float)", "tensor(double)",
                                              "tensor(bfloat16)"};

OpSchema unaryActivation(const char* name, int since) {
  OpSchema s(name, __FILE__, __LINE__);
  s.SetDomain("")
      .SinceVersion(since)
      .Input(0, "X", "Input tensor.", "T")
      .Output(0, "Y", "Output tensor.", "T")
      .TypeConstraint("T", kFloatTypes, "Floating-point tensors.")
      .TypeAndShapeInferenceFunction(::onnx::propagateShapeAndTypeFromFirstInput);
  return s;
}

OpSchema gelu() {
  OpSchema s = unaryActivation("Gelu", 20);
  s.Attr("approximate", "\"none\" (erf) or \"tanh\".", AttributeProto::STRING, std::string("none"));
  s.Finalize();
  return s;
}

OpSchema swish() {
  OpSchema s = unaryActivation("Swish", 24);
  s.Attr("alpha", "Y = X * sigmoid(alpha * X).", AttributeProto::FLOAT, 1.0f);
  s.Finalize();
  return s;
}

OpSchema rmsNormalization() {
  OpSchema s("RMSNormalization", __FILE__, __LINE__);
  s.SetDomain("")
      .SinceVersion(23)
      .Attr("axis", "First normalized dimension.", AttributeProto::INT, static_cast<int64_t>(-1))
      .Attr("epsilon", "Added to the mean square.", AttributeProto::FLOAT, 1e-5f)
      .Attr("stash_type", "Type of the computation.", AttributeProto::INT, static_cast<int64_t>(1))
      .Input(0, "X", "Input tensor.", "T")
      .Input(1, "scale", "Scale, broadcast to the normalized dims.", "V")
      .Output(0, "Y", "Normalized tensor.", "V")
      .TypeConstraint("T", kFloatTypes, "Floating-point tensors.")
      .TypeConstraint("V", kFloatTypes, "Floating-point tensors.")
      .TypeAndShapeInferenceFunction([](::onnx::InferenceContext& ctx) {
        ::onnx::propagateElemTypeFromInputToOutput(ctx, 1, 0);
        if (::onnx::hasNInputShapes(ctx, 1)) ::onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
      });
  s.Finalize();
  return s;
}

}  // namespace

const OpSchema* newerOpSchema(const std::string& op, int maxInclusiveVersion, const std::string& domain) {
  if (!domain.empty() && domain != "ai.onnx") return nullptr;
  static const std::vector<OpSchema> schemas = {gelu(), swish(), rmsNormalization()};
  for (const OpSchema& s : schemas)
    if (s.Name() == op && s.SinceVersion() <= maxInclusiveVersion) return &s;
  return nullptr;
}

}  // namespace kiln::onnx
