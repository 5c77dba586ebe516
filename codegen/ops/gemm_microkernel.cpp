#include "codegen/ops/gemm_microkernel.h"

#include <llvm/IR/Intrinsics.h>

#include "codegen/ops/conv_ir.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

std::vector<llvm::Value*> emitGemmMicrokernel(KernelContext& ctx, const GemmTiling& t, int64_t rows,
                                              llvm::Value* kc, const GemmAPanel& a, llvm::Value* bPanel) {
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Type* f32 = b.getFloatTy();
  auto* vecTy = llvm::FixedVectorType::get(f32, static_cast<unsigned>(t.lanes));
  // Accumulators live in entry-block slots that LLVM promotes to registers.
  std::vector<llvm::AllocaInst*> slots;
  for (int64_t i = 0; i < rows * t.nv; ++i) {
    slots.push_back(entryAlloca(ctx, vecTy));
    b.CreateStore(llvm::Constant::getNullValue(vecTy), slots.back());
  }
  ctx.loop(ctx.i64(0), kc, 1, [&](llvm::Value* k) {
    llvm::Value* bRow = ctx.elementPtr(DType::F32, bPanel, convir::mul(ctx, k, t.nr));
    llvm::Value* aRow = ctx.elementPtr(DType::F32, a.base, convir::mul(ctx, k, a.kStride));
    std::vector<llvm::Value*> bv;
    for (int64_t v = 0; v < t.nv; ++v)
      bv.push_back(b.CreateAlignedLoad(vecTy, b.CreateConstInBoundsGEP1_64(f32, bRow, v * t.lanes),
                                       llvm::Align(4)));
    for (int64_t i = 0; i < rows; ++i) {
      llvm::Value* x =
          b.CreateAlignedLoad(f32, b.CreateConstInBoundsGEP1_64(f32, aRow, i * a.rowStride), llvm::Align(4));
      llvm::Value* splat = b.CreateVectorSplat(static_cast<unsigned>(t.lanes), x);
      for (int64_t v = 0; v < t.nv; ++v) {
        llvm::AllocaInst* slot = slots[i * t.nv + v];
        llvm::Value* acc = b.CreateLoad(vecTy, slot);
        b.CreateStore(ctx.callIntrinsic(llvm::Intrinsic::fmuladd, {splat, bv[v], acc}), slot);
      }
    }
  });
  std::vector<llvm::Value*> acc;
  for (llvm::AllocaInst* slot : slots) acc.push_back(b.CreateLoad(vecTy, slot));
  return acc;
}

}  // namespace kiln::codegen
