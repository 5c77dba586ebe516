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


// Attention (opset 23). Shape inference covers the 4-D form Kiln implements:
// Y [B, Hq, Sq, Dv] from Q [B, Hq, Sq, D] and V [B, Hkv, Skv, Dv].
OpSchema attention() {
  OpSchema s("Attention", __FILE__, __LINE__);
  s.SetDomain("")
      .SinceVersion(23)
      .Attr("is_causal", "1: causal mask, upper-left aligned.", AttributeProto::INT, static_cast<int64_t>(0))
      .Attr("kv_num_heads", "Key/value heads (3-D inputs).", AttributeProto::INT, false)
      .Attr("q_num_heads", "Query heads (3-D inputs).", AttributeProto::INT, false)
      .Attr("qk_matmul_output_mode", "What output qk_matmul_output holds.", AttributeProto::INT,
            static_cast<int64_t>(0))
      .Attr("scale", "Scale of Q K^T (default 1/sqrt(head size)).", AttributeProto::FLOAT, false)
      .Attr("softcap", "Softcap of the scores (0: none).", AttributeProto::FLOAT, 0.0f)
      .Attr("softmax_precision", "Type of the softmax computation.", AttributeProto::INT, false)
      .Input(0, "Q", "Queries.", "T1")
      .Input(1, "K", "Keys.", "T1")
      .Input(2, "V", "Values.", "T2")
      .Input(3, "attn_mask", "Mask: bool (true = attend) or added to the scores.", "U", OpSchema::Optional)
      .Input(4, "past_key", "Past keys.", "T1", OpSchema::Optional)
      .Input(5, "past_value", "Past values.", "T2", OpSchema::Optional)
      .Output(0, "Y", "Attention output.", "T1")
      .Output(1, "present_key", "Past and current keys.", "T1", OpSchema::Optional)
      .Output(2, "present_value", "Past and current values.", "T2", OpSchema::Optional)
      .Output(3, "qk_matmul_output", "Scores.", "T1", OpSchema::Optional)
      .TypeConstraint("T1", kFloatTypes, "Floating-point tensors.")
      .TypeConstraint("T2", kFloatTypes, "Floating-point tensors.")
      .TypeConstraint("U",
                      {"tensor(bool)", "tensor(float16)", "tensor(float)", "tensor(double)", "tensor(bfloat16)"},
                      "Mask types.")
      .TypeAndShapeInferenceFunction([](::onnx::InferenceContext& ctx) {
        ::onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
        if (!::onnx::hasNInputShapes(ctx, 3)) return;
        const auto& q = ctx.getInputType(0)->tensor_type().shape();
        const auto& v = ctx.getInputType(2)->tensor_type().shape();
        if (q.dim_size() != 4 || v.dim_size() != 4) return;
        ::onnx::TensorShapeProto y;
        for (int d = 0; d < 3; ++d) *y.add_dim() = q.dim(d);
        *y.add_dim() = v.dim(3);
        ::onnx::updateOutputShape(ctx, 0, y);
      });
  s.Finalize();
  return s;
}

}  // namespace

const OpSchema* newerOpSchema(const std::string& op, int maxInclusiveVersion, const std::string& domain) {
  if (!domain.empty() && domain != "ai.onnx") return nullptr;
  static const std::vector<OpSchema> schemas = {gelu(), swish(), rmsNormalization(), attention()};
  for (const OpSchema& s : schemas)
    if (s.Name() == op && s.SinceVersion() <= maxInclusiveVersion) return &s;
  return nullptr;
}

}  // namespace kiln::onnx
