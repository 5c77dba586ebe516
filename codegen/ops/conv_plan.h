// The shared plan of the pointwise Conv kernel (codegen/ops/conv.cpp) and its
// output tiles (codegen/ops/conv_tiles.cpp). A tile computes y[n][oc][od][oh][ow]
// for a block of `count` consecutive output channels and a run of ow.
#pragma once

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"

namespace kiln::codegen {

struct ConvPlan : ConvChannels {
  int64_t chunkLen = 0, numChunks = 1;  // columns per task
  bool pointwise = false;  // 1x1, stride 1, no padding: the plane is one row
};

// One task's output rows: batch n, group, first output channel (global), od, oh.
struct ConvRows {
  llvm::Value *n, *group, *ocFirst, *od, *oh;
  int64_t count;  // output channels in the block
};

// `tiles` consecutive interior tiles of `vectors` x lanes columns starting at
// column `begin`: every tap of every column in them must read inside X (see
// convTileColumns).
void emitConvTileRun(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, llvm::Value* begin,
                     int64_t tiles, int64_t vectors);

// `tiles` consecutive tiles of `vectors` x lanes columns from the
// compile-time column `start` that mask the lanes reading outside X and the
// columns at or past `end`.
void emitConvEdgeTiles(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, int64_t start,
                       int64_t tiles, int64_t vectors, int64_t end);

// The output columns [lo, hi) that vector tiles may cover: all taps inside X,
// and for stride s > 1 the s-wide vector load of the last lane inside X too.
std::pair<int64_t, int64_t> convTileColumns(const ConvPlan& p);

}  // namespace kiln::codegen
