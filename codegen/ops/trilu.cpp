// Trilu (ONNX opset 14): keeps the upper (upper = 1, the default) or lower
// triangle of each matrix in the last two dims and zeroes the rest. Diagonal
// offset k (optional input 1, default 0, may be known only at run time):
// upper keeps element (i, j) when j - i >= k, lower when j - i <= k.
//
// Each row is two runs split at a clamped column c: upper zeroes [0, c) and
// copies [c, M) with c = i + k; lower copies [0, c) and zeroes [c, M) with
// c = i + k + 1. Elements are moved as raw bits, so every dtype works.
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

using llvm::Value;

void emitTrilu(KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 2) ctx.fail("input must have rank >= 2");
  DType t = bitsType(ctx, ctx.inputDType(0));
  bool upper = ctx.attrs().getInt("upper", 1) != 0;
  int64_t N = shape[shape.size() - 2], M = shape.back();
  int64_t rows = product(shape, 0, shape.size() - 1);
  if (rows * M == 0) return;
  llvm::IRBuilder<>& b = ctx.b;

  // k clamped to [-(N + M), N + M], beyond which it changes nothing, so that
  // i + k cannot overflow.
  Value* k = ctx.i64(0);
  if (ctx.hasInput(1)) {
    if (const ir::TensorData* c = ctx.inputConstant(1)) {
      if (c->numElements() != 1) ctx.fail("k must hold one value");
      k = ctx.i64(std::clamp<int64_t>(c->intAt(0), -(N + M), N + M));
    } else {
      if (ctx.inputDType(1) != DType::I64 || ctx.inputType(1).numElements() != 1)
        ctx.fail("k must be one int64 value");
      Value* kv = ctx.load(DType::I64, ctx.input(1), ctx.i64(0));
      kv = b.CreateSelect(b.CreateICmpSLT(kv, ctx.i64(-(N + M))), ctx.i64(-(N + M)), kv);
      k = b.CreateSelect(b.CreateICmpSGT(kv, ctx.i64(N + M)), ctx.i64(N + M), kv);
    }
  }

  Value* x = ctx.input(0);
  Value* y = ctx.output(0);
  Value* zero = ctx.constant(t, 0);
  auto body = [&](Value* r) {
    Value* i = N == 1 ? ctx.i64(0) : b.CreateURem(r, ctx.i64(N));
    Value* c = b.CreateNSWAdd(i, upper ? k : b.CreateNSWAdd(k, ctx.i64(1)));
    c = b.CreateSelect(b.CreateICmpSLT(c, ctx.i64(0)), ctx.i64(0), c);
    c = b.CreateSelect(b.CreateICmpSGT(c, ctx.i64(M)), ctx.i64(M), c);
    Value* row = b.CreateNSWMul(r, ctx.i64(M));
    auto copy = [&](Value* j) {
      Value* at = b.CreateNSWAdd(row, j);
      ctx.store(t, y, at, ctx.load(t, x, at));
    };
    auto clear = [&](Value* j) { ctx.store(t, y, b.CreateNSWAdd(row, j), zero); };
    ctx.loop(ctx.i64(0), c, 1, upper ? KernelContext::Body(clear) : KernelContext::Body(copy));
    ctx.loop(c, ctx.i64(M), 1, upper ? KernelContext::Body(copy) : KernelContext::Body(clear));
  };
  if (rows > 1 && worthParallel(rows * M)) ctx.parallelFor(rows, body);
  else ctx.loop(0, rows, body);
}

}  // namespace kiln::codegen
