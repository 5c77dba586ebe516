#include "codegen/ops/conv_direct_plan.h"

#include <algorithm>

namespace kiln::codegen {

// The register tile (output channels c, column vectors v): c x v
// accumulators, v input vectors and one broadcast weight must fit the vector
// registers. Among those, the highest FMA rate of a simple core model: per tap
// c x v FMAs on two FMA pipes, c + v loads on two load ports, and at least an
// FMA latency per tap since each accumulator is updated once per tap. Ties go
// to fewer loads per FMA; a c that does not divide the group's channels costs
// a tail.
std::pair<int64_t, int64_t> convTileShape(int64_t regs, int64_t ocPerGroup, int64_t rowVectors) {
  constexpr double kFmaPipes = 2, kLoadPorts = 2, kFmaLatency = 4;
  std::pair<int64_t, int64_t> best{1, 1};
  double bestScore = -1;
  for (int64_t c = 1; c <= std::min(ocPerGroup, regs); ++c) {
    int64_t v = std::min(rowVectors, (regs - 1) / (c + 1));
    if (v < 1) break;
    double fmas = static_cast<double>(c * v), loads = static_cast<double>(c + v);
    double rate = fmas / std::max({fmas / kFmaPipes, loads / kLoadPorts, kFmaLatency});
    double score = rate * (ocPerGroup % c == 0 ? 1.0 : 0.95) - 0.001 * loads / fmas;
    if (score > bestScore) {
      bestScore = score;
      best = {c, v};
    }
  }
  return best;
}

namespace {

// Depthwise register tile (rows r, column vectors v): r x v accumulators, v
// input vectors and a broadcast weight fit the registers. One row with as
// many vectors as fit, unless the row is too short for kMinAccumulators
// (each accumulator takes every tap in a chain; fewer than about 7 leave the
// FMA latency exposed): then more rows, each input vector loaded feeding
// every tile row that reads it. Taller tiles would load less per FMA on long
// rows too, but measured up to 2x slower there (3x3 at 320 wide).
std::pair<int64_t, int64_t> depthwiseTileShape(int64_t regs, int64_t rowVectors, int64_t maxRows) {
  constexpr int64_t kMinAccumulators = 7;
  auto vectorsFor = [&](int64_t r) { return std::max<int64_t>(1, std::min(rowVectors, (regs - 1) / (r + 1))); };
  int64_t r = 1;
  while (r < maxRows && r * vectorsFor(r) < kMinAccumulators && (r + 1) * vectorsFor(r + 1) > r * vectorsFor(r)) ++r;
  return {r, vectorsFor(r)};
}

constexpr int64_t kStageBytes = 12 * 1024;       // staged rows of one input-channel chunk
constexpr int64_t kWholeStageBytes = 24 * 1024;  // one chunk of all input channels when they fit this
constexpr int64_t kAccBytes = 16 * 1024;         // partial sums kept between chunks
constexpr int64_t kMaxRows = 8;                  // output rows per task
constexpr int64_t kMaxRowTile = 4;               // output rows per depthwise register tile
constexpr int64_t kMinTasks = 32;                // split the output channels below this many tasks
constexpr int64_t kMaxEdgeTiles = 4;             // direct mode: masked tiles per row, else staged

}  // namespace

DirectPlan planDirect(KernelContext& ctx) {
  DirectPlan p;
  static_cast<ConvChannels&>(p) = readConvChannels(ctx, /*transposed=*/false);
  const WindowGeometry& g = p.g;
  int64_t ow = g.out[2], oh = g.out[1];

  int64_t rowVectors = std::max<int64_t>(1, ceilDiv(ow, p.lanes));
  if (p.depthwise()) {
    std::tie(p.rowTile, p.vectors) =
        depthwiseTileShape(ctx.target.vectorRegisters, rowVectors,
                           std::min(kMaxRowTile, oh));
    p.count = 1;
  } else {
    std::tie(p.count, p.vectors) = convTileShape(ctx.target.vectorRegisters, p.ocPerGroup, rowVectors);
  }
  int64_t width = p.width();
  p.fullTiles = ow / width;
  p.tailVectors = ceilDiv(ow - p.fullTiles * width, p.lanes);
  p.outCols = p.fullTiles * width + p.tailVectors * p.lanes;

  // Direct mode: the full tiles whose every tap reads inside the row.
  int64_t lo = g.padBegin[2], hi = g.in[2] + g.padBegin[2] - (g.kernel[2] - 1) * g.dilation[2];
  p.interiorBegin = std::min(p.fullTiles, ceilDiv(lo, width));
  p.interiorEnd = std::clamp<int64_t>(floorDiv(hi, width), p.interiorBegin, p.fullTiles);
  int64_t edgeTiles = p.interiorBegin + (p.fullTiles - p.interiorEnd);
  p.staged = g.stride[2] > 1 || edgeTiles > kMaxEdgeTiles;
  p.row = planStagedRow(p.outCols, g.kernel[2], g.stride[2], g.dilation[2], g.padBegin[2], g.in[2], p.lanes);

  int64_t outer = p.batch * p.groups * g.out[0];
  auto bandOf = [&](int64_t r) { return (r - 1) * g.stride[1] + (g.kernel[1] - 1) * g.dilation[1] + 1; };
  auto perIc = [&](int64_t r) { return g.kernel[0] * bandOf(r) * p.row.pitch * p.esize; };
  // Several rows per task when all input channels stage at once: consecutive
  // rows share staged input rows. Prefer a row count dividing OH.
  p.rows = p.rowTile;
  if (p.staged && perIc(p.rowTile) * p.icPerGroup <= kWholeStageBytes) {
    int64_t largest = p.rowTile, dividing = p.rowTile;
    for (int64_t r = 2 * p.rowTile; r <= std::max(p.rowTile, std::min(kMaxRows, oh)); r += p.rowTile) {
      if (perIc(r) * p.icPerGroup > kWholeStageBytes || outer * ceilDiv(oh, r) < kMinTasks) break;
      largest = r;
      if (oh % r == 0) dividing = r;
    }
    p.rows = 2 * dividing >= largest ? dividing : largest;
  }
  p.band = bandOf(p.rows);
  p.rowBlocks = ceilDiv(oh, p.rows);

  p.icChunk = p.icPerGroup;
  if (p.staged && perIc(p.rows) * p.icPerGroup > kWholeStageBytes) {
    p.icChunk = std::clamp<int64_t>(kStageBytes / perIc(p.rows), 1, p.icPerGroup);
    p.icChunk = ceilDiv(p.icPerGroup, ceilDiv(p.icPerGroup, p.icChunk));  // even chunks
  }
  p.icChunks = ceilDiv(p.icPerGroup, p.icChunk);

  // Output channels per task: all of the group's unless the partial sums
  // outgrow kAccBytes or there are too few tasks for the threads.
  p.ocSet = p.ocPerGroup;
  if (p.icChunks > 1) {
    int64_t fit = kAccBytes / (p.rows * p.outCols * p.esize) / p.count * p.count;
    p.ocSet = std::min(p.ocSet, std::max(p.count, fit));
  }
  auto tasksFor = [&](int64_t set) { return outer * p.rowBlocks * ceilDiv(p.ocPerGroup, set); };
  while (tasksFor(p.ocSet) < kMinTasks && p.ocSet > p.count)
    p.ocSet = std::max(p.count, ceilDiv(p.ocSet / 2, p.count) * p.count);
  p.ocSets = ceilDiv(p.ocPerGroup, p.ocSet);
  p.tasks = tasksFor(p.ocSet);
  return p;
}

}  // namespace kiln::codegen
