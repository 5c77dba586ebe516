// Convolutions that are matrix products, lowered to the blocked GEMM.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Emits a pointwise Conv (1x1, stride 1, no padding, group 1, f32, constant
// weights) as a GEMM and returns true; returns false, emitting nothing, for
// any other Conv.
bool emitPointwiseConvAsGemm(KernelContext& ctx);

}  // namespace kiln::codegen
