// The semantics of the elementwise ops that a fused epilogue may hold, as
// functions on llvm::Values: each computes its op on operands of compute type
// t (scalars, or vectors of one width; constants built here splat to the
// operand's width). The standalone emitters (elementwise*.cpp) and epilogues
// (epilogue.cpp) both call them, so each op's semantics is written once.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen::elementwise {

using llvm::Value;

Value* neg(KernelContext& ctx, Value* x, DType t);
Value* abs(KernelContext& ctx, Value* x, DType t);
Value* relu(KernelContext& ctx, Value* x, DType t);
Value* leakyRelu(KernelContext& ctx, Value* x, const ir::Attributes& attrs);
// 1 / (1 + exp(-x)): exp overflows to inf for very negative x, giving 0.
Value* sigmoid(KernelContext& ctx, Value* x);
Value* hardSigmoid(KernelContext& ctx, Value* x, const ir::Attributes& attrs, DType t);
Value* hardSwish(KernelContext& ctx, Value* x, DType t);
// Gelu: 0.5 x (1 + erf(x / sqrt 2)), or with `tanhForm` 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
// computed as x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) (1 + tanh(z) = 2 sigmoid(2z)), which vectorizes.
Value* gelu(KernelContext& ctx, Value* x, bool tanhForm);
// Swish: x * sigmoid(alpha * x).
Value* swish(KernelContext& ctx, Value* x, const ir::Attributes& attrs);
Value* exp(KernelContext& ctx, Value* x);
Value* sqrt(KernelContext& ctx, Value* x);
Value* reciprocal(KernelContext& ctx, Value* x);
Value* tanh(KernelContext& ctx, Value* x);
Value* erf(KernelContext& ctx, Value* x);
// Clamps x into [lo, hi] (either may be null); NaN stays NaN.
Value* clamp(KernelContext& ctx, Value* x, Value* lo, Value* hi, DType t);

Value* add(KernelContext& ctx, Value* x, Value* y, DType t);
Value* sub(KernelContext& ctx, Value* x, Value* y, DType t);
Value* mul(KernelContext& ctx, Value* x, Value* y, DType t);
Value* div(KernelContext& ctx, Value* x, Value* y, DType t);
// Larger (or smaller) of two values; floats propagate NaN like ONNX Runtime.
Value* extremum(KernelContext& ctx, Value* x, Value* y, DType t, bool isMax);
// x < 0 ? slope * x : x
Value* prelu(KernelContext& ctx, Value* x, Value* slope, DType t);

// Inference BatchNormalization, y = (x - mean) / sqrt(var + epsilon) * scale + bias,
// folded per channel into y = x * a + b.
struct ScaleShift {
  Value* a;
  Value* b;
};
ScaleShift batchNormScaleShift(KernelContext& ctx, Value* scale, Value* bias, Value* mean, Value* var,
                               const ir::Attributes& attrs);
// x * s.a + s.b, contractible to an FMA.
Value* scaleShift(KernelContext& ctx, Value* x, const ScaleShift& s);

}  // namespace kiln::codegen::elementwise
