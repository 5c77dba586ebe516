// Conv: the pointwise form (1x1, stride 1, no padding) here; 3x3 stride-1
// convs with constant weights as Winograd F(4x4, 3x3) (conv_winograd.cpp);
// every other form in the direct convolution kernel of conv_direct.cpp.
//
// A pointwise conv maps each spatial position to itself, so its plane is
// flattened to one long row split into chunks. One parallel task computes one
// row chunk for a block of up to kMaxBlock output channels of one group; the
// block is the innermost task coordinate so that consecutive tasks of a thread
// reuse the same input rows from cache. The row is covered by register-blocked
// vector tiles (conv_tiles.cpp): loops of interior tiles, and masked tiles at
// compile-time positions for the row end.
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_gemm.h"
#include "codegen/ops/conv_direct.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_plan.h"
#include "codegen/ops/conv_pooled.h"
#include "codegen/ops/conv_winograd.h"
#include "ir/pool_input.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxBlock = 4;   // output channels accumulated together
constexpr int64_t kLongRow = 512;  // rows longer than this are split into chunks of about half
constexpr int64_t kMaxTileVectors = 6;

// Vectors per tile for a block of `count` channels: the accumulators, the
// input vectors and one broadcast weight must fit the vector registers.
int64_t tileVectors(const Target& t, int64_t count) {
  return std::clamp<int64_t>((t.vectorRegisters - 1) / (count + 1), 1, kMaxTileVectors);
}

// Output channels per block: kMaxBlock, or a divisor of the group's channel
// count close to it, which saves emitting a second (tail) block shape.
int64_t channelBlock(int64_t ocPerGroup) {
  for (int64_t b = kMaxBlock; b >= kMaxBlock - 1 && b >= 1; --b)
    if (ocPerGroup % b == 0) return b;
  return std::min(kMaxBlock, ocPerGroup);
}

ConvPlan planConv(KernelContext& ctx) {
  ConvPlan p;
  static_cast<ConvChannels&>(p) = readConvChannels(ctx, /*transposed=*/false);

  // A pointwise conv maps each spatial position to itself: treat the whole
  // plane as one long row.
  bool pointwise = true;
  for (int a = 0; a < kWindowAxes; ++a)
    pointwise = pointwise && p.g.kernel[a] == 1 && p.g.stride[a] == 1 && p.g.padBegin[a] == 0 &&
                p.g.in[a] == p.g.out[a];
  p.pointwise = pointwise;
  if (pointwise) {
    int64_t plane = p.g.in[0] * p.g.in[1] * p.g.in[2];
    p.g.in = {1, 1, plane};
    p.g.out = {1, 1, plane};
  }
  int64_t row = p.g.out[2];
  p.numChunks = 1;
  p.chunkLen = row;
  if (row > kLongRow) {
    // Chunks of about kLongRow / 2 columns, a multiple of the full block's
    // tile. Middle chunks must be all interior (only the first and last
    // chunks hold edge columns); a row too narrow for that is not split.
    int64_t align = tileVectors(ctx.target, channelBlock(p.ocPerGroup)) * p.lanes;
    int64_t len = ceilDiv(kLongRow / 2, align) * align, chunks = ceilDiv(row, len);
    auto [lo, hi] = convTileColumns(p);
    if (lo <= len && hi >= (chunks - 1) * len) {
      p.chunkLen = len;
      p.numChunks = chunks;
    }
  }
  return p;
}

// Columns [c0, c1) of a block's rows, all positions known at compile time:
// runs of interior tiles, and masked edge tiles where the runs stop.
void emitColumns(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, int64_t c0, int64_t c1) {
  auto [lo, hi] = convTileColumns(p);
  int64_t vectors = tileVectors(ctx.target, rows.count), width = vectors * p.lanes;
  int64_t start = c0;
  while (start < c1) {
    int64_t tiles = 0;
    if (start >= lo)
      while (start + (tiles + 1) * width <= std::min(c1, hi)) ++tiles;
    if (tiles > 0) {
      emitConvTileRun(ctx, p, rows, ctx.i64(start), tiles, vectors);
      start += tiles * width;
      continue;
    }
    // Full-width edge tiles up to the next interior run (or the end), then
    // possibly one narrower tile for the row's last columns.
    int64_t edges = 0;
    auto interiorAt = [&](int64_t c) { return c >= lo && c + width <= std::min(c1, hi); };
    while (start + (edges + 1) * width <= c1 && (edges == 0 || !interiorAt(start + edges * width))) ++edges;
    if (edges > 0) {
      emitConvEdgeTiles(ctx, p, rows, start, edges, vectors, c1);
      start += edges * width;
      continue;
    }
    emitConvEdgeTiles(ctx, p, rows, start, 1, ceilDiv(c1 - start, p.lanes), c1);
    start = c1;
  }
}

// A middle chunk [ow0, ow0 + chunkLen): interior only, chunkLen a multiple of lanes.
void emitMiddleChunk(KernelContext& ctx, const ConvPlan& p, const ConvRows& rows, llvm::Value* ow0) {
  int64_t vectors = tileVectors(ctx.target, rows.count), width = vectors * p.lanes;
  int64_t tiles = p.chunkLen / width, rest = p.chunkLen - tiles * width;
  emitConvTileRun(ctx, p, rows, ow0, tiles, vectors);
  if (rest > 0) emitConvTileRun(ctx, p, rows, convir::add(ctx, ow0, tiles * width), 1, rest / p.lanes);
}

}  // namespace

void emitConv(KernelContext& ctx) {
  using namespace convir;
  if (ir::poolsInput(ctx.node)) return emitPooledConv(ctx);
  if (emitPointwiseConvAsGemm(ctx)) return;
  ConvPlan p = planConv(ctx);
  if (!p.pointwise) {
    if (emitWinogradConv(ctx)) return;
    return emitDirectConv(ctx);
  }
  int64_t block = channelBlock(p.ocPerGroup);
  int64_t fullBlocks = p.ocPerGroup / block, tail = p.ocPerGroup % block;
  int64_t blocks = fullBlocks + (tail ? 1 : 0);
  std::vector<int64_t> extents = {p.batch, p.groups, p.g.out[0], p.g.out[1], p.numChunks, blocks};
  int64_t tasks = 1;
  for (int64_t e : extents) tasks *= e;
  if (tasks == 0) return;
  ctx.parallelFor(tasks, [&](llvm::Value* t) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, t, extents);
    llvm::Value *chunk = idx[4], *blk = idx[5];
    llvm::Value* ocFirst = add(ctx, mul(ctx, idx[1], p.ocPerGroup), mul(ctx, blk, block));
    auto emitCount = [&](int64_t count) {
      ConvRows rows{idx[0], idx[1], ocFirst, idx[2], idx[3], count};
      int64_t n = p.numChunks, len = p.chunkLen;
      if (n == 1) return emitColumns(ctx, p, rows, 0, p.g.out[2]);
      llvm::Value* isFirst = ctx.b.CreateICmpEQ(chunk, ctx.i64(0));
      llvm::Value* isLast = ctx.b.CreateICmpEQ(chunk, ctx.i64(n - 1));
      ctx.ifThen(isFirst, [&] { emitColumns(ctx, p, rows, 0, len); });
      ctx.ifThen(isLast, [&] { emitColumns(ctx, p, rows, (n - 1) * len, p.g.out[2]); });
      if (n > 2)
        ctx.ifThen(ctx.b.CreateNot(ctx.b.CreateOr(isFirst, isLast)),
                   [&] { emitMiddleChunk(ctx, p, rows, mul(ctx, chunk, len)); });
    };
    if (tail == 0) return emitCount(block);
    llvm::Value* isTail = ctx.b.CreateICmpEQ(blk, ctx.i64(fullBlocks));
    ctx.ifThen(isTail, [&] { emitCount(tail); });
    ctx.ifThen(ctx.b.CreateNot(isTail), [&] { emitCount(block); });
  });
}

}  // namespace kiln::codegen
