// ConvTranspose: the adjoint of Conv, computed per output row.
//
// Output row (n, od, oh) of a block of output channels receives input row
// (id, ih) through kernel tap (kd, kh) exactly when od = id*sd - pd + kd*dd
// (and likewise for h). For each such tap and input channel the row gets
//     y[oc][iw * sw + kw * dw - pw] += W[ic][oc][kd][kh][kw] * x[ic][id][ih][iw]
// over the iw range (computed at compile time per kw) that lands inside the
// output. Rows are owned by one task, so tasks never write the same element.
// Strided rows are accumulated phase by phase in a stack buffer (RowStore).
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/epilogue.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxBlock = 4;  // output channels accumulated together


struct TransposePlan {
  DType dt;
  WindowGeometry g;
  int64_t batch, channels, outChannels, groups, icPerGroup, ocPerGroup;
  bool hasBias;
};

// The input index feeding output index `o` through tap `k` along axis a, and
// whether it exists: o + pad - k*d must be a multiple of the stride and the
// quotient inside the input.
std::pair<llvm::Value*, llvm::Value*> sourceIndex(const KernelContext& ctx, const WindowGeometry& g,
                                                  int a, llvm::Value* o, llvm::Value* k) {
  using namespace convir;
  llvm::Value* num = add(ctx, o, add(ctx, mul(ctx, k, -g.dilation[a]), g.padBegin[a]));
  if (g.stride[a] == 1) return {num, inRange(ctx, num, 0, g.in[a])};
  llvm::Value* i = ctx.b.CreateSDiv(num, ctx.i64(g.stride[a]));
  llvm::Value* exact = ctx.b.CreateICmpEQ(ctx.b.CreateSRem(num, ctx.i64(g.stride[a])), ctx.i64(0));
  return {i, ctx.b.CreateAnd(exact, inRange(ctx, i, 0, g.in[a]))};
}

// Where a block accumulates its output rows. With stride s > 1 the taps of a
// row write every s-th column, which does not vectorize; the rows are then
// accumulated in a stack buffer split by phase (column ow lives at
// (ow % s) * phaseLen + ow / s), where each tap's update is unit-stride, and
// interleaved into y once at the end.
struct RowStore {
  llvm::Value* base;              // y, or the block's stack buffer
  std::vector<llvm::Value*> row;  // start of each channel's row in `base`
  int64_t phaseLen = 0;           // buffered: columns per phase, ceil(OW / s)

  // Buffered: where phase r (the columns ow with ow % s == r) starts in a row.
  int64_t phaseOffset(int64_t r) const { return r * phaseLen; }
};

constexpr int64_t kMaxRowBufferBytes = 64 * 1024;

void emitChannelBlock(KernelContext& ctx, const TransposePlan& p, int64_t count, llvm::Value* n,
                      llvm::Value* group, llvm::Value* oclFirst, llvm::Value* od, llvm::Value* oh) {
  using namespace convir;
  const WindowGeometry& g = p.g;
  DType dt = p.dt;
  int64_t yPlane = g.out[0] * g.out[1] * g.out[2];
  int64_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  int64_t s = g.stride[2], ow = g.out[2];
  llvm::Value* ocFirst = add(ctx, mul(ctx, group, p.ocPerGroup), oclFirst);

  llvm::Value* yRow0 = nest(ctx, nest(ctx, nest(ctx, nest(ctx, n, p.outChannels, ocFirst), g.out[0], od),
                                      g.out[1], oh),
                            g.out[2], ctx.i64(0));
  std::vector<llvm::Value*> yRow, bias;
  for (int64_t j = 0; j < count; ++j) {
    yRow.push_back(add(ctx, yRow0, j * yPlane));
    bias.push_back(p.hasBias ? ctx.load(dt, ctx.input(2), add(ctx, ocFirst, j)) : ctx.constant(dt, 0));
  }

  RowStore store;
  int64_t phaseLen = ceilDiv(ow, s);
  bool buffered = s > 1 && count * s * phaseLen * static_cast<int64_t>(dtypeSize(dt)) <= kMaxRowBufferBytes;
  if (buffered) {
    llvm::Function* fn = ctx.b.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    store.base = entry.CreateAlloca(llvm::ArrayType::get(ctx.llvmType(dt), static_cast<uint64_t>(count * s * phaseLen)));
    for (int64_t j = 0; j < count; ++j) store.row.push_back(ctx.i64(j * s * phaseLen));
    store.phaseLen = phaseLen;
  } else {
    store.base = ctx.output(0);
    store.row = yRow;
  }
  int64_t rowLen = buffered ? s * phaseLen : ow;
  ctx.loop(0, rowLen, [&](llvm::Value* i) {
    for (int64_t j = 0; j < count; ++j) ctx.store(dt, store.base, add(ctx, store.row[j], i), bias[j]);
  });

  ctx.loop(0, g.kernel[0], [&](llvm::Value* kd) {
    auto [id, validD] = sourceIndex(ctx, g, 0, od, kd);
    ctx.ifThen(validD, [&, id = id] {
      ctx.loop(0, g.kernel[1], [&](llvm::Value* kh) {
        auto [ih, validH] = sourceIndex(ctx, g, 1, oh, kh);
        ctx.ifThen(validH, [&, ih = ih] {
          ctx.loop(0, p.icPerGroup, [&](llvm::Value* icl) {
            llvm::Value* ic = add(ctx, mul(ctx, group, p.icPerGroup), icl);
            llvm::Value* xRow =
                nest(ctx, nest(ctx, nest(ctx, nest(ctx, n, p.channels, ic), g.in[0], id), g.in[1], ih),
                     g.in[2], ctx.i64(0));
            // W is (C, OC / group, k...).
            llvm::Value* wRow = nest(ctx, nest(ctx, nest(ctx, nest(ctx, ic, p.ocPerGroup, oclFirst),
                                                         g.kernel[0], kd),
                                               g.kernel[1], kh),
                                     g.kernel[2], ctx.i64(0));
            for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
              int64_t off = g.tapOffset(2, kw);
              int64_t lo = std::clamp<int64_t>(ceilDiv(-off, s), 0, g.in[2]);
              int64_t hi = std::clamp<int64_t>(floorDiv(ow - 1 - off, s) + 1, lo, g.in[2]);
              if (lo >= hi) continue;
              // Column iw * s + off = (iw + shift) * s + phase.
              int64_t phase = off - floorDiv(off, s) * s, shift = floorDiv(off, s);
              std::vector<llvm::Value*> wv;
              for (int64_t j = 0; j < count; ++j)
                wv.push_back(ctx.load(dt, ctx.input(1), add(ctx, wRow, j * taps + kw)));
              ctx.loop(lo, hi, [&](llvm::Value* iw) {
                llvm::Value* xv = ctx.load(dt, ctx.input(0), add(ctx, xRow, iw));
                llvm::Value* col = buffered ? add(ctx, iw, store.phaseOffset(phase) + shift)
                                            : add(ctx, mul(ctx, iw, s), off);
                for (int64_t j = 0; j < count; ++j) {
                  llvm::Value* at = add(ctx, store.row[j], col);
                  ctx.store(dt, store.base, at, fmulAdd(ctx, wv[j], xv, ctx.load(dt, store.base, at)));
                }
              });
            }
          });
        });
      });
    });
  });

  if (buffered) {
    // Interleave the phases into y: whole groups of s columns, then the rest.
    int64_t groups = ow / s;
    ctx.loop(0, groups, [&](llvm::Value* q) {
      for (int64_t j = 0; j < count; ++j)
        for (int64_t r = 0; r < s; ++r) {
          llvm::Value* v = ctx.load(dt, store.base, add(ctx, q, j * s * phaseLen + r * phaseLen));
          ctx.store(dt, ctx.output(0), add(ctx, add(ctx, yRow[j], mul(ctx, q, s)), r), v);
        }
    });
    for (int64_t c = groups * s; c < ow; ++c)
      for (int64_t j = 0; j < count; ++j) {
        llvm::Value* v = ctx.load(dt, store.base, ctx.i64(j * s * phaseLen + (c % s) * phaseLen + c / s));
        ctx.store(dt, ctx.output(0), add(ctx, yRow[j], c), v);
      }
  }
  // The finished rows, while in cache, through the fused epilogue.
  Epilogue epilogue(ctx);
  for (int64_t j = 0; j < count; ++j) applyEpilogueToRow(ctx, epilogue, yRow[j], ow);
}

}  // namespace

void emitConvTranspose(KernelContext& ctx) {
  using namespace convir;
  TransposePlan p;
  p.dt = requireFloatKernel(ctx, ctx.inputDType(0));
  std::vector<int64_t> x = ctx.inputShape(0), w = ctx.inputShape(1), y = ctx.outputShape(0);
  if (w.size() != x.size() || x.size() < 3) ctx.fail("W rank {} does not match X rank {}", w.size(), x.size());
  p.groups = ctx.attrs().getInt("group", 1);
  p.batch = x[0];
  p.channels = x[1];
  p.outChannels = y[1];
  if (p.groups <= 0 || w[0] != p.channels || p.channels % p.groups != 0 ||
      w[1] * p.groups != p.outChannels)
    ctx.fail("channels (X {}, W {}x{}, Y {}) do not fit group {}", p.channels, w[0], w[1], p.outChannels,
             p.groups);
  p.icPerGroup = p.channels / p.groups;
  p.ocPerGroup = w[1];
  p.hasBias = ctx.hasInput(2);
  p.g = transposedWindow(ctx, std::vector<int64_t>(w.begin() + 2, w.end()));

  int64_t block = std::min(kMaxBlock, p.ocPerGroup);
  int64_t fullBlocks = p.ocPerGroup / block, tail = p.ocPerGroup % block;
  int64_t blocks = fullBlocks + (tail ? 1 : 0);
  std::vector<int64_t> extents = {p.batch, p.groups, p.g.out[0], p.g.out[1], blocks};
  int64_t tasks = 1;
  for (int64_t e : extents) tasks *= e;
  if (tasks == 0) return;
  ctx.parallelFor(tasks, [&](llvm::Value* t) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, t, extents);
    llvm::Value* oclFirst = mul(ctx, idx[4], block);
    auto emitBlock = [&](int64_t count) {
      emitChannelBlock(ctx, p, count, idx[0], idx[1], oclFirst, idx[2], idx[3]);
    };
    if (tail == 0) return emitBlock(block);
    llvm::Value* isTail = ctx.b.CreateICmpEQ(idx[4], ctx.i64(fullBlocks));
    ctx.ifThen(isTail, [&] { emitBlock(tail); });
    ctx.ifThen(ctx.b.CreateNot(isTail), [&] { emitBlock(block); });
  });
}

}  // namespace kiln::codegen
