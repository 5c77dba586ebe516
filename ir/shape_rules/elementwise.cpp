// Shape rules of the elementwise ops: unary ops keep their input's type, binary
// and variadic ops broadcast (ONNX multidirectional broadcasting), comparisons
// and logical ops produce bool, Cast produces its `to` dtype.
#include "ir/shape_rules.h"
#include "ir/shape_rules/activation_params.h"

namespace kiln::ir {

namespace {

void sameAsInput(InferContext& ctx) { ctx.setOutput(0, ctx.inputType(0)); }

void requireFloat(InferContext& ctx) {
  DType t = ctx.inputType(0).dtype;
  if (!isFloat(t)) ctx.fail("input must be a floating-point tensor, got {}", dtypeName(t));
}

void requireNumeric(InferContext& ctx, size_t i) {
  DType t = ctx.inputType(i).dtype;
  if (t == DType::String || t == DType::Undefined || t == DType::Bool)
    ctx.fail("input {} must be numeric, got {}", i, dtypeName(t));
}

TensorType broadcastInputs(InferContext& ctx, size_t first, size_t count) {
  TensorType out;
  out.dtype = ctx.inputType(first).dtype;
  out.rankKnown = true;
  for (size_t i = first; i < first + count; ++i) {
    const TensorType& t = ctx.inputType(i);
    if (!t.rankKnown) {
      out.rankKnown = false;
      out.shape.clear();
      return out;
    }
    out.shape = i == first ? t.shape : broadcastShapes(ctx, out.shape, t.shape);
  }
  return out;
}

// Binary op whose operands must share a dtype; result dtype is `resultType`
// (Undefined = the operands' dtype).
void binary(InferContext& ctx, DType resultType = DType::Undefined) {
  if (ctx.inputType(0).dtype != ctx.inputType(1).dtype)
    ctx.fail("operand dtypes differ: {} and {}", dtypeName(ctx.inputType(0).dtype),
             dtypeName(ctx.inputType(1).dtype));
  TensorType t = broadcastInputs(ctx, 0, 2);
  if (resultType != DType::Undefined) t.dtype = resultType;
  ctx.setOutput(0, t);
}

void unaryFloat(InferContext& ctx) {
  requireFloat(ctx);
  sameAsInput(ctx);
}

void unaryNumeric(InferContext& ctx) {
  requireNumeric(ctx, 0);
  sameAsInput(ctx);
}

}  // namespace

void inferShapesIdentity(InferContext& ctx) { sameAsInput(ctx); }
void inferShapesNeg(InferContext& ctx) { unaryNumeric(ctx); }
void inferShapesAbs(InferContext& ctx) { unaryNumeric(ctx); }
void inferShapesSqrt(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesExp(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesLog(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesTanh(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesErf(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesReciprocal(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesFloor(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesCeil(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesRelu(InferContext& ctx) { unaryNumeric(ctx); }
void inferShapesLeakyRelu(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesSigmoid(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesHardSigmoid(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesHardSwish(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesGelu(InferContext& ctx) {
  geluApproximation(ctx, ctx.attrs());
  unaryFloat(ctx);
}
void inferShapesSwish(InferContext& ctx) { unaryFloat(ctx); }

void inferShapesNot(InferContext& ctx) {
  if (ctx.inputType(0).dtype != DType::Bool) ctx.fail("input must be bool");
  sameAsInput(ctx);
}

void inferShapesCast(InferContext& ctx) {
  if (!ctx.attrs().has("to")) ctx.fail("attribute 'to' is required");
  int64_t to = ctx.attrs().getInt("to", 0);
  std::optional<DType> t = dtypeFromOnnx(static_cast<int32_t>(to));
  if (!t || *t == DType::String) ctx.fail("unsupported cast target type {}", to);
  if (ctx.inputType(0).dtype == DType::String) ctx.fail("casting strings is not supported");
  TensorType out = ctx.inputType(0);
  out.dtype = *t;
  ctx.setOutput(0, out);
}

void inferShapesClip(InferContext& ctx) {
  requireNumeric(ctx, 0);
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.hasInput(i)) continue;
    const TensorType& b = ctx.inputType(i);
    if (b.dtype != ctx.inputType(0).dtype) ctx.fail("bound {} has dtype {}", i, dtypeName(b.dtype));
    if (b.rankKnown && b.isStatic() && b.numElements() != 1) ctx.fail("bound {} must be a scalar", i);
  }
  sameAsInput(ctx);
}

void inferShapesAdd(InferContext& ctx) { binary(ctx); }
void inferShapesSub(InferContext& ctx) { binary(ctx); }
void inferShapesMul(InferContext& ctx) { binary(ctx); }
void inferShapesDiv(InferContext& ctx) { binary(ctx); }

void inferShapesPow(InferContext& ctx) {
  requireNumeric(ctx, 0);
  requireNumeric(ctx, 1);
  ctx.setOutput(0, broadcastInputs(ctx, 0, 2));  // exponent may have another dtype
}

void inferShapesEqual(InferContext& ctx) { binary(ctx, DType::Bool); }
void inferShapesLess(InferContext& ctx) { binary(ctx, DType::Bool); }
void inferShapesGreater(InferContext& ctx) { binary(ctx, DType::Bool); }

void inferShapesAnd(InferContext& ctx) {
  if (ctx.inputType(0).dtype != DType::Bool) ctx.fail("operands must be bool");
  binary(ctx);
}
void inferShapesOr(InferContext& ctx) { inferShapesAnd(ctx); }

void inferShapesWhere(InferContext& ctx) {
  if (ctx.inputType(0).dtype != DType::Bool) ctx.fail("condition must be bool");
  if (ctx.inputType(1).dtype != ctx.inputType(2).dtype) ctx.fail("X and Y dtypes differ");
  TensorType t = broadcastInputs(ctx, 0, 3);
  t.dtype = ctx.inputType(1).dtype;
  ctx.setOutput(0, t);
}

void inferShapesMax(InferContext& ctx) {
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    requireNumeric(ctx, i);
    if (ctx.inputType(i).dtype != ctx.inputType(0).dtype) ctx.fail("operand dtypes differ");
  }
  ctx.setOutput(0, broadcastInputs(ctx, 0, ctx.numInputs()));
}
void inferShapesMin(InferContext& ctx) { inferShapesMax(ctx); }

}  // namespace kiln::ir
