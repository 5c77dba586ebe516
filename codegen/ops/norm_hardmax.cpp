// Hardmax (opset 13): 1 at the first maximum along `axis`, 0 elsewhere (the
// one-hot of numpy's argmax, so a NaN counts as the maximum). Opset < 13
// nodes take the max over the input coerced to 2-D, like Softmax (see
// softmaxAxisView). The input is viewed as [outer, n, inner]; each outer
// slice is one parallel iteration.
#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_softmax.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"

namespace kiln::codegen {

void emitHardmax(KernelContext& ctx) {
  DType t = ctx.outputDType(0), ct = floatComputeType(ctx, t);
  AxisView view = softmaxAxisView(ctx);
  int64_t outer = view.outer, n = view.n, inner = view.inner;
  if (outer * n * inner == 0) return;
  llvm::Type* ty = ctx.llvmType(ct);
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);
  llvm::AllocaInst* best = entryAlloca(ctx, ty);
  llvm::AllocaInst* bestAt = entryAlloca(ctx, ctx.b.getInt64Ty());

  auto body = [&](llvm::Value* o) {
    llvm::Value* slice = ctx.b.CreateNSWMul(o, ctx.i64(n * inner));
    ctx.loop(0, n * inner, [&](llvm::Value* i) {
      ctx.store(t, y, ctx.b.CreateNSWAdd(slice, i), ctx.constant(t, 0));
    });
    ctx.loop(0, inner, [&](llvm::Value* j) {
      llvm::Value* first = ctx.b.CreateNSWAdd(slice, j);
      ctx.b.CreateStore(loadAs(ctx, t, ct, x, first), best);
      ctx.b.CreateStore(first, bestAt);
      ctx.loop(1, n, [&](llvm::Value* i) {
        llvm::Value* at = addScaled(ctx, first, i, inner);
        llvm::Value* v = loadAs(ctx, t, ct, x, at);
        llvm::Value* b = ctx.b.CreateLoad(ty, best);
        // v wins when greater, or when it is the first NaN.
        llvm::Value* firstNaN = ctx.b.CreateAnd(ctx.b.CreateFCmpUNO(v, v), ctx.b.CreateFCmpORD(b, b));
        llvm::Value* wins = ctx.b.CreateOr(ctx.b.CreateFCmpOGT(v, b), firstNaN);
        ctx.b.CreateStore(ctx.b.CreateSelect(wins, v, b), best);
        ctx.b.CreateStore(ctx.b.CreateSelect(wins, at, ctx.b.CreateLoad(ctx.b.getInt64Ty(), bestAt)), bestAt);
      });
      ctx.store(t, y, ctx.b.CreateLoad(ctx.b.getInt64Ty(), bestAt), ctx.constant(t, 1));
    });
  };
  if (outer > 1 && worthParallel(outer * n * inner * 2)) ctx.parallelFor(outer, body);
  else ctx.loop(0, outer, body);
}

}  // namespace kiln::codegen
