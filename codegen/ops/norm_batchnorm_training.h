// BatchNormalization with training_mode = 1 (see norm_batchnorm_training.cpp);
// emitBatchNormalization (conv_batchnorm.cpp) hands such nodes over.
#pragma once

#include "codegen/kernel_context.h"

namespace kiln::codegen {

void emitBatchNormalizationTraining(KernelContext& ctx);

}  // namespace kiln::codegen
