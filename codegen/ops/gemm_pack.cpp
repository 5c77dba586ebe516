#include "codegen/ops/gemm_pack.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>

#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

using convir::add;
using convir::mul;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

const float* constantFloats(KernelContext& ctx, const GemmOperand& op, int64_t& matrices) {
  const ir::TensorData& c = *op.constant;
  if (c.dtype != DType::F32) ctx.fail("internal error: packed GEMM constant must be float32");
  if (op.matrixElements <= 0 || c.numElements() % op.matrixElements != 0)
    ctx.fail("internal error: constant of {} elements is not a stack of {}-element matrices", c.numElements(),
             op.matrixElements);
  matrices = c.numElements() / op.matrixElements;
  return reinterpret_cast<const float*>(c.bytes.data());
}

llvm::Value* embed(KernelContext& ctx, const std::vector<float>& data, const char* name) {
  // Embedded as bytes: LLVM's asm printer writes an i8 array in one piece but
  // a float array element by element through APFloat (~1 us per element).
  llvm::ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t*>(data.data()), data.size() * sizeof(float));
  llvm::Constant* init = llvm::ConstantDataArray::get(ctx.b.getContext(), bytes);
  auto* g = new llvm::GlobalVariable(ctx.module, init->getType(), /*isConstant=*/true,
                                     llvm::GlobalValue::PrivateLinkage, init, name);
  g->setAlignment(llvm::Align(64));
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return g;
}

// Packs every matrix of a constant operand into panels of `width` lanes over
// `depth` k, lane fastest (zero past `extent` lanes). Lane l at depth k is
// element l * lanePitch + k * kPitch of each source matrix. A's lanes are its
// rows (width MR), B's its columns (width NR).
PackedOperand packConstant(KernelContext& ctx, const GemmOperand& op, int64_t extent, int64_t depth,
                           int64_t width, int64_t lanePitch, int64_t kPitch, const char* name) {
  int64_t matrices = 0;
  const float* src = constantFloats(ctx, op, matrices);
  int64_t panels = ceilDiv(extent, width);
  std::vector<float> out(static_cast<size_t>(matrices * panels * depth * width), 0.0f);
  size_t i = 0;
  for (int64_t m = 0; m < matrices; ++m)
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t k = 0; k < depth; ++k)
        for (int64_t j = 0; j < width; ++j, ++i) {
          int64_t lane = p * width + j;
          if (lane < extent) out[i] = src[m * op.matrixElements + lane * lanePitch + k * kPitch];
        }
  return {embed(ctx, out, name), panels * depth * width, depth * width};
}

}  // namespace

PackedOperand packConstantA(KernelContext& ctx, const GemmOperand& a, int64_t M, int64_t K,
                            const GemmTiling& t) {
  return packConstant(ctx, a, M, K, t.mr, a.rowStride, a.colStride, "gemm_packed_a");
}

PackedOperand packConstantB(KernelContext& ctx, const GemmOperand& b, int64_t K, int64_t N,
                            const GemmTiling& t) {
  return packConstant(ctx, b, N, K, t.nr, b.colStride, b.rowStride, "gemm_packed_b");
}

void emitPackAPanel(KernelContext& ctx, const GemmOperand& a, llvm::Value* offset, llvm::Value* row0,
                    int64_t rows, llvm::Value* k0, llvm::Value* kc, llvm::Value* dst, const GemmTiling& t) {
  // dst[k * MR + i] = A[offset + (row0 + i) * rowStride + (k0 + k) * colStride]
  llvm::Value* first = add(ctx, add(ctx, offset, mul(ctx, row0, a.rowStride)), mul(ctx, k0, a.colStride));
  ctx.loop(ctx.i64(0), kc, 1, [&](llvm::Value* k) {
    llvm::Value* src = add(ctx, first, mul(ctx, k, a.colStride));
    llvm::Value* out = mul(ctx, k, t.mr);
    for (int64_t i = 0; i < rows; ++i)
      ctx.store(DType::F32, dst, add(ctx, out, i),
                ctx.load(DType::F32, a.buffer, add(ctx, src, i * a.rowStride)));
  });
}

void emitPackBPanel(KernelContext& ctx, const GemmOperand& op, llvm::Value* offset, llvm::Value* col0,
                    int64_t cols, llvm::Value* k0, llvm::Value* kc, llvm::Value* dst, const GemmTiling& t) {
  // dst[k * NR + j] = B[offset + (k0 + k) * rowStride + (col0 + j) * colStride], 0 for j >= cols
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Value* first = add(ctx, add(ctx, offset, mul(ctx, k0, op.rowStride)), mul(ctx, col0, op.colStride));
  auto* vecTy = llvm::FixedVectorType::get(b.getFloatTy(), static_cast<unsigned>(t.lanes));
  llvm::Value* zero = llvm::Constant::getNullValue(vecTy);
  ctx.loop(ctx.i64(0), kc, 1, [&](llvm::Value* k) {
    llvm::Value* src = add(ctx, first, mul(ctx, k, op.rowStride));
    llvm::Value* out = mul(ctx, k, t.nr);
    for (int64_t v = 0; v < t.nv; ++v) {
      llvm::Value* dstPtr = ctx.elementPtr(DType::F32, dst, add(ctx, out, v * t.lanes));
      int64_t valid = std::clamp<int64_t>(cols - v * t.lanes, 0, t.lanes);
      if (valid == 0) {
        b.CreateAlignedStore(zero, dstPtr, llvm::Align(4));
        continue;
      }
      if (op.colStride != 1) {
        llvm::Value* vec = zero;
        for (int64_t j = 0; j < valid; ++j)
          vec = b.CreateInsertElement(
              vec, ctx.load(DType::F32, op.buffer, add(ctx, src, (v * t.lanes + j) * op.colStride)), j);
        b.CreateAlignedStore(vec, dstPtr, llvm::Align(4));
        continue;
      }
      llvm::Value* srcPtr = ctx.elementPtr(DType::F32, op.buffer, add(ctx, src, v * t.lanes));
      llvm::Value* vec;
      if (valid == t.lanes) {
        vec = b.CreateAlignedLoad(vecTy, srcPtr, llvm::Align(4));
      } else {
        std::vector<llvm::Constant*> bits;
        for (int64_t j = 0; j < t.lanes; ++j) bits.push_back(b.getInt1(j < valid));
        vec = b.CreateMaskedLoad(vecTy, srcPtr, llvm::Align(4), llvm::ConstantVector::get(bits), zero);
      }
      b.CreateAlignedStore(vec, dstPtr, llvm::Align(4));
    }
  });
}

}  // namespace kiln::codegen
