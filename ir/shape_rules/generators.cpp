// Shape rules of the ops that generate tensors from shapes or scalars (ONNX
// opset 11+ forms): Range, ConstantOfShape, Size, EyeLike. Range and
// ConstantOfShape need constant operands, which give their output shapes.
#include <cmath>

#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

// max(ceil((limit - start) / delta), 0), as ONNX Runtime computes it: the
// difference in the inputs' type, the quotient in double; exact for integers.
int64_t rangeCount(const InferContext& ctx, DType t, const TensorData& start, const TensorData& limit,
                   const TensorData& delta) {
  constexpr double kMaxCount = 1e15;  // far beyond any buffer; keeps the cast below defined
  if (isFloat(t)) {
    double d = delta.floatAt(0);
    if (d == 0) ctx.fail("delta is 0");
    double diff = t == DType::F32 ? static_cast<double>(static_cast<float>(limit.floatAt(0)) -
                                                        static_cast<float>(start.floatAt(0)))
                                  : limit.floatAt(0) - start.floatAt(0);
    double q = std::ceil(diff / d);
    if (std::isnan(q)) ctx.fail("the element count is not a number");
    if (q > kMaxCount) ctx.fail("the element count {} is too large", q);
    return q > 0 ? static_cast<int64_t>(q) : 0;
  }
  __int128 s = start.intAt(0), l = limit.intAt(0), d = delta.intAt(0);
  if (d == 0) ctx.fail("delta is 0");
  __int128 diff = l - s;
  if ((diff > 0) != (d > 0) || diff == 0) return 0;
  if (d < 0) {
    diff = -diff;
    d = -d;
  }
  __int128 q = (diff + d - 1) / d;
  if (q > static_cast<__int128>(kMaxCount)) ctx.fail("the element count is too large");
  return static_cast<int64_t>(q);
}

}  // namespace

// Range: [start, start + delta, ...) up to (excluding) limit; three scalars of one type.
void inferShapesRange(InferContext& ctx) {
  DType t = ctx.inputType(0).dtype;
  for (size_t i = 1; i < 3; ++i)
    if (ctx.inputType(i).dtype != t)
      ctx.fail("input {} is {} but start is {}", i, dtypeName(ctx.inputType(i).dtype), dtypeName(t));
  if (t != DType::F32 && t != DType::F64 && t != DType::I16 && t != DType::I32 && t != DType::I64)
    ctx.fail("unsupported dtype {}", dtypeName(t));
  const char* names[] = {"start", "limit", "delta"};
  const TensorData* c[3];
  for (size_t i = 0; i < 3; ++i) {
    const TensorType& type = ctx.inputType(i);
    if (type.isStatic() && type.numElements() != 1)
      ctx.fail("{} must be a scalar, has {} elements", names[i], type.numElements());
    c[i] = &ctx.requireConstant(i, names[i]);
    if (c[i]->numElements() != 1) ctx.fail("{} must be a scalar", names[i]);
  }
  int64_t n = rangeCount(ctx, t, *c[0], *c[1], *c[2]);
  ctx.setOutput(0, staticType(t, {n}));
}

// ConstantOfShape: a tensor of the shape given by its input, filled with the
// one element of the `value` attribute (default f32 0).
void inferShapesConstantOfShape(InferContext& ctx) {
  const TensorType& in = ctx.inputType(0);
  if (in.dtype != DType::I64) ctx.fail("input must be int64, got {}", dtypeName(in.dtype));
  if (in.rankKnown && in.shape.size() != 1) ctx.fail("input must have rank 1, has {}", in.shape.size());
  DType dtype = DType::F32;
  if (TensorDataPtr v = ctx.attrs().getTensor("value")) {
    if (v->numElements() != 1) ctx.fail("value must have one element, has {}", v->numElements());
    if (v->dtype == DType::String) ctx.fail("unsupported value dtype str");
    dtype = v->dtype;
  }
  std::vector<int64_t> shape = ctx.requireConstantInts(0, "input");
  for (int64_t d : shape)
    if (d < 0) ctx.fail("shape has a negative dim {}", d);
  ctx.setOutput(0, staticType(dtype, shape));
}

// Size: the number of elements of the input, as an int64 scalar.
void inferShapesSize(InferContext& ctx) {
  ctx.inputType(0);
  ctx.setOutput(0, staticType(DType::I64, {}));
}

// EyeLike: a 2-D tensor of the input's shape with ones on diagonal k (column
// minus row = k) and zeros elsewhere; dtype from the `dtype` attribute or the input.
void inferShapesEyeLike(InferContext& ctx) {
  const TensorType& in = ctx.inputType(0);
  DType dtype = in.dtype;
  if (ctx.attrs().has("dtype")) {
    auto t = dtypeFromOnnx(static_cast<int32_t>(ctx.attrs().getInt("dtype", 0)));
    if (!t) ctx.fail("unsupported dtype {}", ctx.attrs().getInt("dtype", 0));
    dtype = *t;
  }
  if (dtype == DType::String || dtype == DType::Undefined) ctx.fail("unsupported dtype {}", dtypeName(dtype));
  if (in.rankKnown && in.shape.size() != 2) ctx.fail("input must have rank 2, has {}", in.shape.size());
  TensorType out = in;
  out.dtype = dtype;
  ctx.setOutput(0, out);
}

}  // namespace kiln::ir
