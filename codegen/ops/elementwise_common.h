// Scalar helpers shared by the elementwise emitters (elementwise.cpp,
// elementwise_math.cpp, elementwise_binary.cpp): compute types, libm calls and
// the unary/binary drivers over emitBroadcastLoop.
#pragma once

#include <functional>

#include "codegen/ops/broadcast_loop.h"

namespace kiln::codegen {

// The dtype arithmetic is done in: f16/bf16 compute in f32, the rest as stored.
inline DType computeType(DType t) { return (t == DType::F16 || t == DType::BF16) ? DType::F32 : t; }

// A floating-point constant of x's type.
inline llvm::Value* fconst(llvm::Value* like, double v) { return llvm::ConstantFP::get(like->getType(), v); }

// Calls a libm function of one argument (tanhf/tanh, erff/erf, ...) that
// touches no memory; picks the f64 name when x is a double. A vector x gets
// one call per lane.
llvm::Value* callLibm(KernelContext& ctx, const char* f32Name, const char* f64Name, llvm::Value* x);

// Elementwise over input 0 in its compute type; the result is converted to the
// output's dtype.
void emitUnary(KernelContext& ctx, const std::function<llvm::Value*(llvm::Value*, DType)>& fn);
void emitUnaryFloat(KernelContext& ctx, const std::function<llvm::Value*(llvm::Value*)>& fn);

// Binary op over inputs 0 and 1 computed in the first input's compute type; a
// bool output takes fn's i8 result as is.
void emitBinary(KernelContext& ctx, const std::function<llvm::Value*(llvm::Value*, llvm::Value*, DType)>& fn);

// i1 -> the i8 storage of a bool.
inline llvm::Value* boolToByte(KernelContext& ctx, llvm::Value* i1) {
  return ctx.b.CreateZExt(i1, ctx.b.getInt8Ty());
}

// Compares x and y of dtype t with the predicate for its kind (float, signed,
// unsigned) and returns a bool byte.
llvm::Value* compareValues(KernelContext& ctx, llvm::CmpInst::Predicate fp, llvm::CmpInst::Predicate si,
                           llvm::CmpInst::Predicate ui, llvm::Value* x, llvm::Value* y, DType t);

// A comparison op (Equal, Less, ...) over inputs 0 and 1 with bool output.
void emitComparison(KernelContext& ctx, llvm::CmpInst::Predicate fp, llvm::CmpInst::Predicate si,
                    llvm::CmpInst::Predicate ui);

// Integer x / y (or x % y when `remainder`) that never traps: a zero divisor
// gives 0 and INT_MIN / -1 wraps. t is the operands' integer (or bool) dtype.
llvm::Value* safeIntDivide(KernelContext& ctx, llvm::Value* x, llvm::Value* y, DType t, bool remainder);

}  // namespace kiln::codegen
