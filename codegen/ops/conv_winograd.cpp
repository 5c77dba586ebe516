// Conv 3x3, stride 1, no dilation, one group, constant weights, f32: Winograd
// F(4x4, 3x3), which computes each 4x4 output tile from a 6x6 input tile with
// 36 multiplies per (input, output channel) pair instead of 144.
//
//   Y = AT [ sum over input channels of U (.) V ] A,  U = G g GT (per weight,
//   at compile time),  V = BT d B (per 6x6 input tile d)
//
// Vectors run across 4x4 tiles along a tile row (lane = tile column). One
// parallel task takes one tile row (4 output rows) of one block of
// `blockVectors` tile vectors of one image:
//  1. per input channel: stage the 6 input rows (zero-padded, split into 4
//     phases, conv_stage.h) so that element (i, j) of the tiles of a vector is
//     one unit-stride load, and transform them into V (36 vectors per input
//     channel and tile vector) in a stack buffer laid out [36][C][tiles];
//  2. 36 small GEMMs M[t][oc][tiles] = sum over c of U[t][oc][c] V[t][c][tiles]
//     with register tiles of output channels x tile vectors (broadcast U,
//     vector V), each V panel reused from L1 by every block of channels;
//  3. per output channel: transform M back into 4x4 output tiles, add the
//     bias, interleave the 4 columns of the tiles into consecutive output
//     columns and store through ConvOutput.
// The matrices are Lavin and Gray's for the points 0, +-1, +-2; F(4x4, 3x3)
// rounds a little more than the direct sum (relative errors around 1e-6).
#include "codegen/ops/conv_winograd.h"

#include <llvm/IR/Function.h>

#include <algorithm>
#include <optional>

#include "codegen/ops/conv_direct.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/conv_output.h"
#include "codegen/ops/conv_stage.h"

namespace kiln::codegen {

namespace {

constexpr int kOut = 4, kTap = 3, kIn = 6, kPoints = kIn * kIn;
constexpr double kBT[kIn][kIn] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                  {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kG[kIn][kTap] = {{1.0 / 4, 0, 0},
                                  {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                  {0, 0, 1}};
constexpr double kAT[kOut][kIn] = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

constexpr int64_t kMinChannels = 8;             // fewer input or output channels: the transforms do not pay
constexpr int64_t kMinOutput = 8;               // smaller output planes (either side): direct
constexpr int64_t kMaxBlockVectors = 3;         // tile vectors per task
constexpr int64_t kMaxBufferBytes = 1024 * 1024;  // V and M stack buffers of a task

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
  std::vector<double> u;  // U[t][c][oc]

  int64_t blockTiles() const { return blockVectors * lanes; }
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
  int64_t perVector = kPoints * (p.channels + p.outChannels) * p.lanes * 4;
  p.blockVectors = std::min({kMaxBlockVectors, tileVectors, kMaxBufferBytes / perVector});
  if (p.blockVectors < 1) return std::nullopt;
  for (int64_t v = 0; v < tileVectors; v += p.blockVectors)
    p.blocks.push_back({v, std::min(p.blockVectors, tileVectors - v)});

  // U = G g GT for every (output channel, input channel) pair.
  const float* wd = weights->data<float>();
  p.u.assign(static_cast<size_t>(kPoints * p.channels * p.outChannels), 0.0);
  for (int64_t oc = 0; oc < p.outChannels; ++oc)
    for (int64_t c = 0; c < p.channels; ++c) {
      const float* g = wd + (oc * p.channels + c) * kTap * kTap;
      double gt[kIn][kTap];  // G g
      for (int i = 0; i < kIn; ++i)
        for (int b = 0; b < kTap; ++b) {
          gt[i][b] = 0;
          for (int a = 0; a < kTap; ++a) gt[i][b] += kG[i][a] * g[a * kTap + b];
        }
      for (int i = 0; i < kIn; ++i)
        for (int j = 0; j < kIn; ++j) {
          double v = 0;
          for (int b = 0; b < kTap; ++b) v += gt[i][b] * kG[j][b];
          p.u[static_cast<size_t>(((i * kIn + j) * p.channels + c) * p.outChannels + oc)] = v;
        }
    }
  return p;
}

class WinogradKernel {
 public:
  WinogradKernel(KernelContext& ctx, const WinogradPlan& p) : ctx_(ctx), b_(ctx.b), p_(p), g_(p.g), out_(ctx, DType::F32) {
    vec_ = llvm::FixedVectorType::get(b_.getFloatTy(), static_cast<unsigned>(p.lanes));
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    auto buffer = [&](int64_t elems) {
      llvm::AllocaInst* a = entry.CreateAlloca(llvm::ArrayType::get(b_.getFloatTy(), static_cast<uint64_t>(elems)));
      a->setAlignment(llvm::Align(64));
      return a;
    };
    int64_t tiles = p.blockTiles();
    stagedRow_ = rowFor(p.blocks.front());
    stage_ = buffer(kIn * stagedRow_.pitch);
    v_ = buffer(kPoints * p.channels * tiles);
    m_ = buffer(kPoints * p.outChannels * tiles);
    u_ = convir::floatTable(ctx, DType::F32, p.u, "winograd_u");
  }

  void emit() {
    using namespace convir;
    int64_t nblocks = static_cast<int64_t>(p_.blocks.size());
    std::vector<int64_t> extents = {p_.batch, p_.tileRows, nblocks};
    ctx_.parallelFor(p_.batch * p_.tileRows * nblocks, [&](llvm::Value* t) {
      std::vector<llvm::Value*> idx = splitIndex(ctx_, t, extents);
      n_ = idx[0];
      tileRow_ = idx[1];
      for (int64_t k = 0; k < nblocks; ++k) {
        if (nblocks == 1) emitBlock(p_.blocks[0]);
        else ctx_.ifThen(b_.CreateICmpEQ(idx[2], ctx_.i64(k)), [&] { emitBlock(p_.blocks[static_cast<size_t>(k)]); });
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

  // out[r] = sum over k of m[r][k] in[k], with the constant matrix m.
  template <size_t R, size_t K>
  std::vector<llvm::Value*> apply(const double (&m)[R][K], const std::vector<llvm::Value*>& in) const {
    std::vector<llvm::Value*> out;
    for (size_t r = 0; r < R; ++r) {
      llvm::Value* acc = nullptr;
      for (size_t k = 0; k < K; ++k) {
        double c = m[r][k];
        if (c == 0) continue;
        llvm::Value* x = in[k];
        if (!acc) {
          acc = c == 1 ? x : c == -1 ? b_.CreateFNeg(x) : b_.CreateFMul(splat(c), x);
        } else if (c == 1) {
          acc = b_.CreateFAdd(acc, x);
        } else if (c == -1) {
          acc = b_.CreateFSub(acc, x);
        } else {
          acc = convir::fmulAdd(ctx_, splat(c), x, acc);
        }
      }
      out.push_back(acc ? acc : llvm::Constant::getNullValue(vec_));
    }
    return out;
  }
  llvm::Value* splat(double c) const {
    return b_.CreateVectorSplat(static_cast<unsigned>(p_.lanes), llvm::ConstantFP::get(b_.getFloatTy(), c));
  }

  // 2-D transform of a K x K block (row-major) by the matrix m (R x K): m X mT.
  template <size_t R, size_t K>
  std::vector<llvm::Value*> transform2d(const double (&m)[R][K], const std::vector<llvm::Value*>& x) const {
    std::vector<std::vector<llvm::Value*>> cols(K);  // column j of m X
    for (size_t j = 0; j < K; ++j) {
      std::vector<llvm::Value*> col;
      for (size_t i = 0; i < K; ++i) col.push_back(x[i * K + j]);
      cols[j] = apply(m, col);
    }
    std::vector<llvm::Value*> out(R * R);
    for (size_t i = 0; i < R; ++i) {
      std::vector<llvm::Value*> row;
      for (size_t j = 0; j < K; ++j) row.push_back(cols[j][i]);
      std::vector<llvm::Value*> r = apply(m, row);
      for (size_t j = 0; j < R; ++j) out[i * R + j] = r[j];
    }
    return out;
  }

  void emitBlock(const Block& bl) {
    using namespace convir;
    int64_t tiles = p_.blockTiles();
    StagedRow st = rowFor(bl);

    // 1. Input transform into V[t][c][tiles].
    llvm::Value* ihBase = add(ctx_, mul(ctx_, tileRow_, kOut), -g_.padBegin[1]);
    loopNoUnroll(ctx_, 0, p_.channels, [&](llvm::Value* c) {
      for (int64_t i = 0; i < kIn; ++i) {
        llvm::Value* ih = add(ctx_, ihBase, i);
        llvm::Value* dst = ctx_.i64(i * st.pitch);
        llvm::Value* inside = inRange(ctx_, ih, 0, g_.in[1]);
        ctx_.ifThen(inside, [&] {
          llvm::Value* src = mul(ctx_, nest(ctx_, nest(ctx_, n_, p_.channels, c), g_.in[1], ih), g_.in[2]);
          st.emit(ctx_, DType::F32, p_.lanes, ctx_.input(0), src, stage_, dst);
        });
        ctx_.ifThen(b_.CreateNot(inside), [&] { st.emitZeros(ctx_, DType::F32, stage_, dst); });
      }
      forEach(ctx_, bl.vectors, [&](llvm::Value* tv) {
        llvm::Value* lane0 = mul(ctx_, tv, p_.lanes);
        std::vector<llvm::Value*> d;
        for (int64_t i = 0; i < kIn; ++i)
          for (int64_t j = 0; j < kIn; ++j) d.push_back(loadVec(stage_, add(ctx_, lane0, i * st.pitch + st.tapOffset(j))));
        std::vector<llvm::Value*> v = transform2d(kBT, d);
        for (int64_t t = 0; t < kPoints; ++t)
          storeVec(v[static_cast<size_t>(t)], v_, add(ctx_, mul(ctx_, add(ctx_, c, t * p_.channels), tiles), lane0));
      });
    });

    // 2. M[t][oc][tiles] = sum over c of U[t][c][oc] V[t][c][tiles].
    auto [count, vectors] = convTileShape(ctx_.target.vectorRegisters, p_.outChannels, bl.vectors);
    loopNoUnroll(ctx_, 0, kPoints, [&](llvm::Value* t) {
      int64_t full = p_.outChannels / count, tail = p_.outChannels % count;
      auto gemm = [&](llvm::Value* oc0, int64_t cnt, int64_t col, int64_t vecs) {
        emitGemmTile(t, oc0, cnt, col, vecs);
      };
      for (int64_t col = 0; col < bl.vectors; col += vectors) {
        int64_t vecs = std::min(vectors, bl.vectors - col);
        if (full == 1) gemm(ctx_.i64(0), count, col, vecs);
        else if (full > 1) ctx_.loop(0, full, [&](llvm::Value* k) { gemm(mul(ctx_, k, count), count, col, vecs); });
        if (tail > 0) gemm(ctx_.i64(full * count), tail, col, vecs);
      }
    });

    // 3. Output transform, bias, store.
    ctx_.loop(0, p_.outChannels, [&](llvm::Value* oc) {
      llvm::Value* bias = p_.hasBias ? b_.CreateVectorSplat(static_cast<unsigned>(p_.lanes), ctx_.load(DType::F32, ctx_.input(2), oc))
                                     : llvm::Constant::getNullValue(vec_);
      for (int64_t tv = 0; tv < bl.vectors; ++tv) {
        std::vector<llvm::Value*> m;
        for (int64_t t = 0; t < kPoints; ++t)
          m.push_back(loadVec(m_, add(ctx_, mul(ctx_, add(ctx_, oc, t * p_.outChannels), tiles), tv * p_.lanes)));
        std::vector<llvm::Value*> y = transform2d(kAT, m);
        int64_t col0 = kOut * (bl.firstVector + tv) * p_.lanes;  // output column of lane 0's tile
        for (int64_t r = 0; r < kOut; ++r) {
          llvm::Value* oh = add(ctx_, mul(ctx_, tileRow_, kOut), r);
          convir::guard(ctx_, g_.out[1] % kOut != 0, [&] { return b_.CreateICmpSLT(oh, ctx_.i64(g_.out[1])); }, [&] {
            std::vector<llvm::Value*> row;
            for (int64_t j = 0; j < kOut; ++j) row.push_back(b_.CreateFAdd(y[static_cast<size_t>(r * kOut + j)], bias));
            std::vector<llvm::Value*> cols = interleave(row);
            llvm::Value* yRow = mul(ctx_, nest(ctx_, nest(ctx_, n_, p_.outChannels, oc), g_.out[1], oh), g_.out[2]);
            for (int64_t u = 0; u < kOut; ++u) {
              int64_t first = col0 + u * p_.lanes;
              if (first >= g_.out[2]) continue;
              llvm::Value* mask = nullptr;
              if (first + p_.lanes > g_.out[2]) {
                std::vector<llvm::Constant*> bits;
                for (int64_t i = 0; i < p_.lanes; ++i) bits.push_back(b_.getInt1(first + i < g_.out[2]));
                mask = llvm::ConstantVector::get(bits);
              }
              out_.store(cols[static_cast<size_t>(u)], add(ctx_, yRow, first), mask);
            }
          });
        }
      }
    });
  }

  // One GEMM register tile at point t: channels [oc0, +count) x tile vectors
  // [col, +vectors) of the block.
  void emitGemmTile(llvm::Value* t, llvm::Value* oc0, int64_t count, int64_t col, int64_t vectors) {
    using namespace convir;
    int64_t lanes = p_.lanes, tiles = p_.blockTiles();
    llvm::Function* fn = b_.GetInsertBlock()->getParent();
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    std::vector<llvm::AllocaInst*> acc;
    for (int64_t i = 0; i < count * vectors; ++i) {
      acc.push_back(entry.CreateAlloca(vec_));
      b_.CreateStore(llvm::Constant::getNullValue(vec_), acc.back());
    }
    llvm::Value* vPanel = mul(ctx_, mul(ctx_, t, p_.channels), tiles);    // V[t][0][0]
    llvm::Value* uPanel = mul(ctx_, mul(ctx_, t, p_.channels), p_.outChannels);  // U[t][0][0]
    loopNoUnroll(ctx_, 0, p_.channels, [&](llvm::Value* c) {
      std::vector<llvm::Value*> xv;
      for (int64_t v = 0; v < vectors; ++v)
        xv.push_back(loadVec(v_, add(ctx_, add(ctx_, vPanel, mul(ctx_, c, tiles)), (col + v) * lanes)));
      llvm::Value* uRow = add(ctx_, add(ctx_, uPanel, mul(ctx_, c, p_.outChannels)), oc0);
      for (int64_t j = 0; j < count; ++j) {
        llvm::Value* w = ctx_.load(DType::F32, u_, add(ctx_, uRow, j));
        llvm::Value* wb = b_.CreateVectorSplat(static_cast<unsigned>(lanes), w);
        for (int64_t v = 0; v < vectors; ++v) {
          llvm::AllocaInst* a = acc[static_cast<size_t>(j * vectors + v)];
          b_.CreateStore(fmulAdd(ctx_, wb, xv[static_cast<size_t>(v)], b_.CreateLoad(vec_, a)), a);
        }
      }
    });
    for (int64_t j = 0; j < count; ++j)
      for (int64_t v = 0; v < vectors; ++v)
        storeVec(b_.CreateLoad(vec_, acc[static_cast<size_t>(j * vectors + v)]), m_,
                 add(ctx_, mul(ctx_, add(ctx_, add(ctx_, mul(ctx_, t, p_.outChannels), oc0), j), tiles), (col + v) * lanes));
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
  StagedRow stagedRow_;
  llvm::Value *stage_ = nullptr, *v_ = nullptr, *m_ = nullptr, *u_ = nullptr;
  llvm::Value *n_ = nullptr, *tileRow_ = nullptr;
};

}  // namespace

bool emitWinogradConv(KernelContext& ctx) {
  std::optional<WinogradPlan> p = planWinograd(ctx);
  if (!p) return false;
  if (p->batch * p->tileRows == 0) return true;
  WinogradKernel(ctx, *p).emit();
  return true;
}

}  // namespace kiln::codegen
