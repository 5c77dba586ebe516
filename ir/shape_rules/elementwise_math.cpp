// Shape rules of the second batch of elementwise ops (ir/ops.def): unary math
// and activations keep their input's type, IsNaN/IsInf give bool, PRelu takes
// X's shape (its slope broadcasts unidirectionally to X), the binary and
// variadic ops broadcast multidirectionally, CastLike takes the dtype of its
// second input and Dropout (inference only) passes X through with a bool mask.
#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

void sameAsInput(InferContext& ctx) { ctx.setOutput(0, ctx.inputType(0)); }

void unaryFloat(InferContext& ctx) {
  DType t = ctx.inputType(0).dtype;
  if (!isFloat(t)) ctx.fail("input must be a floating-point tensor, got {}", dtypeName(t));
  sameAsInput(ctx);
}

bool isNumeric(DType t) { return isFloat(t) || isInteger(t); }

void unaryNumeric(InferContext& ctx) {
  DType t = ctx.inputType(0).dtype;
  if (!isNumeric(t)) ctx.fail("input must be numeric, got {}", dtypeName(t));
  sameAsInput(ctx);
}

// Broadcasts inputs [0, n) (all of one dtype) into the output type; the rank
// stays unknown when any input's is.
TensorType broadcastAll(InferContext& ctx, size_t n) {
  TensorType out;
  out.dtype = ctx.inputType(0).dtype;
  out.rankKnown = true;
  for (size_t i = 0; i < n; ++i) {
    const TensorType& t = ctx.inputType(i);
    if (t.dtype != out.dtype)
      ctx.fail("operand dtypes differ: {} and {}", dtypeName(out.dtype), dtypeName(t.dtype));
    if (!t.rankKnown) {
      out.rankKnown = false;
      out.shape.clear();
    } else if (out.rankKnown) {
      out.shape = i == 0 ? t.shape : broadcastShapes(ctx, out.shape, t.shape);
    }
  }
  return out;
}

// Binary op over operands of one dtype accepted by `ok`; the result has
// `result` dtype (Undefined = the operands').
template <typename Pred>
void binary(InferContext& ctx, Pred ok, const char* what, DType result = DType::Undefined) {
  DType t = ctx.inputType(0).dtype;
  if (!ok(t)) ctx.fail("operands must be {}, got {}", what, dtypeName(t));
  TensorType out = broadcastAll(ctx, 2);
  if (result != DType::Undefined) out.dtype = result;
  ctx.setOutput(0, out);
}

void variadicFloat(InferContext& ctx) {
  DType t = ctx.inputType(0).dtype;
  if (!isFloat(t)) ctx.fail("operands must be floating-point, got {}", dtypeName(t));
  ctx.setOutput(0, broadcastAll(ctx, ctx.numInputs()));
}

void floatPredicate(InferContext& ctx) {
  DType t = ctx.inputType(0).dtype;
  if (!isFloat(t)) ctx.fail("input must be a floating-point tensor, got {}", dtypeName(t));
  TensorType out = ctx.inputType(0);
  out.dtype = DType::Bool;
  ctx.setOutput(0, out);
}

}  // namespace

void inferShapesSin(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesCos(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesTan(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesAsin(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesAcos(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesAtan(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesSinh(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesCosh(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesAsinh(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesAcosh(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesAtanh(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesSign(InferContext& ctx) { unaryNumeric(ctx); }
void inferShapesRound(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesSoftsign(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesSoftplus(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesSelu(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesElu(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesMish(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesThresholdedRelu(InferContext& ctx) { unaryFloat(ctx); }
void inferShapesShrink(InferContext& ctx) { unaryNumeric(ctx); }
void inferShapesIsNaN(InferContext& ctx) { floatPredicate(ctx); }
void inferShapesIsInf(InferContext& ctx) { floatPredicate(ctx); }

void inferShapesCelu(InferContext& ctx) {
  if (ctx.attrs().getFloat("alpha", 1.0f) == 0.0f) ctx.fail("alpha must not be 0");
  unaryFloat(ctx);
}

void inferShapesPRelu(InferContext& ctx) {
  const TensorType &x = ctx.inputType(0), &slope = ctx.inputType(1);
  if (!isNumeric(x.dtype)) ctx.fail("X must be numeric, got {}", dtypeName(x.dtype));
  if (slope.dtype != x.dtype)
    ctx.fail("slope has dtype {}, expected {} like X", dtypeName(slope.dtype), dtypeName(x.dtype));
  // Unidirectional broadcasting: slope must broadcast to X's shape.
  if (x.rankKnown && slope.rankKnown) {
    if (slope.shape.size() > x.shape.size())
      ctx.fail("slope of rank {} does not broadcast to X of rank {}", slope.shape.size(), x.shape.size());
    size_t offset = x.shape.size() - slope.shape.size();
    for (size_t i = 0; i < slope.shape.size(); ++i) {
      const Dim &s = slope.shape[i], &d = x.shape[offset + i];
      if (s.isStatic() && s.value != 1 && d.isStatic() && d.value != s.value)
        ctx.fail("slope dim {} ({}) does not broadcast to X's dim {} ({})", i, s.value, offset + i, d.value);
    }
  }
  sameAsInput(ctx);
}

void inferShapesMod(InferContext& ctx) {
  int64_t fmod = ctx.attrs().getInt("fmod", 0);
  if (fmod != 0 && fmod != 1) ctx.fail("fmod must be 0 or 1, got {}", fmod);
  DType t = ctx.inputType(0).dtype;
  if (fmod == 0 && isFloat(t)) ctx.fail("fmod must be 1 for floating-point operands ({})", dtypeName(t));
  binary(ctx, isNumeric, "numeric");
}

void inferShapesBitShift(InferContext& ctx) {
  std::string direction = ctx.attrs().getString("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    ctx.fail("attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"{}\"", direction);
  binary(ctx, isUnsignedInt, "unsigned integers");
}

void inferShapesXor(InferContext& ctx) {
  binary(ctx, [](DType t) { return t == DType::Bool; }, "bool");
}

void inferShapesGreaterOrEqual(InferContext& ctx) { binary(ctx, isNumeric, "numeric", DType::Bool); }
void inferShapesLessOrEqual(InferContext& ctx) { binary(ctx, isNumeric, "numeric", DType::Bool); }

void inferShapesSum(InferContext& ctx) { variadicFloat(ctx); }
void inferShapesMean(InferContext& ctx) { variadicFloat(ctx); }

void inferShapesCastLike(InferContext& ctx) {
  DType from = ctx.inputType(0).dtype, to = ctx.inputType(1).dtype;
  if (from == DType::String || to == DType::String) ctx.fail("casting strings is unsupported");
  TensorType out = ctx.inputType(0);
  out.dtype = to;
  ctx.setOutput(0, out);
}

// Inference Dropout is the identity. In training mode it drops elements at
// random; that is unsupported, except with ratio 0 where nothing is dropped.
// training_mode (and then ratio) must therefore be known when compiling.
void inferShapesDropout(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!isFloat(x.dtype)) ctx.fail("input must be a floating-point tensor, got {}", dtypeName(x.dtype));
  if (ctx.hasInput(1) && !isFloat(ctx.inputType(1).dtype))
    ctx.fail("ratio must be floating-point, got {}", dtypeName(ctx.inputType(1).dtype));
  if (ctx.hasInput(2)) {
    if (ctx.inputType(2).dtype != DType::Bool) ctx.fail("training_mode must be bool");
    std::vector<int64_t> training = ctx.requireConstantInts(2, "training_mode");
    if (training.size() != 1) ctx.fail("training_mode must be a scalar");
    if (training[0] != 0) {
      double ratio = 0.5;
      if (ctx.hasInput(1)) {
        const TensorData* r = &ctx.requireConstant(1, "ratio");
        if (r->numElements() != 1) ctx.fail("ratio must be a scalar");
        ratio = r->floatAt(0);
      }
      if (ratio != 0.0) ctx.fail("unsupported: training-mode Dropout (random dropping) with ratio {}", ratio);
    }
  }
  sameAsInput(ctx);
  if (ctx.node.outputs.size() > 1) {
    TensorType mask = x;
    mask.dtype = DType::Bool;
    ctx.setOutput(1, mask);
  }
}

}  // namespace kiln::ir
