// Softmax (opset 13: normalizes along one axis), numerically stable:
//   y = exp(x - max) / sum(exp(x - max))
// The input is viewed as [outer, n, inner] with n the softmax axis; each outer
// slice is one parallel iteration.
#include <llvm/IR/Intrinsics.h>

#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// The axis is innermost (inner == 1): three passes over one contiguous row,
// with the max and the sum as scalar reductions.
void emitContiguousRow(KernelContext& ctx, DType t, llvm::Value* row, int64_t n) {
  llvm::Type* ty = ctx.llvmType(t);
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);
  ReassocScope reassoc(ctx);
  llvm::AllocaInst* maxSlot = entryAlloca(ctx, ty);
  ctx.b.CreateStore(lowestValue(ctx, t), maxSlot);
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* v = ctx.load(t, x, ctx.b.CreateNSWAdd(row, i));
    ctx.b.CreateStore(emitMax(ctx, t, ctx.b.CreateLoad(ty, maxSlot), v), maxSlot);
  });
  llvm::Value* mx = ctx.b.CreateLoad(ty, maxSlot);
  llvm::AllocaInst* sumSlot = entryAlloca(ctx, ty);
  ctx.b.CreateStore(ctx.constant(t, 0), sumSlot);
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* at = ctx.b.CreateNSWAdd(row, i);
    llvm::Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {ctx.b.CreateFSub(ctx.load(t, x, at), mx)});
    ctx.store(t, y, at, e);
    ctx.b.CreateStore(ctx.b.CreateFAdd(ctx.b.CreateLoad(ty, sumSlot), e), sumSlot);
  });
  llvm::Value* inv = ctx.b.CreateFDiv(ctx.constant(t, 1), ctx.b.CreateLoad(ty, sumSlot));
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* at = ctx.b.CreateNSWAdd(row, i);
    ctx.store(t, y, at, ctx.b.CreateFMul(ctx.load(t, y, at), inv));
  });
}

// The axis has a contiguous inner extent: process `width` adjacent lanes
// (columns j0..j0+width) at once, keeping per-lane max and sum in a stack
// scratch, so every inner loop is unit-stride over the lanes.
void emitLaneChunk(KernelContext& ctx, DType t, llvm::Value* slice, llvm::Value* j0, int64_t width,
                   int64_t n, int64_t inner, llvm::Value* maxLanes, llvm::Value* sumLanes) {
  llvm::Value* x = ctx.input(0);
  llvm::Value* y = ctx.output(0);
  // Element (i, lane c) of the chunk, and lane c of the scratch.
  auto at = [&](llvm::Value* i, llvm::Value* c) {
    return ctx.b.CreateNSWAdd(addScaled(ctx, ctx.b.CreateNSWAdd(slice, j0), i, inner), c);
  };
  auto forLanes = [&](const KernelContext::Body& body) { ctx.loop(0, width, body); };
  forLanes([&](llvm::Value* c) { ctx.store(t, maxLanes, c, lowestValue(ctx, t)); });
  ctx.loop(0, n, [&](llvm::Value* i) {
    forLanes([&](llvm::Value* c) {
      ctx.store(t, maxLanes, c, emitMax(ctx, t, ctx.load(t, maxLanes, c), ctx.load(t, x, at(i, c))));
    });
  });
  forLanes([&](llvm::Value* c) { ctx.store(t, sumLanes, c, ctx.constant(t, 0)); });
  ctx.loop(0, n, [&](llvm::Value* i) {
    forLanes([&](llvm::Value* c) {
      llvm::Value* d = ctx.b.CreateFSub(ctx.load(t, x, at(i, c)), ctx.load(t, maxLanes, c));
      llvm::Value* e = ctx.callIntrinsic(llvm::Intrinsic::exp, {d});
      ctx.store(t, y, at(i, c), e);
      ctx.store(t, sumLanes, c, ctx.b.CreateFAdd(ctx.load(t, sumLanes, c), e));
    });
  });
  forLanes([&](llvm::Value* c) {
    ctx.store(t, sumLanes, c, ctx.b.CreateFDiv(ctx.constant(t, 1), ctx.load(t, sumLanes, c)));
  });
  ctx.loop(0, n, [&](llvm::Value* i) {
    forLanes([&](llvm::Value* c) {
      ctx.store(t, y, at(i, c), ctx.b.CreateFMul(ctx.load(t, y, at(i, c)), ctx.load(t, sumLanes, c)));
    });
  });
}

}  // namespace

void emitSoftmax(KernelContext& ctx) {
  DType t = ctx.outputDType(0);
  requireLinalgDType(ctx, t, /*allowInt=*/false);
  std::vector<int64_t> shape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(shape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), rank);
  int64_t outer = product(shape, 0, axis), n = shape[axis], inner = product(shape, axis + 1, shape.size());
  // Softmax before opset 13 (imported with legacy_coerce_2d = 1) normalizes the
  // input viewed as 2-D [outer, everything from axis on]: one softmax over the
  // whole contiguous trailing block.
  if (ctx.attrs().getInt("legacy_coerce_2d", 0) != 0) {
    n = product(shape, axis, shape.size());
    inner = 1;
  }
  if (outer * n * inner == 0) return;

  // Scratch lanes for the inner > 1 case: bounded so the stack stays small.
  constexpr int64_t kMaxLanes = 256;
  int64_t lanes = std::min(inner, kMaxLanes);
  llvm::Value* maxLanes = inner > 1 ? entryAlloca(ctx, ctx.llvmType(t), lanes) : nullptr;
  llvm::Value* sumLanes = inner > 1 ? entryAlloca(ctx, ctx.llvmType(t), lanes) : nullptr;

  auto body = [&](llvm::Value* o) {
    llvm::Value* slice = ctx.b.CreateNSWMul(o, ctx.i64(n * inner));
    if (inner == 1) return emitContiguousRow(ctx, t, slice, n);
    int64_t fullChunks = inner / lanes, rest = inner % lanes;
    ctx.loop(0, fullChunks, [&](llvm::Value* chunk) {
      llvm::Value* j0 = ctx.b.CreateNSWMul(chunk, ctx.i64(lanes));
      emitLaneChunk(ctx, t, slice, j0, lanes, n, inner, maxLanes, sumLanes);
    });
    if (rest > 0) emitLaneChunk(ctx, t, slice, ctx.i64(fullChunks * lanes), rest, n, inner, maxLanes, sumLanes);
  };
  if (outer > 1 && worthParallel(outer * n * inner * 8)) ctx.parallelFor(outer, body);
  else ctx.loop(0, outer, body);
}

}  // namespace kiln::codegen
