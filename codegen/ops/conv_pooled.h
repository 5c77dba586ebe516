// Conv with pool_input = 1 (ir/pool_input.h): GlobalAveragePool and a 1x1
// Conv in one kernel (conv_pooled.cpp).
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

void emitPooledConv(KernelContext& ctx);

}  // namespace kiln::codegen
