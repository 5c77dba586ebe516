// Helpers shared by the quantization emitters (codegen/ops/quant_*.cpp):
// reading scales and zero points (per tensor or per slice), and the
// requantization step y = saturate(round_half_even(v) + zero_point).
#pragma once

#include <cstdint>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Whether input i holds one value (scalar or one element), i.e. is per tensor.
bool quantParamIsScalar(const KernelContext& ctx, size_t i);

// Element `index` of a scale input (or element 0 when it is per tensor),
// converted to the float type `ct` (f32 or f64).
llvm::Value* loadScale(KernelContext& ctx, size_t i, llvm::Value* index, DType ct);

// Element `index` of a zero-point input (element 0 when per tensor), widened
// to i32; 0 when the input is absent.
llvm::Value* loadZeroPoint(KernelContext& ctx, size_t i, llvm::Value* index);

// An integer element of dtype t (u8/i8/u16/i16/i32) widened to i32.
llvm::Value* widenToI32(KernelContext& ctx, llvm::Value* v, DType t);

// saturate(roundeven(v) + zp) as dtype `out` (an integer type); v is a float of
// type ct, zp an i32. NaN saturates to 0 (clamped to the type's range).
llvm::Value* requantize(KernelContext& ctx, llvm::Value* v, DType ct, llvm::Value* zp, DType out);

// The float type quantized arithmetic is carried out in for a float dtype:
// f64 stays f64, every other float type computes in f32.
inline DType computeFloat(DType t) { return t == DType::F64 ? DType::F64 : DType::F32; }

}  // namespace kiln::codegen
