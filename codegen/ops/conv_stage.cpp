#include "codegen/ops/conv_stage.h"

#include <algorithm>

#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxVectorStride = 4;  // wider strides stage element by element

// Elements [lo, hi) of every phase, each read with a bounds check: out-of-row
// columns give 0 (the load index is clamped into the row, then replaced).
void stageScalar(KernelContext& ctx, const StagedRow& st, DType dt, llvm::Value* x, llvm::Value* src,
                 llvm::Value* buf, llvm::Value* dst, int64_t lo, int64_t hi) {
  using namespace convir;
  if (lo >= hi) return;
  llvm::IRBuilder<>& b = ctx.b;
  loopScalar(ctx, lo, hi, [&](llvm::Value* m) {
    for (int64_t r = 0; r < st.stride; ++r) {
      llvm::Value* col = add(ctx, mul(ctx, m, st.stride), r - st.padBegin);
      llvm::Value* inside = inRange(ctx, col, 0, st.inWidth);
      llvm::Value* clamped = b.CreateSelect(inside, col, ctx.i64(0));
      llvm::Value* v = ctx.load(dt, x, add(ctx, src, clamped));
      v = b.CreateSelect(inside, v, ctx.constant(dt, 0));
      ctx.store(dt, buf, add(ctx, dst, add(ctx, m, r * st.phaseLen)), v);
    }
  });
}

}  // namespace

StagedRow planStagedRow(int64_t outCols, int64_t kernel, int64_t stride, int64_t dilation, int64_t padBegin,
                        int64_t inWidth, int64_t lanes) {
  StagedRow st;
  st.stride = stride;
  st.dilation = dilation;
  st.padBegin = padBegin;
  st.inWidth = inWidth;
  // A multiple of lanes, so that whole vector blocks of one phase never run
  // into the next.
  st.phaseLen = ceilDiv(outCols + ((kernel - 1) * dilation) / stride, lanes) * lanes;
  st.pitch = ceilDiv(stride * st.phaseLen, lanes) * lanes;
  return st;
}

void StagedRow::emitZeros(KernelContext& ctx, DType dt, llvm::Value* buf, llvm::Value* dst) const {
  llvm::Align align(dtypeSize(dt));
  ctx.b.CreateMemSet(ctx.elementPtr(dt, buf, dst), ctx.b.getInt8(0),
                     static_cast<uint64_t>(stride * phaseLen) * dtypeSize(dt), align);
}

void StagedRow::emit(KernelContext& ctx, DType dt, int64_t lanes, llvm::Value* x, llvm::Value* src,
                     llvm::Value* buf, llvm::Value* dst) const {
  using namespace convir;
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Type* elem = ctx.llvmType(dt);
  int64_t esize = static_cast<int64_t>(dtypeSize(dt));
  llvm::Align align(static_cast<uint64_t>(esize));
  if (stride == 1) {
    // Zeros, the row, zeros.
    int64_t copyBegin = std::clamp<int64_t>(padBegin, 0, phaseLen);
    int64_t copyEnd = std::clamp<int64_t>(padBegin + inWidth, copyBegin, phaseLen);
    auto bytes = [&](int64_t n) { return static_cast<uint64_t>(n * esize); };
    if (copyBegin > 0) b.CreateMemSet(ctx.elementPtr(dt, buf, dst), b.getInt8(0), bytes(copyBegin), align);
    if (copyEnd > copyBegin)
      b.CreateMemCpy(ctx.elementPtr(dt, buf, add(ctx, dst, copyBegin)), align,
                     ctx.elementPtr(dt, x, add(ctx, src, copyBegin - padBegin)), align, bytes(copyEnd - copyBegin));
    if (phaseLen > copyEnd)
      b.CreateMemSet(ctx.elementPtr(dt, buf, add(ctx, dst, copyEnd)), b.getInt8(0), bytes(phaseLen - copyEnd), align);
    return;
  }
  if (stride > kMaxVectorStride) return stageScalar(ctx, *this, dt, x, src, buf, dst, 0, phaseLen);
  // Blocks of `lanes` elements of every phase: one wide load of stride x
  // lanes columns, deinterleaved by shuffles. Block k reads the columns
  // [k * lanes * s - pad, (k + 1) * lanes * s - pad); the blocks inside the
  // row run in a loop, those at the row ends (compile-time positions) mask
  // the columns outside it, which then read as the padding's zeros.
  auto* wide = llvm::FixedVectorType::get(elem, static_cast<unsigned>(lanes * stride));
  int64_t span = lanes * stride, blocks = phaseLen / lanes;  // phaseLen is a multiple of lanes
  int64_t inLo = std::clamp<int64_t>(ceilDiv(padBegin, span), 0, blocks);
  int64_t inHi = std::clamp<int64_t>(floorDiv(inWidth + padBegin, span), inLo, blocks);
  auto block = [&](llvm::Value* k, int64_t kConst) {
    llvm::Value* m0 = mul(ctx, k, lanes);
    llvm::Value* from = add(ctx, src, add(ctx, mul(ctx, m0, stride), -padBegin));
    llvm::Value* w;
    if (kConst < 0) {
      w = b.CreateAlignedLoad(wide, ctx.elementPtr(dt, x, from), align);
    } else {
      std::vector<llvm::Constant*> on;
      int64_t count = 0;
      for (int64_t j = 0; j < span; ++j) {
        int64_t col = kConst * span + j - padBegin;
        on.push_back(b.getInt1(col >= 0 && col < inWidth));
        count += col >= 0 && col < inWidth;
      }
      if (count == 0) {
        w = llvm::Constant::getNullValue(wide);
      } else {
        // Masked-off lanes may point outside X: a plain GEP.
        w = b.CreateMaskedLoad(wide, b.CreateGEP(elem, x, from), align, llvm::ConstantVector::get(on),
                               llvm::Constant::getNullValue(wide));
      }
    }
    for (int64_t r = 0; r < stride; ++r) {
      std::vector<int> pick;
      for (int64_t i = 0; i < lanes; ++i) pick.push_back(static_cast<int>(i * stride + r));
      llvm::Value* phase = b.CreateShuffleVector(w, pick);
      b.CreateAlignedStore(phase, ctx.elementPtr(dt, buf, add(ctx, dst, add(ctx, m0, r * phaseLen))), align);
    }
  };
  for (int64_t k = 0; k < inLo; ++k) block(ctx.i64(k), k);
  if (inHi > inLo) ctx.loop(inLo, inHi, [&](llvm::Value* k) { block(k, -1); });
  for (int64_t k = inHi; k < blocks; ++k) block(ctx.i64(k), k);
}

}  // namespace kiln::codegen
