// Conv: direct convolution over output rows, 1-D/2-D/3-D, any group count.
//
// One parallel task computes one output row chunk (n, group, od, oh, chunk)
// for a block of up to kMaxBlock output channels. It initializes the rows with
// the bias, then for every input channel and kernel tap adds
//     y[oc][ow] += W[oc][ic][kd][kh][kw] * x[ic][id][ih][ow * sw + kw * dw - pw]
// over the range of ow whose input column is inside X (computed at compile
// time per kw), so the innermost loop is branch-free and unit-stride in y —
// LLVM vectorizes it. Rows whose id/ih fall in the padding are skipped. The
// channel block shares each loaded x element between its output channels.
//
// Depthwise convs (one input channel per group) get blocks of one channel,
// i.e. the plain per-channel loop order (kh, kw, ow). Pointwise convs (1x1,
// stride 1, no padding) are flattened to one long row split into chunks.
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxBlock = 4;      // output channels accumulated together
constexpr int64_t kLongRow = 512;     // rows longer than this are split into chunks
constexpr int64_t kChunkAlign = 16;   // chunk lengths are multiples of this (vector friendly)

struct ConvPlan {
  DType dt;
  WindowGeometry g;
  int64_t batch, channels, outChannels, groups, icPerGroup, ocPerGroup;
  int64_t chunkLen, numChunks;
  bool hasBias;
};

// Emits the output rows of `count` consecutive output channels starting at
// `ocFirst` (a global channel index) for row (n, od, oh), columns [ow0, ow1).
void emitChannelBlock(KernelContext& ctx, const ConvPlan& p, int64_t count, llvm::Value* n,
                      llvm::Value* group, llvm::Value* ocFirst, llvm::Value* od, llvm::Value* oh,
                      llvm::Value* ow0, llvm::Value* ow1) {
  using namespace convir;
  const WindowGeometry& g = p.g;
  DType dt = p.dt;
  int64_t yPlane = g.out[0] * g.out[1] * g.out[2];
  int64_t wPerOc = p.icPerGroup * g.kernel[0] * g.kernel[1] * g.kernel[2];

  llvm::Value* yRow0 = nest(ctx, nest(ctx, nest(ctx, nest(ctx, n, p.outChannels, ocFirst), g.out[0], od),
                                      g.out[1], oh),
                            g.out[2], ctx.i64(0));
  std::vector<llvm::Value*> yRow, bias;
  for (int64_t j = 0; j < count; ++j) {
    yRow.push_back(add(ctx, yRow0, j * yPlane));
    bias.push_back(p.hasBias ? ctx.load(dt, ctx.input(2), add(ctx, ocFirst, j)) : ctx.constant(dt, 0));
  }
  loopRange(ctx, ow0, ow1, [&](llvm::Value* ow) {
    for (int64_t j = 0; j < count; ++j) ctx.store(dt, ctx.output(0), add(ctx, yRow[j], ow), bias[j]);
  });

  bool checkD = !g.alwaysInside(0), checkH = !g.alwaysInside(1);
  ctx.loop(0, p.icPerGroup, [&](llvm::Value* icl) {
    llvm::Value* ic = add(ctx, mul(ctx, group, p.icPerGroup), icl);
    llvm::Value* xPlane = nest(ctx, n, p.channels, ic);
    llvm::Value* wOc = add(ctx, mul(ctx, ocFirst, p.icPerGroup), icl);  // W is (OC, C/group, k...)
    forEach(ctx, g.kernel[0], [&](llvm::Value* kd) {
      llvm::Value* id = add(ctx, mul(ctx, od, g.stride[0]), add(ctx, mul(ctx, kd, g.dilation[0]), -g.padBegin[0]));
      guard(ctx, checkD, [&] { return inRange(ctx, id, 0, g.in[0]); }, [&] {
        forEach(ctx, g.kernel[1], [&](llvm::Value* kh) {
          llvm::Value* ih =
              add(ctx, mul(ctx, oh, g.stride[1]), add(ctx, mul(ctx, kh, g.dilation[1]), -g.padBegin[1]));
          guard(ctx, checkH, [&] { return inRange(ctx, ih, 0, g.in[1]); }, [&] {
            llvm::Value* xRow = nest(ctx, nest(ctx, nest(ctx, xPlane, g.in[0], id), g.in[1], ih), g.in[2],
                                     ctx.i64(0));
            llvm::Value* wRow = nest(ctx, nest(ctx, nest(ctx, wOc, g.kernel[0], kd), g.kernel[1], kh),
                                     g.kernel[2], ctx.i64(0));
            for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
              auto [lo, hi] = g.validOutRange(2, kw);
              if (lo >= hi) continue;
              std::vector<llvm::Value*> wv;
              for (int64_t j = 0; j < count; ++j)
                wv.push_back(ctx.load(dt, ctx.input(1), add(ctx, wRow, j * wPerOc + kw)));
              llvm::Value* xOff = add(ctx, xRow, g.tapOffset(2, kw));
              loopRange(ctx, smax(ctx, ow0, ctx.i64(lo)), smin(ctx, ow1, ctx.i64(hi)), [&](llvm::Value* ow) {
                llvm::Value* xv = ctx.load(dt, ctx.input(0), add(ctx, xOff, mul(ctx, ow, g.stride[2])));
                for (int64_t j = 0; j < count; ++j) {
                  llvm::Value* at = add(ctx, yRow[j], ow);
                  ctx.store(dt, ctx.output(0), at, fmulAdd(ctx, wv[j], xv, ctx.load(dt, ctx.output(0), at)));
                }
              });
            }
          });
        });
      });
    });
  });
}

ConvPlan planConv(KernelContext& ctx) {
  ConvPlan p;
  p.dt = requireFloatKernel(ctx, ctx.inputDType(0));
  std::vector<int64_t> x = ctx.inputShape(0), w = ctx.inputShape(1), y = ctx.outputShape(0);
  if (w.size() != x.size() || x.size() < 3) ctx.fail("W rank {} does not match X rank {}", w.size(), x.size());
  p.groups = ctx.attrs().getInt("group", 1);
  p.batch = x[0];
  p.channels = x[1];
  p.outChannels = y[1];
  if (p.groups <= 0 || p.channels % p.groups != 0 || p.outChannels % p.groups != 0 ||
      w[0] != p.outChannels || w[1] * p.groups != p.channels)
    ctx.fail("channels (X {}, W {}x{}, Y {}) do not fit group {}", p.channels, w[0], w[1], p.outChannels,
             p.groups);
  p.icPerGroup = p.channels / p.groups;
  p.ocPerGroup = p.outChannels / p.groups;
  p.hasBias = ctx.hasInput(2);
  p.g = forwardWindow(ctx, std::vector<int64_t>(w.begin() + 2, w.end()), false);

  // A pointwise conv maps each spatial position to itself: treat the whole
  // plane as one long row.
  bool pointwise = true;
  for (int a = 0; a < kWindowAxes; ++a)
    pointwise = pointwise && p.g.kernel[a] == 1 && p.g.stride[a] == 1 && p.g.padBegin[a] == 0 &&
                p.g.in[a] == p.g.out[a];
  if (pointwise) {
    int64_t plane = p.g.in[0] * p.g.in[1] * p.g.in[2];
    p.g.in = {1, 1, plane};
    p.g.out = {1, 1, plane};
  }
  int64_t row = p.g.out[2];
  p.numChunks = row > kLongRow ? (row + kLongRow / 2 - 1) / (kLongRow / 2) : 1;
  p.chunkLen = p.numChunks == 1 ? row : (row + p.numChunks - 1) / p.numChunks;
  if (p.numChunks > 1) {
    p.chunkLen = (p.chunkLen + kChunkAlign - 1) / kChunkAlign * kChunkAlign;
    p.numChunks = (row + p.chunkLen - 1) / p.chunkLen;
  }
  return p;
}

}  // namespace

void emitConv(KernelContext& ctx) {
  using namespace convir;
  ConvPlan p = planConv(ctx);
  int64_t block = std::min(kMaxBlock, p.ocPerGroup);
  int64_t fullBlocks = p.ocPerGroup / block, tail = p.ocPerGroup % block;
  int64_t blocks = fullBlocks + (tail ? 1 : 0);
  // The channel block is the innermost task coordinate, so consecutive tasks
  // of a thread reuse the same input rows from cache.
  std::vector<int64_t> extents = {p.batch, p.groups, p.g.out[0], p.g.out[1], p.numChunks, blocks};
  int64_t tasks = 1;
  for (int64_t e : extents) tasks *= e;
  if (tasks == 0) return;
  ctx.parallelFor(tasks, [&](llvm::Value* t) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, t, extents);
    llvm::Value *n = idx[0], *group = idx[1], *od = idx[2], *oh = idx[3], *chunk = idx[4], *blk = idx[5];
    llvm::Value* ow0 = mul(ctx, chunk, p.chunkLen);
    llvm::Value* ow1 = p.numChunks == 1 ? ctx.i64(p.g.out[2])
                                        : smin(ctx, add(ctx, ow0, p.chunkLen), ctx.i64(p.g.out[2]));
    llvm::Value* ocFirst = add(ctx, mul(ctx, group, p.ocPerGroup), mul(ctx, blk, block));
    auto emitBlock = [&](int64_t count) {
      emitChannelBlock(ctx, p, count, n, group, ocFirst, od, oh, ow0, ow1);
    };
    if (tail == 0) return emitBlock(block);
    llvm::Value* isTail = ctx.b.CreateICmpEQ(blk, ctx.i64(fullBlocks));
    ctx.ifThen(isTail, [&] { emitBlock(tail); });
    ctx.ifThen(ctx.b.CreateNot(isTail), [&] { emitBlock(block); });
  });
}

}  // namespace kiln::codegen
