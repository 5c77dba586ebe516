// Attention (opset 23), the 4-D form (ir/shape_rules/attention.cpp), float32:
//   Y[b, h, i, :] = sum_j P[j] V[b, h / G, j, :],  G = Hq / Hkv (grouped-query)
//   P = softmax_j(scale * Q[b, h, i, :] . K[b, h / G, j, :] + mask[b, h, i, j])
// with mask j > i (upper-left aligned) excluded when is_causal, a bool mask
// excluding the keys where it is false and a float mask added to the scores.
//
// One parallel iteration per query row (b, h, i). Per row, in a stack scratch
// of Skv floats (allocated once per kernel call in the entry block, so the run
// path does not allocate):
//   1. scores: Q's row times scale (a D-float scratch), dotted with four keys
//      at a time in vectors of the target's lanes (one horizontal sum per key);
//      with is_causal only the keys j <= i are computed at all;
//   2. the mask is applied and the row maximum taken;
//   3. P = exp(s - max) (codegen/ops/vector_math.h's vectorizing exp) and its sum;
//   4. Y = (P . V) / sum, Dv in blocks of up to eight vector accumulators that
//      walk the keys (V rows contiguous), the 1/sum applied on the store.
// A row whose keys are all masked out (max = -inf: every score -inf) gives
// Y = 0, as ONNX Runtime's Attention does (checked with onnxruntime 1.30 for a
// bool mask row all false and a float mask row all -inf); the decomposed
// MatMul/Softmax/MatMul chain would give NaN there.
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

// The score scratch is on the stack of the thread running the kernel.
constexpr int64_t kMaxKeys = int64_t{1} << 18;
// Keys dotted together (each keeps one vector accumulator per Q chunk pass).
constexpr int64_t kKeyBlock = 4;
// Vector accumulators per output column block.
constexpr int64_t kColumnVectors = 8;

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
    f32_ = b_.getFloatTy();
    vecTy_ = llvm::FixedVectorType::get(f32_, static_cast<unsigned>(lanes_));
    readMask();

    int64_t rows = s_.batch * s_.qHeads * s_.sq;
    if (rows == 0 || s_.dv == 0) return;
    scores_ = scratch(std::max<int64_t>(s_.skv, 1));
    qRow_ = scratch(std::max<int64_t>(s_.d, 1));
    auto body = [&](Value* row) { emitRow(row); };
    if (rows > 1 && worthParallel(rows * s_.skv * (s_.d + s_.dv))) ctx_.parallelFor(rows, body);
    else ctx_.loop(0, rows, body);
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

  void emitRow(Value* row) {
    std::vector<Value*> idx = convir::splitIndex(ctx_, row, {s_.batch, s_.qHeads, s_.sq});
    Value* bi = idx[0];
    Value* h = idx[1];
    Value* i = idx[2];
    int64_t group = s_.qHeads / s_.kvHeads;
    Value* kvHead = group == 1 ? h : b_.CreateUDiv(h, ctx_.i64(group));
    Value* kv = convir::nest(ctx_, bi, s_.kvHeads, kvHead);
    Value* kBase = convir::mul(ctx_, kv, s_.skv * s_.d);
    Value* vBase = convir::mul(ctx_, kv, s_.skv * s_.dv);
    // Keys this row attends to are [0, keys): with is_causal j <= i.
    Value* keys = ctx_.i64(s_.skv);
    if (causal_) {
      Value* upTo = b_.CreateNSWAdd(i, ctx_.i64(1));
      keys = b_.CreateSelect(b_.CreateICmpSLT(upTo, keys), upTo, keys);
    }

    // Q's row, scaled.
    Value* qBase = convir::mul(ctx_, row, s_.d);
    ctx_.loop(0, s_.d, [&](Value* d) {
      ctx_.store(DType::F32, qRow_, d,
                 b_.CreateFMul(loadF(ctx_.input(0), b_.CreateNSWAdd(qBase, d)), ctx_.f32(scale_)));
    });
    emitScores(kBase, keys);
    Value* mx = emitMaskAndMax(bi, h, i, keys);
    // A fully masked row (max -inf) reads no values: Y = 0.
    Value* masked = b_.CreateFCmpOEQ(mx, llvm::ConstantFP::getInfinity(f32_, true));
    keys = b_.CreateSelect(masked, ctx_.i64(0), keys);
    Value* sum = emitExpAndSum(b_.CreateSelect(masked, ctx_.f32(0), mx), keys);
    Value* factor = b_.CreateSelect(masked, ctx_.f32(0), b_.CreateFDiv(ctx_.f32(1), sum));
    emitWeightedValues(vBase, convir::mul(ctx_, row, s_.dv), keys, factor);
  }

  // scores[j0 + k] = qRow . K[kBase + (j0 + k) * D] for k < count.
  void dotKeys(Value* kBase, Value* j0, int64_t count) {
    ReassocScope reassoc(ctx_);
    int64_t chunks = s_.d / lanes_;
    std::vector<Value*> rowBase;
    for (int64_t k = 0; k < count; ++k)
      rowBase.push_back(b_.CreateNSWAdd(kBase, convir::mul(ctx_, b_.CreateNSWAdd(j0, ctx_.i64(k)), s_.d)));
    std::vector<Value*> acc(static_cast<size_t>(count), llvm::Constant::getNullValue(vecTy_));
    for (int64_t c = 0; c < chunks; ++c) {
      Value* qv = vecLoad(qRow_, ctx_.i64(c * lanes_));
      for (int64_t k = 0; k < count; ++k)
        acc[k] = fma(qv, vecLoad(ctx_.input(1), b_.CreateNSWAdd(rowBase[k], ctx_.i64(c * lanes_))), acc[k]);
    }
    for (int64_t k = 0; k < count; ++k) {
      Value* s = chunks > 0 ? b_.CreateFAddReduce(ctx_.f32(-0.0f), acc[k]) : ctx_.f32(0);
      for (int64_t d = chunks * lanes_; d < s_.d; ++d)
        s = fma(loadF(qRow_, ctx_.i64(d)), loadF(ctx_.input(1), b_.CreateNSWAdd(rowBase[k], ctx_.i64(d))), s);
      ctx_.store(DType::F32, scores_, b_.CreateNSWAdd(j0, ctx_.i64(k)), s);
    }
  }

  void emitScores(Value* kBase, Value* keys) {
    Value* blocks = b_.CreateUDiv(keys, ctx_.i64(kKeyBlock));
    ctx_.loop(ctx_.i64(0), blocks, 1, [&](Value* jb) { dotKeys(kBase, convir::mul(ctx_, jb, kKeyBlock), kKeyBlock); });
    ctx_.loop(convir::mul(ctx_, blocks, kKeyBlock), keys, 1, [&](Value* j) { dotKeys(kBase, j, 1); });
  }

  // Applies the mask to scores[0, keys) and returns their maximum.
  Value* emitMaskAndMax(Value* bi, Value* h, Value* i, Value* keys) {
    ReassocScope reassoc(ctx_);
    llvm::AllocaInst* maxSlot = entryAlloca(ctx_, f32_);
    b_.CreateStore(llvm::ConstantFP::getInfinity(f32_, true), maxSlot);
    Value* maskRow = nullptr;
    if (hasMask_)
      maskRow = addScaled(ctx_, addScaled(ctx_, addScaled(ctx_, ctx_.i64(0), bi, maskStrides_[0]), h, maskStrides_[1]),
                          i, maskStrides_[2]);
    ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
      Value* s = loadF(scores_, j);
      if (hasMask_) {
        Value* at = addScaled(ctx_, maskRow, j, maskStrides_[3]);
        if (maskBool_) {
          Value* keep = b_.CreateICmpNE(ctx_.load(DType::Bool, ctx_.input(3), at), b_.getInt8(0));
          s = b_.CreateSelect(keep, s, llvm::ConstantFP::getInfinity(f32_, true));
        } else {
          s = b_.CreateFAdd(s, loadF(ctx_.input(3), at));
        }
        ctx_.store(DType::F32, scores_, j, s);
      }
      b_.CreateStore(emitMax(ctx_, DType::F32, b_.CreateLoad(f32_, maxSlot), s), maxSlot);
    });
    return b_.CreateLoad(f32_, maxSlot);
  }

  // scores[j] = exp(scores[j] - mx) for j < keys; returns their sum.
  Value* emitExpAndSum(Value* mx, Value* keys) {
    ReassocScope reassoc(ctx_);
    llvm::AllocaInst* sumSlot = entryAlloca(ctx_, f32_);
    b_.CreateStore(ctx_.f32(0), sumSlot);
    ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
      Value* e = emitFastExp(ctx_, b_.CreateFSub(loadF(scores_, j), mx));
      ctx_.store(DType::F32, scores_, j, e);
      b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f32_, sumSlot), e), sumSlot);
    });
    return b_.CreateLoad(f32_, sumSlot);
  }

  // Y[yBase + c] = factor * sum_{j < keys} scores[j] V[vBase + j * Dv + c].
  void emitWeightedValues(Value* vBase, Value* yBase, Value* keys, Value* factor) {
    int64_t vectors = s_.dv / lanes_;
    for (int64_t v0 = 0; v0 < vectors; v0 += kColumnVectors) {
      int64_t count = std::min(kColumnVectors, vectors - v0);
      std::vector<llvm::AllocaInst*> slots;
      for (int64_t u = 0; u < count; ++u) {
        slots.push_back(entryAlloca(ctx_, vecTy_));
        b_.CreateStore(llvm::Constant::getNullValue(vecTy_), slots.back());
      }
      ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
        Value* p = b_.CreateVectorSplat(static_cast<unsigned>(lanes_), loadF(scores_, j));
        Value* vRow = b_.CreateNSWAdd(vBase, convir::mul(ctx_, j, s_.dv));
        for (int64_t u = 0; u < count; ++u) {
          Value* x = vecLoad(ctx_.input(2), b_.CreateNSWAdd(vRow, ctx_.i64((v0 + u) * lanes_)));
          b_.CreateStore(fma(p, x, b_.CreateLoad(vecTy_, slots[u])), slots[u]);
        }
      });
      Value* f = b_.CreateVectorSplat(static_cast<unsigned>(lanes_), factor);
      for (int64_t u = 0; u < count; ++u)
        vecStore(b_.CreateFMul(b_.CreateLoad(vecTy_, slots[u]), f), ctx_.output(0),
                 b_.CreateNSWAdd(yBase, ctx_.i64((v0 + u) * lanes_)));
    }
    // The last Dv % lanes columns, one scalar accumulator each.
    std::vector<llvm::AllocaInst*> tail;
    for (int64_t c = vectors * lanes_; c < s_.dv; ++c) {
      tail.push_back(entryAlloca(ctx_, f32_));
      b_.CreateStore(ctx_.f32(0), tail.back());
    }
    if (tail.empty()) return;
    ctx_.loop(ctx_.i64(0), keys, 1, [&](Value* j) {
      Value* p = loadF(scores_, j);
      Value* vRow = b_.CreateNSWAdd(vBase, convir::mul(ctx_, j, s_.dv));
      for (size_t t = 0; t < tail.size(); ++t) {
        Value* x = loadF(ctx_.input(2), b_.CreateNSWAdd(vRow, ctx_.i64(vectors * lanes_ + static_cast<int64_t>(t))));
        b_.CreateStore(fma(p, x, b_.CreateLoad(f32_, tail[t])), tail[t]);
      }
    });
    for (size_t t = 0; t < tail.size(); ++t)
      ctx_.store(DType::F32, ctx_.output(0), b_.CreateNSWAdd(yBase, ctx_.i64(vectors * lanes_ + static_cast<int64_t>(t))),
                 b_.CreateFMul(b_.CreateLoad(f32_, tail[t]), factor));
  }

  KernelContext& ctx_;
  llvm::IRBuilder<>& b_;
  Dims s_{};
  float scale_ = 1;
  bool causal_ = false;
  bool hasMask_ = false, maskBool_ = false;
  std::array<int64_t, 4> maskStrides_{};
  int64_t lanes_ = 1;
  llvm::Type* f32_ = nullptr;
  llvm::FixedVectorType* vecTy_ = nullptr;
  llvm::AllocaInst* scores_ = nullptr;
  llvm::AllocaInst* qRow_ = nullptr;
};

}  // namespace

void emitAttention(KernelContext& ctx) { AttentionEmitter(ctx).emit(); }

}  // namespace kiln::codegen
