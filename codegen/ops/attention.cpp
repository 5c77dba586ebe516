// Attention (opset 23), the 4-D form (ir/shape_rules/attention.cpp), float32:
//   Y[b, h, i, :] = sum_j P[j] V[b, h / G, j, :],  G = Hq / Hkv (grouped-query)
//   P = softmax_j(scale * Q[b, h, i, :] . K[b, h / G, j, :] + mask[b, h, i, j])
// with the keys j > i excluded when is_causal (upper-left aligned), a bool mask
// excluding the keys where it is false and a float mask added to the scores.
//
// One parallel iteration per block of up to four query rows of one (b, h):
// every K and V row loaded from memory serves the whole block, which keeps the
// kernel compute-bound where a row at a time would stream K and V from L2 for
// each query. Per block, in stack scratch allocated once per kernel call in
// the entry block (the run path does not allocate):
//   1. scores [rows, Skv]: the block's Q rows times scale (a [rows, D]
//      scratch) dotted with the keys in vectors of the target's lanes; a tile
//      of rows x (lanes / rows) keys keeps one accumulator per (row, key), and
//      one shuffle tree turns the lanes accumulators into a vector of their
//      sums; with is_causal only the keys up to the block's last row are
//      computed;
//   2. per row the mask (and the causal bound) is applied and the maximum taken;
//   3. P = exp(s - max) (codegen/ops/vector_math.h's vectorizing exp) and its sum;
//   4. Y = (P . V) / sum: accumulators for every row of the block over a block
//      of Dv columns walk the keys (V rows contiguous), the 1/sum applied on
//      the store.
// A row whose keys are all masked out (max = -inf: every score -inf) gives
// Y = 0, as ONNX Runtime's Attention does (checked with onnxruntime 1.30 for a
// bool mask row all false and a float mask row all -inf): its P is 0 there and
// its factor 0. The decomposed MatMul/Softmax/MatMul chain would give NaN.
#include <llvm/IR/Intrinsics.h>

#include <algorithm>
#include <array>

#include "codegen/ops/conv_ir.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/vector_math.h"
#include "ir/shape_rules/attention_params.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

// The score scratch (kRowBlock x Skv floats, 1 MiB at this limit) is on the
// stack of the thread running the kernel; longer key sequences are an error.
constexpr int64_t kMaxKeys = int64_t{1} << 16;
// Query rows per parallel iteration (they share every K and V row loaded).
constexpr int64_t kRowBlock = 4;

struct Dims {
  int64_t batch, qHeads, kvHeads, sq, skv, d, dv;
};

class AttentionEmitter {
 public:
  explicit AttentionEmitter(KernelContext& ctx) : ctx_(ctx), b_(ctx.b) {}

  void emit() {
    if (ctx_.inputDType(0) != DType::F32)
      ctx_.fail("the Attention kernel supports float32 only, got {}", dtypeName(ctx_.inputDType(0)));
    std::vector<int64_t> q = ctx_.inputShape(0), k = ctx_.inputShape(1), v = ctx_.inputShape(2);
    s_ = Dims{q[0], q[1], k[1], q[2], k[2], q[3], v[3]};
    if (s_.skv > kMaxKeys) ctx_.fail("{} keys exceed the kernel's limit of {}", s_.skv, kMaxKeys);
    scale_ = ir::attentionScale(ctx_, s_.d);
    causal_ = ir::attentionIsCausal(ctx_);
    lanes_ = std::max(ctx_.target.floatLanes(), 1);
    maxAccumulators_ = ctx_.target.vectorRegisters >= 32 ? 16 : 8;
    f32_ = b_.getFloatTy();
    vecTy_ = llvm::FixedVectorType::get(f32_, static_cast<unsigned>(lanes_));
    readMask();

    int64_t blocksPerHead = (s_.sq + kRowBlock - 1) / kRowBlock;
    int64_t blocks = s_.batch * s_.qHeads * blocksPerHead;
    if (blocks == 0 || s_.dv == 0) return;
    scores_ = scratch(kRowBlock * std::max<int64_t>(s_.skv, 1));
    qRows_ = scratch(kRowBlock * std::max<int64_t>(s_.d, 1));
    auto body = [&](Value* block) {
      std::vector<Value*> idx = convir::splitIndex(ctx_, block, {s_.batch, s_.qHeads, blocksPerHead});
      Value* i0 = convir::mul(ctx_, idx[2], kRowBlock);
      int64_t last = s_.sq % kRowBlock;
      if (last == 0) return emitBlock(idx[0], idx[1], i0, kRowBlock);
      Value* full = b_.CreateICmpSLT(idx[2], ctx_.i64(blocksPerHead - 1));
      ctx_.ifThen(full, [&] { emitBlock(idx[0], idx[1], i0, kRowBlock); });
      ctx_.ifThen(b_.CreateNot(full), [&] { emitBlock(idx[0], idx[1], i0, last); });
    };
    int64_t work = s_.batch * s_.qHeads * s_.sq * s_.skv * (s_.d + s_.dv);
    if (blocks > 1 && worthParallel(work))
      ctx_.parallelFor(blocks, body);
    else
      ctx_.loop(0, blocks, body);
  }

 private:
  llvm::AllocaInst* scratch(int64_t floats) {
    llvm::AllocaInst* a = entryAlloca(ctx_, f32_, floats);
    a->setAlignment(llvm::Align(64));
    return a;
  }

  // Strides of the mask over [B, Hq, Sq, Skv] (0 where it broadcasts).
  void readMask() {
    if (!ctx_.hasInput(3)) return;
    hasMask_ = true;
    maskBool_ = ctx_.inputDType(3) == DType::Bool;
    std::vector<int64_t> shape = ctx_.inputShape(3);
    std::vector<int64_t> strides = stridesOf(shape);
    size_t offset = 4 - shape.size();
    for (size_t d = 0; d < shape.size(); ++d) maskStrides_[offset + d] = shape[d] == 1 ? 0 : strides[d];
  }

  Value* vecLoad(Value* base, Value* index) {
    return b_.CreateAlignedLoad(vecTy_, ctx_.elementPtr(DType::F32, base, index), llvm::Align(4));
  }
  void vecStore(Value* v, Value* base, Value* index) {
    b_.CreateAlignedStore(v, ctx_.elementPtr(DType::F32, base, index), llvm::Align(4));
  }
  Value* loadF(Value* base, Value* index) { return ctx_.load(DType::F32, base, index); }
  Value* fma(Value* a, Value* x, Value* acc) { return ctx_.callIntrinsic(llvm::Intrinsic::fmuladd, {a, x, acc}); }
  Value* minusInf() { return llvm::ConstantFP::getInfinity(f32_, true); }
  Value* minI(Value* a, Value* c) { return b_.CreateSelect(b_.CreateICmpSLT(a, c), a, c); }
  // Offset of element (r, j) of the scores scratch.
  Value* scoreAt(int64_t r, Value* j) { return b_.CreateNSWAdd(ctx_.i64(r * s_.skv), j); }

  // Query rows i0 .. i0 + rows - 1 of head h of batch bi.
  void emitBlock(Value* bi, Value* h, Value* i0, int64_t rows) {
    int64_t group = s_.qHeads / s_.kvHeads;
    Value* kvHead = group == 1 ? h : b_.CreateUDiv(h, ctx_.i64(group));
    Value* kv = convir::nest(ctx_, bi, s_.kvHeads, kvHead);
    Value* kBase = convir::mul(ctx_, kv, s_.skv * s_.d);
    Value* vBase = convir::mul(ctx_, kv, s_.skv * s_.dv);
    Value* row0 = b_.CreateNSWAdd(convir::mul(ctx_, convir::nest(ctx_, bi, s_.qHeads, h), s_.sq), i0);
    // Keys the block computes: [0, keys); with is_causal those of its last row.
    Value* keys = ctx_.i64(s_.skv);
    if (causal_) keys = minI(b_.CreateNSWAdd(i0, ctx_.i64(rows)), keys);

    Value* qBase = convir::mul(ctx_, row0, s_.d);
    ctx_.loop(0, rows * s_.d, [&](Value* e) {
      ctx_.store(DType::F32, qRows_, e,
                 b_.CreateFMul(loadF(ctx_.input(0), b_.CreateNSWAdd(qBase, e)), ctx_.f32(scale_)));
    });
    emitScores(kBase, keys, rows);
    std::vector<Value*> factors;
    for (int64_t r = 0; r < rows; ++r) {
      Value* i = b_.CreateNSWAdd(i0, ctx_.i64(r));
      Value* rowKeys = causal_ ? minI(b_.CreateNSWAdd(i, ctx_.i64(1)), ctx_.i64(s_.skv)) : nullptr;
      Value* mx = emitMaskAndMax(r, bi, h, i, keys, rowKeys);
      // A fully masked row (max -inf): exp(-inf - 0) = 0 everywhere, factor 0.
      Value* masked = b_.CreateFCmpOEQ(mx, minusInf());
      Value* sum = emitExpAndSum(r, b_.CreateSelect(masked, ctx_.f32(0), mx), keys);
      factors.push_back(b_.CreateSelect(masked, ctx_.f32(0), b_.CreateFDiv(ctx_.f32(1), sum)));
    }
    emitWeightedValues(vBase, convir::mul(ctx_, row0, s_.dv), keys, factors);
  }

  // Sums of the lanes of `vectors` (a power-of-two count up to the lane count)
  // as one vector: with `lanes` vectors, lane k holds the sum of vector k. Each
  // step pairs vectors x and y and adds the first half of each sum's segment
  // (x's sums, then y's) to its second half, halving the lanes per sum.
  Value* transposeReduce(std::vector<Value*> vectors) {
    int64_t segment = lanes_;
    while (vectors.size() > 1) {
      int64_t half = segment / 2;
      std::vector<int> lo, hi;
      for (int64_t side = 0; side < 2; ++side)
        for (int64_t seg = 0; seg < lanes_; seg += segment)
          for (int64_t e = 0; e < half; ++e) {
            lo.push_back(static_cast<int>(side * lanes_ + seg + e));
            hi.push_back(static_cast<int>(side * lanes_ + seg + half + e));
          }
      std::vector<Value*> next;
      for (size_t k = 0; k < vectors.size(); k += 2)
        next.push_back(b_.CreateFAdd(b_.CreateShuffleVector(vectors[k], vectors[k + 1], lo),
                                     b_.CreateShuffleVector(vectors[k], vectors[k + 1], hi)));
      vectors = std::move(next);
      segment = half;
    }
    return vectors[0];
  }

  // Whether D splits into whole vectors and a tile's sums fit one vector.
  bool tiled() const { return s_.d % lanes_ == 0 && (lanes_ & (lanes_ - 1)) == 0; }

  // scores[r0 + r][j0 + k] = qRows[r0 + r] . K[j0 + k] for a tile of `rows`
  // rows (a power of two <= lanes) and lanes / rows keys.
  void dotTile(Value* kBase, int64_t r0, int64_t rows, Value* j0) {
    ReassocScope reassoc(ctx_);
    int64_t keys = lanes_ / rows, chunks = s_.d / lanes_;
    std::vector<Value*> keyBase;
    for (int64_t k = 0; k < keys; ++k)
      keyBase.push_back(b_.CreateNSWAdd(kBase, convir::mul(ctx_, b_.CreateNSWAdd(j0, ctx_.i64(k)), s_.d)));
    std::vector<Value*> acc(static_cast<size_t>(rows * keys), llvm::Constant::getNullValue(vecTy_));
    for (int64_t c = 0; c < chunks; ++c) {
      std::vector<Value*> kv;
      for (int64_t k = 0; k < keys; ++k)
        kv.push_back(vecLoad(ctx_.input(1), b_.CreateNSWAdd(keyBase[k], ctx_.i64(c * lanes_))));
      for (int64_t r = 0; r < rows; ++r) {
        Value* qv = vecLoad(qRows_, ctx_.i64((r0 + r) * s_.d + c * lanes_));
        for (int64_t k = 0; k < keys; ++k) {
          Value*& a = acc[r * keys + k];
          a = c == 0 ? b_.CreateFMul(qv, kv[k]) : fma(qv, kv[k], a);
        }
      }
    }
    Value* sums = transposeReduce(acc);
    for (int64_t r = 0; r < rows; ++r) {
      Value* at = scoreAt(r0 + r, j0);
      if (keys == 1) {
        ctx_.store(DType::F32, scores_, at, b_.CreateExtractElement(sums, static_cast<uint64_t>(r)));
        continue;
      }
      std::vector<int> lanes;
      for (int64_t k = 0; k < keys; ++k) lanes.push_back(static_cast<int>(r * keys + k));
      b_.CreateAlignedStore(b_.CreateShuffleVector(sums, lanes), ctx_.elementPtr(DType::F32, scores_, at),
                            llvm::Align(4));
    }
  }

  // scores[r][j] = qRows[r] . K[j] for one key and rows r0 .. r0 + rows - 1.
  void dotKey(Value* kBase, int64_t r0, int64_t rows, Value* j) {
    ReassocScope reassoc(ctx_);
    int64_t chunks = s_.d / lanes_;
    Value* keyBase = b_.CreateNSWAdd(kBase, convir::mul(ctx_, j, s_.d));
    for (int64_t r = r0; r < r0 + rows; ++r) {
      Value* acc = llvm::Constant::getNullValue(vecTy_);
      for (int64_t c = 0; c < chunks; ++c)
        acc = fma(vecLoad(qRows_, ctx_.i64(r * s_.d + c * lanes_)),
                  vecLoad(ctx_.input(1), b_.CreateNSWAdd(keyBase, ctx_.i64(c * lanes_))), acc);
      Value* s = chunks > 0 ? b_.CreateFAddReduce(ctx_.f32(-0.0f), acc) : ctx_.f32(0);
      for (int64_t d = chunks * lanes_; d < s_.d; ++d)
        s = fma(loadF(qRows_, ctx_.i64(r * s_.d + d)), loadF(ctx_.input(1), b_.CreateNSWAdd(keyBase, ctx_.i64(d))), s);
      ctx_.store(DType::F32, scores_, scoreAt(r, j), s);
    }
  }

  void emitScores(Value* kBase, Value* keys, int64_t rows) {
    if (!tiled()) {
      ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) { dotKey(kBase, 0, rows, j); });
      return;
    }
    // Row groups of a power of two (4 -> 4, 3 -> 2 + 1), each in tiles of
    // lanes / group keys, then the keys left over one by one.
    for (int64_t r0 = 0; r0 < rows;) {
      int64_t group = 1;
      while (group * 2 <= rows - r0 && group * 2 <= lanes_) group *= 2;
      int64_t tileKeys = lanes_ / group;
      Value* tiles = b_.CreateUDiv(keys, ctx_.i64(tileKeys));
      ctx_.loop(ctx_.i64(0), tiles, 1, [&](Value* t) { dotTile(kBase, r0, group, convir::mul(ctx_, t, tileKeys)); });
      ctx_.loop(convir::mul(ctx_, tiles, tileKeys), keys, 1, [&](Value* j) { dotKey(kBase, r0, group, j); });
      r0 += group;
    }
  }

  // Applies the causal bound and the mask to scores[r][0, keys) (query row i)
  // and returns their maximum.
  Value* emitMaskAndMax(int64_t r, Value* bi, Value* h, Value* i, Value* keys, Value* rowKeys) {
    ReassocScope reassoc(ctx_);
    llvm::AllocaInst* maxSlot = entryAlloca(ctx_, f32_);
    b_.CreateStore(minusInf(), maxSlot);
    Value* maskRow = nullptr;
    if (hasMask_)
      maskRow = addScaled(ctx_, addScaled(ctx_, addScaled(ctx_, ctx_.i64(0), bi, maskStrides_[0]), h, maskStrides_[1]),
                          i, maskStrides_[2]);
    ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
      Value* s = loadF(scores_, scoreAt(r, j));
      if (hasMask_) {
        Value* at = addScaled(ctx_, maskRow, j, maskStrides_[3]);
        if (maskBool_) {
          Value* keep = b_.CreateICmpNE(ctx_.load(DType::Bool, ctx_.input(3), at), b_.getInt8(0));
          s = b_.CreateSelect(keep, s, minusInf());
        } else {
          s = b_.CreateFAdd(s, loadF(ctx_.input(3), at));
        }
      }
      if (rowKeys) s = b_.CreateSelect(b_.CreateICmpSLT(j, rowKeys), s, minusInf());
      if (hasMask_ || rowKeys) ctx_.store(DType::F32, scores_, scoreAt(r, j), s);
      b_.CreateStore(emitMax(ctx_, DType::F32, b_.CreateLoad(f32_, maxSlot), s), maxSlot);
    });
    return b_.CreateLoad(f32_, maxSlot);
  }

  // scores[r][j] = exp(scores[r][j] - mx) for j < keys; returns their sum.
  Value* emitExpAndSum(int64_t r, Value* mx, Value* keys) {
    ReassocScope reassoc(ctx_);
    llvm::AllocaInst* sumSlot = entryAlloca(ctx_, f32_);
    b_.CreateStore(ctx_.f32(0), sumSlot);
    ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
      Value* at = scoreAt(r, j);
      Value* e = emitFastExp(ctx_, b_.CreateFSub(loadF(scores_, at), mx));
      ctx_.store(DType::F32, scores_, at, e);
      b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f32_, sumSlot), e), sumSlot);
    });
    return b_.CreateLoad(f32_, sumSlot);
  }

  // Y[yBase + r * Dv + c] = factors[r] * sum_{j < keys} scores[r][j] V[vBase + j * Dv + c]
  // for the block's rows: column blocks of vectors with one accumulator per
  // (row, vector), then the last Dv % lanes columns with scalar accumulators.
  void emitWeightedValues(Value* vBase, Value* yBase, Value* keys, const std::vector<Value*>& factors) {
    auto rows = static_cast<int64_t>(factors.size());
    int64_t vectors = s_.dv / lanes_;
    int64_t perBlock = std::max<int64_t>(maxAccumulators_ / rows, 1);
    for (int64_t v0 = 0; v0 < vectors; v0 += perBlock) {
      int64_t count = std::min(perBlock, vectors - v0);
      emitValueColumns(vBase, yBase, keys, factors, v0 * lanes_, count, vecTy_);
    }
    if (int64_t tail = s_.dv - vectors * lanes_; tail > 0)
      emitValueColumns(vBase, yBase, keys, factors, vectors * lanes_, tail, f32_);
  }

  // `count` accumulators of type `ty` (vectors or scalars) per row, for the
  // columns from c0 on.
  void emitValueColumns(Value* vBase, Value* yBase, Value* keys, const std::vector<Value*>& factors, int64_t c0,
                        int64_t count, llvm::Type* ty) {
    auto rows = static_cast<int64_t>(factors.size());
    bool vec = ty->isVectorTy();
    int64_t width = vec ? lanes_ : 1;
    auto splat = [&](Value* x) { return vec ? b_.CreateVectorSplat(static_cast<unsigned>(lanes_), x) : x; };
    auto load = [&](Value* base, Value* at) { return vec ? vecLoad(base, at) : loadF(base, at); };
    std::vector<llvm::AllocaInst*> slots;
    for (int64_t k = 0; k < rows * count; ++k) {
      slots.push_back(entryAlloca(ctx_, ty));
      b_.CreateStore(llvm::Constant::getNullValue(ty), slots.back());
    }
    ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
      Value* vRow = b_.CreateNSWAdd(vBase, convir::mul(ctx_, j, s_.dv));
      std::vector<Value*> x;
      for (int64_t u = 0; u < count; ++u)
        x.push_back(load(ctx_.input(2), b_.CreateNSWAdd(vRow, ctx_.i64(c0 + u * width))));
      for (int64_t r = 0; r < rows; ++r) {
        Value* p = splat(loadF(scores_, scoreAt(r, j)));
        for (int64_t u = 0; u < count; ++u) {
          llvm::AllocaInst* slot = slots[r * count + u];
          b_.CreateStore(fma(p, x[u], b_.CreateLoad(ty, slot)), slot);
        }
      }
    });
    for (int64_t r = 0; r < rows; ++r) {
      Value* f = splat(factors[r]);
      for (int64_t u = 0; u < count; ++u) {
        Value* y = b_.CreateFMul(b_.CreateLoad(ty, slots[r * count + u]), f);
        Value* at = b_.CreateNSWAdd(yBase, ctx_.i64(r * s_.dv + c0 + u * width));
        if (vec)
          vecStore(y, ctx_.output(0), at);
        else
          ctx_.store(DType::F32, ctx_.output(0), at, y);
      }
    }
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  Dims s_{};
  float scale_ = 1;
  bool causal_ = false;
  bool hasMask_ = false, maskBool_ = false;
  std::array<int64_t, 4> maskStrides_{};
  int64_t lanes_ = 1, maxAccumulators_ = 8;
  llvm::Type* f32_ = nullptr;
  llvm::FixedVectorType* vecTy_ = nullptr;
  llvm::AllocaInst* scores_ = nullptr;
  llvm::AllocaInst* qRows_ = nullptr;
};

}  // namespace

void emitAttention(KernelContext& ctx) { AttentionEmitter(ctx).emit(); }

}  // namespace kiln::codegen
