// The direct convolution kernel of Conv (conv_direct.cpp): every form but the
// pointwise one (1x1, stride 1, no padding), which conv.cpp handles.
#pragma once

#include <utility>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

void emitDirectConv(KernelContext& ctx);

// The register tile of a conv-like kernel that accumulates `channels` output
// channels x column vectors with one broadcast weight per channel and one
// load per column vector per tap: (channels per tile, vectors per tile), for
// `regs` vector registers and rows of at most `rowVectors` vectors.
std::pair<int64_t, int64_t> convTileShape(int64_t regs, int64_t channels, int64_t rowVectors);

}  // namespace kiln::codegen
