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
  st.phaseLen = outCols + ((kernel - 1) * dilation) / stride;
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
  // Vector blocks of `lanes` elements per phase: one wide load of stride x
  // lanes columns, deinterleaved by shuffles. A block starting at m0 reads
  // columns [m0 * s - pad, (m0 + lanes) * s - pad), which must lie in the row.
  int64_t first = std::max<int64_t>(0, ceilDiv(padBegin, stride));
  int64_t last = floorDiv(inWidth + padBegin, stride);  // blocks end at or before this
  int64_t blocks = std::max<int64_t>(0, (std::min(last, phaseLen) - first) / lanes);
  if (blocks == 0) return stageScalar(ctx, *this, dt, x, src, buf, dst, 0, phaseLen);
  stageScalar(ctx, *this, dt, x, src, buf, dst, 0, first);
  auto* wide = llvm::FixedVectorType::get(elem, static_cast<unsigned>(lanes * stride));
  ctx.loop(0, blocks, [&](llvm::Value* blk) {
    llvm::Value* m0 = add(ctx, mul(ctx, blk, lanes), first);
    llvm::Value* from = add(ctx, src, add(ctx, mul(ctx, m0, stride), -padBegin));
    llvm::Value* w = b.CreateAlignedLoad(wide, ctx.elementPtr(dt, x, from), align);
    for (int64_t r = 0; r < stride; ++r) {
      std::vector<int> pick;
      for (int64_t i = 0; i < lanes; ++i) pick.push_back(static_cast<int>(i * stride + r));
      llvm::Value* phase = b.CreateShuffleVector(w, pick);
      b.CreateAlignedStore(phase, ctx.elementPtr(dt, buf, add(ctx, dst, add(ctx, m0, r * phaseLen))), align);
    }
  });
  stageScalar(ctx, *this, dt, x, src, buf, dst, first + blocks * lanes, phaseLen);
}

}  // namespace kiln::codegen
