// Shape rule of TfIdfVectorizer (ONNX opset 9): int32 or int64 token ids of
// shape [C] or [N, C] in; float n-gram counts, weighted per `mode`, of shape
// [max(ngram_indexes) + 1] or [N, max(ngram_indexes) + 1] out. Every attribute
// is checked in text_params.h.
#include "ir/shape_rules.h"
#include "ir/shape_rules/text_params.h"

namespace kiln::ir {

void inferShapesTfIdfVectorizer(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (x.dtype == DType::String) ctx.fail("unsupported: string input (string tensors are not compiled)");
  if (x.dtype != DType::I32 && x.dtype != DType::I64)
    ctx.fail("input has dtype {}, expected int32 or int64", dtypeName(x.dtype));
  TfIdfParams p = readTfIdfParams(ctx);
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(DType::F32));
  if (x.shape.size() != 1 && x.shape.size() != 2)
    ctx.fail("input must have rank 1 ([C]) or 2 ([N, C]), got {}", x.shape.size());
  TensorType y;
  y.dtype = DType::F32;
  if (x.shape.size() == 2) y.shape.push_back(x.shape[0]);
  y.shape.push_back(Dim::known(p.outputSize));
  ctx.setOutput(0, y);
}

}  // namespace kiln::ir
