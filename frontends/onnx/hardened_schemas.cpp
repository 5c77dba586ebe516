#include "frontends/onnx/hardened_schemas.h"

#include "frontends/onnx/newer_schemas.h"

#include <onnx/defs/shape_inference.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::onnx {

namespace {

using ::onnx::InferenceContext;
using ::onnx::OpSchema;

// What ONNX's fail_shape_inference throws. (The macro itself names
// `onnx::`, which inside kiln::onnx means this namespace.)
template <typename... Args>
[[noreturn]] void inferenceError(const Args&... args) {
  throw ::onnx::InferenceError(::onnx::MakeString("[ShapeInferenceError] ", args...));
}

// Rank of input `i` when its shape is known, else -1.
int inputRank(InferenceContext& ctx, size_t i) {
  if (!::onnx::hasInputShape(ctx, i)) return -1;
  return ctx.getInputType(i)->tensor_type().shape().dim_size();
}

// Checks an INTS attribute's length and, when `positive`, that its values are >= 1.
void checkInts(InferenceContext& ctx, const char* name, size_t expectedSize, bool positive) {
  std::vector<int64_t> v;
  if (!::onnx::getRepeatedAttribute(ctx, name, v)) return;
  if (v.size() != expectedSize)
    inferenceError("Attribute ", name, " has ", v.size(), " values; the input needs ", expectedSize);
  if (positive)
    for (int64_t x : v)
      if (x < 1) inferenceError("Attribute ", name, " must be positive, not ", x);
}

// What ONNX's convPoolShapeInference and convTransposeShapeInference assume:
// X has N, C and at least one spatial dim; W (when it carries the kernel) has
// X's rank; every per-axis attribute has one value per spatial dim (two for
// pads); strides, dilations and kernel sizes are positive.
void checkConvPoolPreconditions(InferenceContext& ctx, bool hasWeight) {
  int rank = inputRank(ctx, 0);
  if (rank < 0) return;  // ONNX skips shape inference without an input shape too
  if (rank < 3) inferenceError("Input X must have rank >= 3 (N, C, spatial dims), not ", rank);
  auto spatial = static_cast<size_t>(rank - 2);
  if (hasWeight) {
    int wRank = inputRank(ctx, 1);
    if (wRank >= 0 && wRank != rank)
      inferenceError("Weight W has rank ", wRank, " but input X has rank ", rank);
  }
  checkInts(ctx, "kernel_shape", spatial, true);
  checkInts(ctx, "strides", spatial, true);
  checkInts(ctx, "dilations", spatial, true);
  checkInts(ctx, "pads", 2 * spatial, false);
  checkInts(ctx, "output_padding", spatial, false);
  checkInts(ctx, "output_shape", spatial, false);
}

struct Guard {
  const char* op;
  bool hasWeight;
};
constexpr Guard kGuards[] = {
    {"Conv", true}, {"ConvTranspose", true}, {"MaxPool", false}, {"AveragePool", false}};

// Constant-1 constrains its output to float16, float and double, but PyTorch's
// opset-6 exports use int64 Constants (the shapes of Reshape and Tile), which
// ONNX Runtime accepts: like ONNX Runtime, Kiln makes every Constant node a
// constant value of its attribute tensor's own type. So Constant-1 is checked
// with the output types of Constant-9 (every tensor type); its attribute,
// arity and inference function stay as they are.
OpSchema constantWithAnyTensorType(const OpSchema& s) {
  OpSchema copy(s.Name(), s.file(), s.line());
  copy.SetDomain(s.domain()).SinceVersion(s.SinceVersion());
  for (const auto& [name, attr] : s.attributes()) copy.Attr(attr);
  const OpSchema::FormalParameter& out = s.outputs().at(0);
  copy.Output(0, out.GetName(), out.GetDescription(), out.GetTypeStr());
  copy.TypeConstraint(out.GetTypeStr(), OpSchema::all_tensor_types(), "Any tensor type.");
  copy.TypeAndShapeInferenceFunction(s.GetTypeAndShapeInferenceFunction());
  copy.Finalize();
  return copy;
}

class HardenedRegistry final : public ::onnx::ISchemaRegistry {
 public:
  const OpSchema* GetSchema(const std::string& key, const int maxInclusiveVersion,
                            const std::string& domain) const override {
    const OpSchema* schema =
        ::onnx::OpSchemaRegistry::Instance()->GetSchema(key, maxInclusiveVersion, domain);
    if (!schema) return newerOpSchema(key, maxInclusiveVersion, domain);
    if (!domain.empty() && domain != "ai.onnx") return schema;
    for (const Guard& g : kGuards)
      if (key == g.op) return guarded(schema, g.hasWeight);
    if (key == "Constant" && schema->SinceVersion() < 9 && schema->outputs().size() == 1)
      return derived(schema, [&] { return constantWithAnyTensorType(*schema); });
    return schema;
  }

 private:
  const OpSchema* guarded(const OpSchema* schema, bool hasWeight) const {
    return derived(schema, [&] {
      OpSchema copy(*schema);
      auto infer = schema->GetTypeAndShapeInferenceFunction();
      copy.TypeAndShapeInferenceFunction([infer, hasWeight](InferenceContext& ctx) {
        checkConvPoolPreconditions(ctx, hasWeight);
        if (infer) infer(ctx);
      });
      return copy;
    });
  }

  // The replacement of `schema` that `make` builds, made once and kept.
  const OpSchema* derived(const OpSchema* schema, const std::function<OpSchema()>& make) const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::unique_ptr<OpSchema>& copy = copies_[schema];
    if (!copy) copy = std::make_unique<OpSchema>(make());
    return copy.get();
  }

  mutable std::mutex mutex_;
  mutable std::unordered_map<const OpSchema*, std::unique_ptr<OpSchema>> copies_;
};

}  // namespace

const ::onnx::ISchemaRegistry* hardenedSchemaRegistry() {
  static const HardenedRegistry registry;
  return &registry;
}

}  // namespace kiln::onnx
