// GlobalAveragePool and GlobalMaxPool: one reduction over the spatial plane of
// each (n, c), one plane per task. The accumulator lives in a stack slot that
// LLVM promotes to a register; the additions may be reassociated so that the
// loop vectorizes into several partial sums.
#include <llvm/IR/Function.h>

#include <limits>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

void emitGlobalPool(KernelContext& ctx, bool isMax) {
  using namespace convir;
  DType dt = requireFloatKernel(ctx, ctx.inputDType(0));
  std::vector<int64_t> x = ctx.inputShape(0);
  if (x.size() < 3) ctx.fail("X must have rank >= 3, got {}", x.size());
  int64_t planes = x[0] * x[1], plane = 1;
  for (size_t i = 2; i < x.size(); ++i) plane *= x[i];
  if (planes == 0) return;
  if (plane == 0) ctx.fail("X has an empty spatial plane");

  llvm::Function* fn = ctx.b.GetInsertBlock()->getParent();
  llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
  llvm::AllocaInst* acc = entry.CreateAlloca(ctx.llvmType(dt));

  ctx.parallelFor(planes, [&](llvm::Value* p) {
    llvm::Value* base = mul(ctx, p, plane);
    ctx.b.CreateStore(isMax ? ctx.constant(dt, -std::numeric_limits<double>::infinity())
                            : ctx.constant(dt, 0),
                      acc);
    ctx.loop(0, plane, [&](llvm::Value* i) {
      llvm::Value* xv = ctx.load(dt, ctx.input(0), add(ctx, base, i));
      llvm::Value* a = ctx.b.CreateLoad(ctx.llvmType(dt), acc);
      llvm::Value* v;
      if (isMax) {
        v = ctx.maxF(a, xv);
      } else {
        v = ctx.b.CreateFAdd(a, xv);
        llvm::cast<llvm::Instruction>(v)->setHasAllowReassoc(true);
      }
      ctx.b.CreateStore(v, acc);
    });
    llvm::Value* r = ctx.b.CreateLoad(ctx.llvmType(dt), acc);
    if (!isMax) r = ctx.b.CreateFDiv(r, ctx.constant(dt, static_cast<double>(plane)));
    ctx.store(dt, ctx.output(0), p, r);
  });
}

}  // namespace

void emitGlobalAveragePool(KernelContext& ctx) { emitGlobalPool(ctx, false); }
void emitGlobalMaxPool(KernelContext& ctx) { emitGlobalPool(ctx, true); }

}  // namespace kiln::codegen
