// Conv with pool_input (ir/pool_input.h): a 1x1 conv over the channel means of
// X, in one kernel. Per batch item it reduces each channel plane to its mean
// (in a stack array of C floats), then computes each output channel's dot
// product with W's row, adds the bias and applies the epilogue. The tensors
// are small (squeeze-excitation: C <= a few hundred), so one task per batch
// item; the win is one kernel launch instead of two and no round trip of the
// pooled tensor through the arena.
#include <llvm/IR/Instructions.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/epilogue.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// acc += x with reassociation allowed, so LLVM may vectorize the loop.
void accumulate(KernelContext& ctx, llvm::AllocaInst* acc, llvm::Value* x) {
  llvm::Value* v = ctx.b.CreateFAdd(ctx.b.CreateLoad(ctx.b.getFloatTy(), acc), x);
  llvm::cast<llvm::Instruction>(v)->setHasAllowReassoc(true);
  ctx.b.CreateStore(v, acc);
}

}  // namespace

void emitPooledConv(KernelContext& ctx) {
  using namespace convir;
  if (ctx.inputDType(0) != DType::F32) ctx.fail("pool_input is implemented for float32 only");
  std::vector<int64_t> x = ctx.inputShape(0), w = ctx.inputShape(1);
  if (x.size() != 4 || w.size() != 4 || w[2] != 1 || w[3] != 1 || w[1] != x[1] ||
      ctx.attrs().getInt("group", 1) != 1)
    ctx.fail("pool_input needs a 4-D X, a 1x1 W over all of X's channels and group 1");
  int64_t batch = x[0], channels = x[1], plane = x[2] * x[3], outChannels = w[0];
  if (batch == 0 || outChannels == 0) return;
  if (plane == 0) ctx.fail("X has an empty spatial plane");

  Epilogue epilogue(ctx, /*spanDims=*/2);
  llvm::Type* f32 = ctx.b.getFloatTy();
  llvm::AllocaInst* means = entryAlloca(ctx, f32, channels);
  llvm::AllocaInst* acc = entryAlloca(ctx, f32);
  ctx.parallelFor(batch, [&](llvm::Value* n) {
    ctx.loop(0, channels, [&](llvm::Value* c) {
      llvm::Value* base = mul(ctx, add(ctx, mul(ctx, n, channels), c), plane);
      ctx.b.CreateStore(ctx.f32(0), acc);
      ctx.loop(0, plane, [&](llvm::Value* i) { accumulate(ctx, acc, ctx.load(DType::F32, ctx.input(0), add(ctx, base, i))); });
      llvm::Value* mean = ctx.b.CreateFDiv(ctx.b.CreateLoad(f32, acc), ctx.f32(static_cast<float>(plane)));
      ctx.store(DType::F32, means, c, mean);
    });
    ctx.loop(0, outChannels, [&](llvm::Value* o) {
      ctx.b.CreateStore(ctx.hasInput(2) ? ctx.load(DType::F32, ctx.input(2), o) : ctx.f32(0), acc);
      ctx.loop(0, channels, [&](llvm::Value* c) {
        llvm::Value* wv = ctx.load(DType::F32, ctx.input(1), add(ctx, mul(ctx, o, channels), c));
        accumulate(ctx, acc, ctx.b.CreateFMul(wv, ctx.load(DType::F32, means, c)));
      });
      llvm::Value* index = add(ctx, mul(ctx, n, outChannels), o);
      llvm::Value* y = ctx.b.CreateLoad(f32, acc);
      if (!epilogue.empty()) y = epilogue.apply(y, index, nullptr);
      ctx.store(DType::F32, ctx.output(0), index, y);
    });
  });
}

}  // namespace kiln::codegen
