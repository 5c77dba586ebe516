// Conv 3x3, stride 1, no dilation, one group, constant weights, f32: Winograd
// F(4x4, 3x3), which computes each 4x4 output tile from a 6x6 input tile with
// 36 multiplies per (input, output channel) pair instead of 144.
//
//   Y = AT [ sum over input channels of U (.) V ] A,  U = G g GT (per weight,
//   at compile time),  V = BT d B (per 6x6 input tile d)
//
// Vectors run across 4x4 tiles along a tile row (lane = tile column). One
// parallel task takes one tile row (4 output rows) of one block of up to
// kMaxBlockVectors tile vectors of one image, for one set of output channels.
// It walks the input channels in chunks:
//  1. per input channel: stage the 6 input rows (zero-padded, split into 4
//     phases, conv_stage.h) so that element (i, j) of the tiles of a vector is
//     one unit-stride load, and transform them into V (36 vectors per input
//     channel and tile vector) in a stack buffer laid out [36][chunk][tiles];
//  2. 36 small GEMMs M[t][oc][tiles] += sum over the chunk of U[t][c][oc]
//     V[t][c][tiles] with register tiles of output channels x tile vectors
//     (broadcast U, vector V), each V panel reused from L1 by every block of
//     channels; M stays in a second stack buffer across chunks.
// Then per output channel: transform M back into 4x4 output tiles, add the
// bias, interleave the 4 columns of the tiles into consecutive output columns
// and store through ConvOutput. Both stack buffers together stay within
// kStackBytes, which sets the chunk and the channel set.
//
// The matrices are Lavin and Gray's for the points 0, +-1, +-2; the 1-D
// transforms below are their products factored to share sums. F(4x4, 3x3)
// rounds a little more than the direct sum (relative errors around 1e-6).
#include "codegen/ops/conv_winograd.h"

#include <llvm/IR/Function.h>

#include <algorithm>
#include <optional>

#include "codegen/ops/conv_direct_plan.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_output.h"
#include "codegen/ops/conv_stage.h"

namespace kiln::codegen {

namespace {

constexpr int kOut = 4, kTap = 3, kIn = 6, kPoints = kIn * kIn;
// G (6x3); BT and AT are applied by inputTransform / outputTransform:
//   BT = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   AT = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
constexpr double kG[kIn][kTap] = {{1.0 / 4, 0, 0},
                                  {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                  {0, 0, 1}};

constexpr int64_t kMinChannels = 8;          // fewer input or output channels: the transforms do not pay
constexpr int64_t kMinOutput = 8;            // smaller output planes (either side): direct
constexpr int64_t kMaxBlockVectors = 3;      // tile vectors per task
constexpr int64_t kStackBytes = 192 * 1024;  // V and M stack buffers of a task

struct Block {
  int64_t firstVector, vectors;  // tile vectors [firstVector, +vectors)
};

struct WinogradPlan {
  WindowGeometry g;
  int64_t batch = 0, channels = 0, outChannels = 0;
  bool hasBias = false;
  int64_t lanes = 1;
  int64_t tileRows = 0, tileCols = 0;
  int64_t blockVectors = 1;
  std::vector<Block> blocks;
  int64_t count = 1, gemmVectors = 1;  // GEMM register tile: output channels x tile vectors
  int64_t ocSet = 1, ocSets = 1;       // output channels per task
  int64_t icChunk = 1, icChunks = 1;   // input channels per V buffer
  std::vector<double> u;               // U[t][c][oc]

  int64_t blockTiles() const { return blockVectors * lanes; }
  int64_t tasks() const { return batch * tileRows * static_cast<int64_t>(blocks.size()) * ocSets; }
};

std::optional<WinogradPlan> planWinograd(const KernelContext& ctx) {
  if (ctx.inputDType(0) != DType::F32 || ctx.attrs().getInt("group", 1) != 1) return std::nullopt;
  std::vector<int64_t> x = ctx.inputShape(0), w = ctx.inputShape(1), y = ctx.outputShape(0);
  if (x.size() != 4 || w.size() != 4 || w[2] != kTap || w[3] != kTap || w[1] != x[1] || w[0] != y[1])
    return std::nullopt;
  const ir::TensorData* weights = ctx.inputConstant(1);
  if (!weights || weights->dtype != DType::F32) return std::nullopt;
  WinogradPlan p;
  p.g = forwardWindow(ctx, {kTap, kTap}, false);
  for (int a = 1; a < kWindowAxes; ++a)
    if (p.g.stride[a] != 1 || p.g.dilation[a] != 1) return std::nullopt;
  p.batch = x[0];
  p.channels = x[1];
  p.outChannels = y[1];
  if (p.channels < kMinChannels || p.outChannels < kMinChannels || p.g.out[1] < kMinOutput ||
      p.g.out[2] < kMinOutput)
    return std::nullopt;
  p.hasBias = ctx.hasInput(2);
  p.lanes = ctx.target.floatLanes();
  p.tileRows = ceilDiv(p.g.out[1], kOut);
  p.tileCols = ceilDiv(p.g.out[2], kOut);
  int64_t tileVectors = ceilDiv(p.tileCols, p.lanes);

  // The block, the channel set and the chunk: M (all of the set) and V (at
  // least 8 input channels, or all) within kStackBytes.
  auto bytes = [&](int64_t channels, int64_t vectors) { return kPoints * channels * vectors * p.lanes * 4; };
  int64_t minChunk = std::min<int64_t>(8, p.channels);
  p.blockVectors = std::min(kMaxBlockVectors, tileVectors);
  while (p.blockVectors > 1 && bytes(minChunk + std::min<int64_t>(p.outChannels, 16), p.blockVectors) > kStackBytes)
    --p.blockVectors;
  std::tie(p.count, p.gemmVectors) = convTileShape(ctx.target.vectorRegisters, p.outChannels, p.blockVectors);
  int64_t setFit = (kStackBytes - bytes(minChunk, p.blockVectors)) / bytes(1, p.blockVectors) / p.count * p.count;
  if (setFit < p.count) return std::nullopt;
  p.ocSet = std::min(p.outChannels, setFit);
  p.ocSets = ceilDiv(p.outChannels, p.ocSet);
  p.ocSet = ceilDiv(ceilDiv(p.outChannels, p.ocSets), p.count) * p.count;  // even sets
  p.ocSets = ceilDiv(p.outChannels, p.ocSet);
  p.icChunk = std::clamp<int64_t>((kStackBytes - bytes(p.ocSet, p.blockVectors)) / bytes(1, p.blockVectors), 1,
                                  p.channels);
  p.icChunks = ceilDiv(p.channels, p.icChunk);
  p.icChunk = ceilDiv(p.channels, p.icChunks);  // even chunks
  for (int64_t v = 0; v < tileVectors; v += p.blockVectors)
    p.blocks.push_back({v, std::min(p.blockVectors, tileVectors - v)});

  // U = G g GT for every (output channel, input channel) pair.
  const float* wd = weights->data<float>();
  p.u.assign(static_cast<size_t>(kPoints * p.channels * p.outChannels), 0.0);
  for (int64_t oc = 0; oc < p.outChannels; ++oc)
    for (int64_t c = 0; c < p.channels; ++c) {
      const float* g = wd + (oc * p.channels + c) * kTap * kTap;
      double gg[kIn][kTap];  // G g
      for (int i = 0; i < kIn; ++i)
        for (int b = 0; b < kTap; ++b) {
          gg[i][b] = 0;
          for (int a = 0; a < kTap; ++a) gg[i][b] += kG[i][a] * g[a * kTap + b];
        }
      for (int i = 0; i < kIn; ++i)
        for (int j = 0; j < kIn; ++j) {
          double v = 0;
          for (int b = 0; b < kTap; ++b) v += gg[i][b] * kG[j][b];
          p.u[static_cast<size_t>(((i * kIn + j) * p.channels + c) * p.outChannels + oc)] = v;
        }
    }
  return p;
}

class WinogradKernel {
 public:
  WinogradKernel(KernelContext& ctx, const WinogradPlan& p)
      : ctx_(ctx), b_(ctx.b), p_(p), g_(p.g), out_(ctx, DType::F32) {
    vec_ = llvm::FixedVectorType::get(b_.getFloatTy(), static_cast<unsigned>(p.lanes));
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    auto buffer = [&](int64_t elems) {
      llvm::AllocaInst* a = entry.CreateAlloca(llvm::ArrayType::get(b_.getFloatTy(), static_cast<uint64_t>(elems)));
      a->setAlignment(llvm::Align(64));
      return a;
    };
    int64_t tiles = p.blockTiles();
    stage_ = buffer(kIn * rowFor(p.blocks.front()).pitch);
    v_ = buffer(kPoints * p.icChunk * tiles);
    m_ = buffer(kPoints * p.ocSet * tiles);
    u_ = convir::floatTable(ctx, DType::F32, p.u, "winograd_u");
  }

  void emit() {
    using namespace convir;
    int64_t nblocks = static_cast<int64_t>(p_.blocks.size());
    std::vector<int64_t> extents = {p_.batch, p_.tileRows, nblocks, p_.ocSets};
    ctx_.parallelFor(p_.tasks(), [&](llvm::Value* t) {
      std::vector<llvm::Value*> idx = splitIndex(ctx_, t, extents);
      n_ = idx[0];
      tileRow_ = idx[1];
      oc0_ = mul(ctx_, idx[3], p_.ocSet);
      int64_t lastSet = p_.outChannels - (p_.ocSets - 1) * p_.ocSet;
      auto emitSet = [&](const Block& bl) {
        if (lastSet == p_.ocSet) return emitBlock(bl, p_.ocSet);
        llvm::Value* isLast = b_.CreateICmpEQ(idx[3], ctx_.i64(p_.ocSets - 1));
        ctx_.ifThen(isLast, [&] { emitBlock(bl, lastSet); });
        ctx_.ifThen(b_.CreateNot(isLast), [&] { emitBlock(bl, p_.ocSet); });
      };
      for (int64_t k = 0; k < nblocks; ++k) {
        const Block& bl = p_.blocks[static_cast<size_t>(k)];
        if (nblocks == 1) emitSet(bl);
        else ctx_.ifThen(b_.CreateICmpEQ(idx[2], ctx_.i64(k)), [&] { emitSet(bl); });
      }
    });
  }

 private:
  // The staged input rows of a block: element j of the 6x6 input tile of tile
  // column tx is padded column 4 tx + j, staged at phase j % 4, offset
  // (tx - first tile) + j / 4.
  StagedRow rowFor(const Block& bl) const {
    int64_t firstTile = bl.firstVector * p_.lanes;
    return planStagedRow(p_.blockTiles(), kIn, kOut, 1, g_.padBegin[2] - kOut * firstTile, g_.in[2], p_.lanes);
  }

  llvm::Value* loadVec(llvm::Value* buf, llvm::Value* index) const {
    return b_.CreateAlignedLoad(vec_, ctx_.elementPtr(DType::F32, buf, index), llvm::Align(4));
  }
  void storeVec(llvm::Value* v, llvm::Value* buf, llvm::Value* index) const {
    b_.CreateAlignedStore(v, ctx_.elementPtr(DType::F32, buf, index), llvm::Align(4));
  }
  llvm::Value* splat(double c) const {
    return b_.CreateVectorSplat(static_cast<unsigned>(p_.lanes), llvm::ConstantFP::get(b_.getFloatTy(), c));
  }
  llvm::Value* fma(double c, llvm::Value* x, llvm::Value* y) const { return convir::fmulAdd(ctx_, splat(c), x, y); }
  llvm::Value* addv(llvm::Value* x, llvm::Value* y) const { return b_.CreateFAdd(x, y); }
  llvm::Value* subv(llvm::Value* x, llvm::Value* y) const { return b_.CreateFSub(x, y); }

  // BT d for one column d[0..5].
  std::vector<llvm::Value*> inputTransform(const std::vector<llvm::Value*>& d) const {
    llvm::Value* d13 = subv(d[1], d[3]);
    llvm::Value* d42 = subv(d[4], d[2]);
    return {fma(4, d[0], fma(-5, d[2], d[4])),
            fma(-4, addv(d[1], d[2]), addv(d[3], d[4])),
            fma(4, subv(d[1], d[2]), subv(d[4], d[3])),
            fma(-2, d13, d42),
            fma(2, d13, d42),
            fma(4, d[1], fma(-5, d[3], d[5]))};
  }
  // AT m for one column m[0..5].
  std::vector<llvm::Value*> outputTransform(const std::vector<llvm::Value*>& m) const {
    llvm::Value* s12 = addv(m[1], m[2]);
    llvm::Value* d12 = subv(m[1], m[2]);
    llvm::Value* s34 = addv(m[3], m[4]);
    llvm::Value* d34 = subv(m[3], m[4]);
    return {addv(addv(m[0], s12), s34), fma(2, d34, d12), fma(4, s34, s12), addv(fma(8, d34, d12), m[5])};
  }
  // T X TT for a 6x6 block X (row-major) and the 1-D transform T.
  template <typename Transform>
  std::vector<llvm::Value*> transform2d(const std::vector<llvm::Value*>& x, Transform t) const {
    std::vector<std::vector<llvm::Value*>> cols(kIn);  // column j of T X
    for (int j = 0; j < kIn; ++j) {
      std::vector<llvm::Value*> col;
      for (int i = 0; i < kIn; ++i) col.push_back(x[static_cast<size_t>(i * kIn + j)]);
      cols[static_cast<size_t>(j)] = t(col);
    }
    size_t rows = cols[0].size();
    std::vector<llvm::Value*> out;
    for (size_t i = 0; i < rows; ++i) {
      std::vector<llvm::Value*> row;
      for (int j = 0; j < kIn; ++j) row.push_back(cols[static_cast<size_t>(j)][i]);
      for (llvm::Value* v : t(row)) out.push_back(v);
    }
    return out;
  }

  // One task: tile row, block, output channels [oc0, oc0 + setSize).
  void emitBlock(const Block& bl, int64_t setSize) {
    using namespace convir;
    if (p_.icChunks == 1) {
      emitChunk(bl, setSize, ctx_.i64(0), ctx_.i64(0), ctx_.i64(p_.channels));
    } else {
      loopNoUnroll(ctx_, 0, p_.icChunks, [&](llvm::Value* chunk) {
        llvm::Value* c0 = mul(ctx_, chunk, p_.icChunk);
        llvm::Value* count = ctx_.i64(p_.icChunk);
        if (p_.channels % p_.icChunk != 0) {
          llvm::Value* rest = b_.CreateSub(ctx_.i64(p_.channels), c0);
          count = b_.CreateSelect(b_.CreateICmpSLT(rest, count), rest, count);
        }
        emitChunk(bl, setSize, chunk, c0, count);
      });
    }
    emitOutput(bl, setSize);
  }

  // Input channels [c0, c0 + count) of a chunk: V, then M += U V.
  void emitChunk(const Block& bl, int64_t setSize, llvm::Value* chunk, llvm::Value* c0, llvm::Value* count) {
    using namespace convir;
    int64_t tiles = p_.blockTiles();
    StagedRow st = rowFor(bl);
    llvm::Value* ihBase = add(ctx_, mul(ctx_, tileRow_, kOut), -g_.padBegin[1]);
    loopNoUnroll(ctx_, count, [&](llvm::Value* cl) {
      llvm::Value* c = add(ctx_, c0, cl);
      // A loop, not unrolled: six copies of the staging code cost compile time.
      loopNoUnroll(ctx_, 0, kIn, [&](llvm::Value* i) {
        llvm::Value* ih = add(ctx_, ihBase, i);
        llvm::Value* dst = mul(ctx_, i, st.pitch);
        llvm::Value* inside = inRange(ctx_, ih, 0, g_.in[1]);
        ctx_.ifThen(inside, [&] {
          llvm::Value* src = mul(ctx_, nest(ctx_, nest(ctx_, n_, p_.channels, c), g_.in[1], ih), g_.in[2]);
          st.emit(ctx_, DType::F32, p_.lanes, ctx_.input(0), src, stage_, dst);
        });
        ctx_.ifThen(b_.CreateNot(inside), [&] { st.emitZeros(ctx_, DType::F32, stage_, dst); });
      });
      loopNoUnroll(ctx_, 0, bl.vectors, [&](llvm::Value* tv) {
        llvm::Value* lane0 = mul(ctx_, tv, p_.lanes);
        std::vector<llvm::Value*> d;
        for (int64_t i = 0; i < kIn; ++i)
          for (int64_t j = 0; j < kIn; ++j) d.push_back(loadVec(stage_, add(ctx_, lane0, i * st.pitch + st.tapOffset(j))));
        std::vector<llvm::Value*> v = transform2d(d, [&](const auto& col) { return inputTransform(col); });
        for (int64_t t = 0; t < kPoints; ++t)
          storeVec(v[static_cast<size_t>(t)], v_, add(ctx_, mul(ctx_, add(ctx_, cl, t * p_.icChunk), tiles), lane0));
      });
    });

    loopNoUnroll(ctx_, 0, kPoints, [&](llvm::Value* t) {
      int64_t full = setSize / p_.count, tail = setSize % p_.count;
      for (int64_t col = 0; col < bl.vectors; col += p_.gemmVectors) {
        int64_t vecs = std::min(p_.gemmVectors, bl.vectors - col);
        auto gemm = [&](llvm::Value* ocInSet, int64_t cnt) { emitGemmTile(chunk, c0, count, t, ocInSet, cnt, col, vecs); };
        if (full == 1) gemm(ctx_.i64(0), p_.count);
        else if (full > 1) ctx_.loop(0, full, [&](llvm::Value* k) { gemm(mul(ctx_, k, p_.count), p_.count); });
        if (tail > 0) gemm(ctx_.i64(full * p_.count), tail);
      }
    });
  }

  // One GEMM register tile at point t: channels [ocInSet, +count) of the set x
  // tile vectors [col, +vectors) of the block, over the chunk's `inputs` input
  // channels from c0.
  void emitGemmTile(llvm::Value* chunk, llvm::Value* c0, llvm::Value* inputs, llvm::Value* t, llvm::Value* ocInSet,
                    int64_t count, int64_t col, int64_t vectors) {
    using namespace convir;
    int64_t lanes = p_.lanes, tiles = p_.blockTiles();
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    auto mAt = [&](int64_t j, int64_t v) {
      return add(ctx_, mul(ctx_, add(ctx_, add(ctx_, mul(ctx_, t, p_.ocSet), ocInSet), j), tiles), (col + v) * lanes);
    };
    std::vector<llvm::AllocaInst*> acc;
    for (int64_t i = 0; i < count * vectors; ++i) acc.push_back(entry.CreateAlloca(vec_));
    auto zero = [&] {
      for (llvm::AllocaInst* a : acc) b_.CreateStore(llvm::Constant::getNullValue(vec_), a);
    };
    if (p_.icChunks == 1) {
      zero();
    } else {
      llvm::Value* first = b_.CreateICmpEQ(chunk, ctx_.i64(0));
      ctx_.ifThen(first, zero);
      ctx_.ifThen(b_.CreateNot(first), [&] {
        for (int64_t j = 0; j < count; ++j)
          for (int64_t v = 0; v < vectors; ++v) b_.CreateStore(loadVec(m_, mAt(j, v)), acc[static_cast<size_t>(j * vectors + v)]);
      });
    }
    llvm::Value* vPanel = mul(ctx_, mul(ctx_, t, p_.icChunk), tiles);  // V[t][0][0]
    llvm::Value* ocFirst = add(ctx_, oc0_, ocInSet);
    loopNoUnroll(ctx_, inputs, [&](llvm::Value* cl) {
      std::vector<llvm::Value*> xv;
      for (int64_t v = 0; v < vectors; ++v)
        xv.push_back(loadVec(v_, add(ctx_, add(ctx_, vPanel, mul(ctx_, cl, tiles)), (col + v) * lanes)));
      // U[t][c][oc], c the chunk's first input channel plus cl.
      llvm::Value* uRow = nest(ctx_, nest(ctx_, t, p_.channels, add(ctx_, c0, cl)), p_.outChannels, ocFirst);
      for (int64_t j = 0; j < count; ++j) {
        llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(lanes), ctx_.load(DType::F32, u_, add(ctx_, uRow, j)));
        for (int64_t v = 0; v < vectors; ++v) {
          llvm::AllocaInst* a = acc[static_cast<size_t>(j * vectors + v)];
          b_.CreateStore(fmulAdd(ctx_, wb, xv[static_cast<size_t>(v)], b_.CreateLoad(vec_, a)), a);
        }
      }
    });
    for (int64_t j = 0; j < count; ++j)
      for (int64_t v = 0; v < vectors; ++v)
        storeVec(b_.CreateLoad(vec_, acc[static_cast<size_t>(j * vectors + v)]), m_, mAt(j, v));
  }

  // Output transform, bias and store of the set's channels: a loop over the
  // tile vectors whose columns all lie inside the row, then the last one of
  // the row with its columns past OW masked off.
  void emitOutput(const Block& bl, int64_t setSize) {
    using namespace convir;
    int64_t lastCol0 = kOut * (bl.firstVector + bl.vectors - 1) * p_.lanes;
    bool maskLast = lastCol0 + kOut * p_.lanes > g_.out[2];
    int64_t unmasked = bl.vectors - (maskLast ? 1 : 0);
    loopNoUnroll(ctx_, 0, setSize, [&](llvm::Value* ocInSet) {
      llvm::Value* oc = add(ctx_, oc0_, ocInSet);
      llvm::Value* bias = p_.hasBias ? b_.CreateVectorSplat(static_cast<unsigned>(p_.lanes),
                                                            ctx_.load(DType::F32, ctx_.input(2), oc))
                                     : llvm::Constant::getNullValue(vec_);
      loopNoUnroll(ctx_, 0, unmasked, [&](llvm::Value* tv) { emitOutputVector(bl, ocInSet, oc, bias, tv, -1); });
      if (maskLast) emitOutputVector(bl, ocInSet, oc, bias, ctx_.i64(bl.vectors - 1), bl.vectors - 1);
    });
  }

  // Tile vector tv of the block (tvConst >= 0: known here, and its columns
  // past OW are masked off) for output channel oc.
  void emitOutputVector(const Block& bl, llvm::Value* ocInSet, llvm::Value* oc, llvm::Value* bias, llvm::Value* tv,
                        int64_t tvConst) {
    using namespace convir;
    int64_t tiles = p_.blockTiles(), lanes = p_.lanes;
    std::vector<llvm::Value*> m;
    for (int64_t t = 0; t < kPoints; ++t)
      m.push_back(loadVec(m_, add(ctx_, mul(ctx_, add(ctx_, ocInSet, t * p_.ocSet), tiles), mul(ctx_, tv, lanes))));
    std::vector<llvm::Value*> y = transform2d(m, [&](const auto& col) { return outputTransform(col); });
    // Output column of lane 0's tile.
    llvm::Value* col0 = mul(ctx_, add(ctx_, tv, bl.firstVector), kOut * lanes);
    for (int64_t r = 0; r < kOut; ++r) {
      llvm::Value* oh = add(ctx_, mul(ctx_, tileRow_, kOut), r);
      guard(ctx_, g_.out[1] % kOut != 0, [&] { return b_.CreateICmpSLT(oh, ctx_.i64(g_.out[1])); }, [&] {
        std::vector<llvm::Value*> row;
        for (int64_t j = 0; j < kOut; ++j) row.push_back(addv(y[static_cast<size_t>(r * kOut + j)], bias));
        std::vector<llvm::Value*> cols = interleave(row);
        llvm::Value* yRow = mul(ctx_, nest(ctx_, nest(ctx_, n_, p_.outChannels, oc), g_.out[1], oh), g_.out[2]);
        for (int64_t u = 0; u < kOut; ++u) {
          llvm::Value* mask = nullptr;
          if (tvConst >= 0) {
            int64_t first = kOut * (bl.firstVector + tvConst) * lanes + u * lanes;
            if (first >= g_.out[2]) continue;
            if (first + lanes > g_.out[2]) {
              std::vector<llvm::Constant*> bits;
              for (int64_t i = 0; i < lanes; ++i) bits.push_back(b_.getInt1(first + i < g_.out[2]));
              mask = llvm::ConstantVector::get(bits);
            }
          }
          out_.store(cols[static_cast<size_t>(u)], add(ctx_, add(ctx_, yRow, col0), u * lanes), mask);
        }
      });
    }
  }

  // The 4 columns of a tile row (vectors across tiles) as consecutive output
  // columns: lane i of vector u is column u * lanes + i, that is tile
  // (u * lanes + i) / 4, column (u * lanes + i) % 4.
  std::vector<llvm::Value*> interleave(const std::vector<llvm::Value*>& colsOfTiles) const {
    int64_t lanes = p_.lanes;
    std::vector<llvm::Value*> outv;
    for (int64_t u = 0; u < kOut; ++u) {
      llvm::Value* v = llvm::PoisonValue::get(vec_);
      for (int64_t k = 0; k < kOut; ++k) {
        std::vector<int> mask;
        for (int64_t i = 0; i < lanes; ++i) {
          int64_t col = u * lanes + i;
          mask.push_back(col % kOut == k ? static_cast<int>(lanes + col / kOut) : static_cast<int>(i));
        }
        v = b_.CreateShuffleVector(v, colsOfTiles[static_cast<size_t>(k)], mask);
      }
      outv.push_back(v);
    }
    return outv;
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  const WinogradPlan& p_;
  const WindowGeometry& g_;
  ConvOutput out_;
  llvm::FixedVectorType* vec_;
  llvm::Value *stage_ = nullptr, *v_ = nullptr, *m_ = nullptr, *u_ = nullptr;
  llvm::Value *n_ = nullptr, *tileRow_ = nullptr, *oc0_ = nullptr;
};

}  // namespace

bool emitWinogradConv(KernelContext& ctx) {
  std::optional<WinogradPlan> p = planWinograd(ctx);
  if (!p) return false;
  if (p->tasks() == 0) return true;
  WinogradKernel(ctx, *p).emit();
  return true;
}

}  // namespace kiln::codegen
