// The direct convolution kernel of Conv (conv_direct.cpp): every form but the
// pointwise one (1x1, stride 1, no padding), which conv.cpp handles.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

void emitDirectConv(KernelContext& ctx);

}  // namespace kiln::codegen
