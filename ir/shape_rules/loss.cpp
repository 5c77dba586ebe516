// Shape rules of the loss ops, NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (ONNX opset 13): scores [N, C, d1, ...], integer
// targets [N, d1, ...], optional class weights [C]. The loss has the targets'
// shape with reduction = none and is a scalar otherwise; SoftmaxCrossEntropy's
// optional second output, log_prob, has the scores' shape.
#include "ir/shape_rules.h"
#include "ir/shape_rules/norm_params.h"

namespace kiln::ir {

namespace {

void inferLoss(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& target = ctx.inputType(1);
  if (!isFloat(x.dtype))
    ctx.fail("unsupported dtype {} for the scores (expected floating point)", dtypeName(x.dtype));
  if (target.dtype != DType::I32 && target.dtype != DType::I64)
    ctx.fail("unsupported dtype {} for the target (expected i32 or i64)", dtypeName(target.dtype));
  LossReduction reduction = lossReduction(ctx);
  if (x.rankKnown && x.shape.size() < 2)
    ctx.fail("the scores must have rank >= 2 (N, C, ...), got rank {}", x.shape.size());
  if (x.rankKnown && x.shape[1].isStatic() && x.shape[1].value == 0)
    ctx.fail("the scores have no classes (dim 1 is 0)");
  if (x.rankKnown && target.rankKnown) {
    if (target.shape.size() + 1 != x.shape.size())
      ctx.fail("the target has rank {}; the scores' rank {} needs {}", target.shape.size(), x.shape.size(),
               x.shape.size() - 1);
    for (size_t k = 0; k < target.shape.size(); ++k) {
      const Dim& t = target.shape[k];
      const Dim& s = x.shape[k == 0 ? 0 : k + 1];
      if (t.isStatic() && s.isStatic() && t.value != s.value)
        ctx.fail("target dim {} is {} but the matching scores dim is {}", k, t.value, s.value);
    }
  }
  if (ctx.hasInput(2)) {
    const TensorType& w = ctx.inputType(2);
    if (w.dtype != x.dtype)
      ctx.fail("the weight is {} but the scores are {}", dtypeName(w.dtype), dtypeName(x.dtype));
    if (w.rankKnown && w.shape.size() != 1) ctx.fail("the weight must be 1-D, got rank {}", w.shape.size());
    if (w.rankKnown && x.rankKnown && w.shape[0].isStatic() && x.shape[1].isStatic() &&
        w.shape[0].value != x.shape[1].value)
      ctx.fail("the weight has {} elements but there are {} classes", w.shape[0].value, x.shape[1].value);
  }
  TensorType loss;
  loss.dtype = x.dtype;
  if (reduction == LossReduction::None) {
    loss.rankKnown = target.rankKnown;
    loss.shape = target.shape;
  }
  ctx.setOutput(0, loss);
  if (ctx.node.outputs.size() > 1) ctx.setOutput(1, x);
}

}  // namespace

void inferShapesNegativeLogLikelihoodLoss(InferContext& ctx) { inferLoss(ctx); }
void inferShapesSoftmaxCrossEntropyLoss(InferContext& ctx) { inferLoss(ctx); }

}  // namespace kiln::ir
