// Winograd F(4x4, 3x3) for Conv (conv_winograd.cpp).
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Emits the Conv as Winograd F(4x4, 3x3) when it qualifies (3x3, stride 1, no
// dilation, one group, constant f32 weights, enough channels and output) and
// returns true; returns false, emitting nothing, otherwise.
bool emitWinogradConv(KernelContext& ctx);

}  // namespace kiln::codegen
