// The plan of the direct convolution kernel (conv_direct.cpp): register tile
// shapes, input mode (direct or staged rows), rows, input-channel chunks and
// output-channel sets per task, all decided at compile time from the node's
// shapes and the target's vector registers.
#pragma once

#include <utility>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_stage.h"

namespace kiln::codegen {

constexpr int64_t kConvMaxUnrolledTaps = 16;  // wider kernels loop over kw at run time

struct DirectPlan : ConvChannels {
  int64_t count = 1, vectors = 1;          // register tile: output channels x column vectors
  int64_t fullTiles = 0, tailVectors = 0;  // column tiles of a row
  int64_t outCols = 0;                     // columns computed per row: OW rounded up to lanes
  bool staged = false;
  int64_t interiorBegin = 0, interiorEnd = 0;  // direct: the full tiles that need no masks
  int64_t rowTile = 1;                         // depthwise: output rows per register tile
  int64_t rows = 1, rowBlocks = 1;             // output rows per task (a multiple of rowTile)
  int64_t band = 1;                            // staged: input rows per (input channel, kd)
  int64_t icChunk = 1, icChunks = 1;
  int64_t ocSet = 1, ocSets = 1;
  int64_t tasks = 0;
  StagedRow row;

  int64_t width() const { return vectors * lanes; }
  // One input and one output channel per group, 1-D or 2-D: tiles of several rows.
  bool depthwise() const { return icPerGroup == 1 && ocPerGroup == 1 && g.kernel[0] == 1; }
  int64_t stageElems() const { return staged ? icChunk * g.kernel[0] * band * row.pitch : 0; }
  int64_t accElems() const { return icChunks > 1 ? rows * ocSet * outCols : 0; }
};


// Plans a Conv node; fails with a message naming the node on bad shapes.
DirectPlan planDirect(KernelContext& ctx);

// The register tile of a conv-like kernel that accumulates `channels` output
// channels x column vectors with one broadcast weight per channel and one
// load per column vector per tap: (channels per tile, vectors per tile), for
// `regs` vector registers and rows of at most `rowVectors` vectors.
std::pair<int64_t, int64_t> convTileShape(int64_t regs, int64_t channels, int64_t rowVectors);

}  // namespace kiln::codegen
