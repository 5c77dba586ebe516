// Shape rules of the quantization ops (ONNX opset 13 QuantizeLinear /
// DequantizeLinear, DynamicQuantizeLinear 11, MatMulInteger / ConvInteger /
// QLinearConv / QLinearMatMul 10).
//
// Scales and zero points are per tensor (a scalar or a 1-element tensor) or,
// where the op allows, one value per slice along an axis (a 1-D tensor).
// Zero points carry the quantized dtype; the rules check they match.
#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

bool isQuantType(DType t) { return t == DType::U8 || t == DType::I8 || t == DType::U16 || t == DType::I16; }

// Whether input i is a per-tensor parameter: a scalar or a tensor with one element.
bool isPerTensor(const TensorType& t) {
  if (!t.rankKnown) return false;
  for (const Dim& d : t.shape)
    if (!d.isStatic() || d.value != 1) return false;
  return true;
}

// Checks that parameter input `i` (a scale or zero point) is per tensor or a
// 1-D tensor of `len` entries (`len` unknown: any length), naming it `what`.
void requireParamShape(const InferContext& ctx, size_t i, const Dim& len, bool allowVector,
                       const char* what) {
  const TensorType& t = ctx.inputType(i);
  if (!t.rankKnown || isPerTensor(t)) return;
  if (!allowVector) ctx.fail("unsupported: {} must be a scalar (per-tensor)", what);
  if (t.shape.size() != 1)
    ctx.fail("unsupported: {} must be a scalar or 1-D, got rank {}", what, t.shape.size());
  if (t.shape[0].isStatic() && len.isStatic() && t.shape[0].value != len.value)
    ctx.fail("{} has {} entries, expected {}", what, t.shape[0].value, len.value);
}

void requireFloatScale(const InferContext& ctx, size_t i, const char* what) {
  DType t = ctx.inputType(i).dtype;
  if (!isFloat(t)) ctx.fail("{} must be a floating-point tensor, got {}", what, dtypeName(t));
}

void requireZeroPointType(const InferContext& ctx, size_t i, DType expected, const char* what) {
  if (!ctx.hasInput(i)) return;
  DType t = ctx.inputType(i).dtype;
  if (t != expected) ctx.fail("{} has dtype {}, expected {}", what, dtypeName(t), dtypeName(expected));
}

void requireU8OrI8(const InferContext& ctx, size_t i, const char* what) {
  DType t = ctx.inputType(i).dtype;
  if (t != DType::U8 && t != DType::I8)
    ctx.fail("unsupported: {} has dtype {} (only u8 and i8 are)", what, dtypeName(t));
}

// The axis of per-axis Quantize/DequantizeLinear, checked against x's rank;
// blocked quantization (opset 21 block_size) is not supported.
Dim quantAxisLength(const InferContext& ctx, const TensorType& x) {
  if (ctx.attrs().getInt("block_size", 0) != 0) ctx.fail("unsupported: blocked quantization (block_size)");
  if (!x.rankKnown) return Dim::unknown();
  int64_t axis = ctx.attrs().getInt("axis", 1);
  auto rank = static_cast<int64_t>(x.shape.size());
  const TensorType& scale = ctx.inputType(1);
  if (isPerTensor(scale)) return Dim::unknown();
  return x.shape[static_cast<size_t>(ctx.normalizeAxis(axis, rank))];
}

// numpy matmul shapes of A and B (inputs a and b), as MatMul.
Shape matmulShape(const InferContext& ctx, const TensorType& a, const TensorType& b) {
  if (a.shape.empty() || b.shape.empty()) ctx.fail("matmul operands must have rank >= 1");
  Shape as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), Dim::known(1));
  if (bs.size() == 1) bs.push_back(Dim::known(1));
  const Dim &ka = as.back(), &kb = bs[bs.size() - 2];
  if (ka.isStatic() && kb.isStatic() && ka.value != kb.value)
    ctx.fail("contraction dim mismatch: A's last is {}, B's second-to-last is {}", ka.value, kb.value);
  Shape out = broadcastShapes(ctx, Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  if (a.shape.size() > 1) out.push_back(as[as.size() - 2]);
  if (b.shape.size() > 1) out.push_back(bs.back());
  return out;
}

Dim rowsOf(const TensorType& a) {
  return a.rankKnown && a.shape.size() >= 2 ? a.shape[a.shape.size() - 2] : Dim::known(1);
}
Dim colsOf(const TensorType& b) {
  return b.rankKnown && b.shape.size() >= 2 ? b.shape.back() : Dim::known(1);
}

// Output shape of a Conv with the node's attributes over inputs x and w: the
// Conv rule itself, run on a float-typed copy so both ops share one geometry.
Shape convShape(const InferContext& ctx, size_t xi, size_t wi) {
  Graph scratch;
  TensorType x = ctx.inputType(xi), w = ctx.inputType(wi);
  x.dtype = w.dtype = DType::F32;
  ValueId xv = scratch.addValue("x", x), wv = scratch.addValue("w", w);
  ValueId yv = scratch.addValue("y", TensorType{});
  Node& conv = scratch.addNode(OpKind::Conv, {xv, wv}, {yv});
  conv.attrs = ctx.attrs();
  InferContext sub(scratch, conv);
  try {
    inferShapesConv(sub);
  } catch (const Error& e) {
    std::string msg = e.what(), prefix = scratch.describe(conv) + ": ";
    if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
    ctx.fail("{}", msg);
  }
  const TensorType& y = scratch.type(yv);
  if (!y.rankKnown) ctx.fail("unsupported: the rank of X or W is unknown");
  return y.shape;
}

Dim outChannels(const InferContext& ctx, size_t wi) {
  const TensorType& w = ctx.inputType(wi);
  return w.rankKnown && !w.shape.empty() ? w.shape[0] : Dim::unknown();
}

}  // namespace

// y = saturate(round_half_even(x / y_scale) + y_zero_point); y has the zero
// point's dtype (u8 when it is absent).
void inferShapesQuantizeLinear(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!isFloat(x.dtype) && x.dtype != DType::I32)
    ctx.fail("unsupported: x has dtype {} (float or i32 expected)", dtypeName(x.dtype));
  requireFloatScale(ctx, 1, "y_scale");
  DType out = DType::U8;
  if (int64_t od = ctx.attrs().getInt("output_dtype", 0); od != 0) {
    auto t = dtypeFromOnnx(static_cast<int32_t>(od));
    if (!t || !isQuantType(*t)) ctx.fail("unsupported: output_dtype {}", od);
    out = *t;
  }
  if (ctx.hasInput(2)) {
    DType zp = ctx.inputType(2).dtype;
    if (!isQuantType(zp)) ctx.fail("unsupported: quantizing to {}", dtypeName(zp));
    if (ctx.attrs().getInt("output_dtype", 0) != 0 && zp != out)
      ctx.fail("output_dtype {} differs from y_zero_point's dtype {}", dtypeName(out), dtypeName(zp));
    out = zp;
  }
  Dim len = quantAxisLength(ctx, x);
  requireParamShape(ctx, 1, len, true, "y_scale");
  if (ctx.hasInput(2)) requireParamShape(ctx, 2, len, true, "y_zero_point");
  TensorType y = x;
  y.dtype = out;
  ctx.setOutput(0, y);
}

// y = (x - x_zero_point) * x_scale; y has the scale's dtype.
void inferShapesDequantizeLinear(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (!isQuantType(x.dtype) && x.dtype != DType::I32)
    ctx.fail("unsupported: dequantizing {}", dtypeName(x.dtype));
  requireFloatScale(ctx, 1, "x_scale");
  requireZeroPointType(ctx, 2, x.dtype, "x_zero_point");
  Dim len = quantAxisLength(ctx, x);
  requireParamShape(ctx, 1, len, true, "x_scale");
  if (ctx.hasInput(2)) requireParamShape(ctx, 2, len, true, "x_zero_point");
  TensorType y = x;
  y.dtype = ctx.inputType(1).dtype;
  ctx.setOutput(0, y);
}

// y (u8, x's shape), y_scale (f32 scalar), y_zero_point (u8 scalar).
void inferShapesDynamicQuantizeLinear(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  if (x.dtype != DType::F32) ctx.fail("unsupported: x has dtype {} (f32 expected)", dtypeName(x.dtype));
  TensorType y = x;
  y.dtype = DType::U8;
  ctx.setOutput(0, y);
  ctx.setOutput(1, staticType(DType::F32, {}));
  ctx.setOutput(2, staticType(DType::U8, {}));
}

// Y (i32) = (A - a_zero_point) x (B - b_zero_point), numpy matmul shapes;
// a_zero_point is per tensor or per row of A, b_zero_point per tensor or per
// column of B.
void inferShapesMatMulInteger(InferContext& ctx) {
  requireU8OrI8(ctx, 0, "A");
  requireU8OrI8(ctx, 1, "B");
  const TensorType& a = ctx.inputType(0);
  const TensorType& b = ctx.inputType(1);
  requireZeroPointType(ctx, 2, a.dtype, "a_zero_point");
  requireZeroPointType(ctx, 3, b.dtype, "b_zero_point");
  if (ctx.hasInput(2)) requireParamShape(ctx, 2, rowsOf(a), true, "a_zero_point");
  if (ctx.hasInput(3)) requireParamShape(ctx, 3, colsOf(b), true, "b_zero_point");
  if (!a.rankKnown || !b.rankKnown) return ctx.setOutput(0, unknownRank(DType::I32));
  TensorType y;
  y.dtype = DType::I32;
  y.shape = matmulShape(ctx, a, b);
  ctx.setOutput(0, y);
}

// Inputs a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
// y_zero_point; y has y_zero_point's dtype and the matmul shape.
void inferShapesQLinearMatMul(InferContext& ctx) {
  requireU8OrI8(ctx, 0, "a");
  requireU8OrI8(ctx, 3, "b");
  requireU8OrI8(ctx, 7, "y_zero_point");
  const TensorType& a = ctx.inputType(0);
  const TensorType& b = ctx.inputType(3);
  requireFloatScale(ctx, 1, "a_scale");
  requireFloatScale(ctx, 4, "b_scale");
  requireFloatScale(ctx, 6, "y_scale");
  requireZeroPointType(ctx, 2, a.dtype, "a_zero_point");
  requireZeroPointType(ctx, 5, b.dtype, "b_zero_point");
  requireParamShape(ctx, 1, rowsOf(a), true, "a_scale");
  requireParamShape(ctx, 2, rowsOf(a), true, "a_zero_point");
  requireParamShape(ctx, 4, colsOf(b), true, "b_scale");
  requireParamShape(ctx, 5, colsOf(b), true, "b_zero_point");
  requireParamShape(ctx, 6, Dim::known(1), false, "y_scale");
  requireParamShape(ctx, 7, Dim::known(1), false, "y_zero_point");
  DType out = ctx.inputType(7).dtype;
  if (!a.rankKnown || !b.rankKnown) return ctx.setOutput(0, unknownRank(out));
  TensorType y;
  y.dtype = out;
  y.shape = matmulShape(ctx, a, b);
  ctx.setOutput(0, y);
}

// Conv over (x - x_zero_point) and (w - w_zero_point) accumulated in i32.
void inferShapesConvInteger(InferContext& ctx) {
  requireU8OrI8(ctx, 0, "x");
  requireU8OrI8(ctx, 1, "w");
  requireZeroPointType(ctx, 2, ctx.inputType(0).dtype, "x_zero_point");
  requireZeroPointType(ctx, 3, ctx.inputType(1).dtype, "w_zero_point");
  if (ctx.hasInput(2)) requireParamShape(ctx, 2, Dim::known(1), false, "x_zero_point");
  if (ctx.hasInput(3)) requireParamShape(ctx, 3, outChannels(ctx, 1), true, "w_zero_point");
  TensorType y;
  y.dtype = DType::I32;
  y.shape = convShape(ctx, 0, 1);
  ctx.setOutput(0, y);
}

// Inputs x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point, B (i32 bias, optional); y has y_zero_point's dtype.
void inferShapesQLinearConv(InferContext& ctx) {
  requireU8OrI8(ctx, 0, "x");
  requireU8OrI8(ctx, 3, "w");
  requireU8OrI8(ctx, 7, "y_zero_point");
  requireFloatScale(ctx, 1, "x_scale");
  requireFloatScale(ctx, 4, "w_scale");
  requireFloatScale(ctx, 6, "y_scale");
  requireZeroPointType(ctx, 2, ctx.inputType(0).dtype, "x_zero_point");
  requireZeroPointType(ctx, 5, ctx.inputType(3).dtype, "w_zero_point");
  Dim m = outChannels(ctx, 3);
  requireParamShape(ctx, 1, Dim::known(1), false, "x_scale");
  requireParamShape(ctx, 2, Dim::known(1), false, "x_zero_point");
  requireParamShape(ctx, 4, m, true, "w_scale");
  requireParamShape(ctx, 5, m, true, "w_zero_point");
  requireParamShape(ctx, 6, Dim::known(1), false, "y_scale");
  requireParamShape(ctx, 7, Dim::known(1), false, "y_zero_point");
  if (ctx.hasInput(8)) {
    const TensorType& bias = ctx.inputType(8);
    if (bias.dtype != DType::I32) ctx.fail("bias B has dtype {}, expected i32", dtypeName(bias.dtype));
    if (bias.rankKnown && bias.shape.size() != 1)
      ctx.fail("bias B must be 1-D, got rank {}", bias.shape.size());
    if (bias.rankKnown && bias.shape[0].isStatic() && m.isStatic() && bias.shape[0].value != m.value)
      ctx.fail("bias B has {} entries, expected {}", bias.shape[0].value, m.value);
  }
  TensorType y;
  y.dtype = ctx.inputType(7).dtype;
  y.shape = convShape(ctx, 0, 3);
  ctx.setOutput(0, y);
}

}  // namespace kiln::ir
