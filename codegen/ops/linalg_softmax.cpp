// Softmax and LogSoftmax (opset 13: normalize along one axis), numerically stable:
//   softmax     y = exp(x - max) / sum(exp(x - max))
//   logsoftmax  y = (x - max) - log(sum(exp(x - max)))
// The input is viewed as [outer, n, inner] with n the softmax axis; each outer
// slice is one parallel iteration. Three passes per row: the max, then exp and
// the sum (storing exp(x - max), or x - max for logsoftmax, in y), then the
// scaling. f16/bf16 are computed in f32; since storing the intermediate in y
// would round it, the last pass recomputes it from x instead.
#include "codegen/ops/linalg_softmax.h"

#include <llvm/IR/Intrinsics.h>

#include <algorithm>

#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/norm_moments.h"
#include "codegen/ops/vector_math.h"

namespace kiln::codegen {

namespace {

struct Plan {
  SoftmaxKind kind;
  DType t;   // storage dtype of x and y
  DType ct;  // compute dtype
  llvm::Value* x;
  llvm::Value* y;
  bool recompute() const { return t != ct; }
};

llvm::Value* loadC(KernelContext& ctx, const Plan& p, llvm::Value* base, llvm::Value* at) {
  return ctx.convert(ctx.load(p.t, base, at), p.t, p.ct);
}

void storeC(KernelContext& ctx, const Plan& p, llvm::Value* at, llvm::Value* v) {
  ctx.store(p.t, p.y, at, ctx.convert(v, p.ct, p.t));
}

// float32 uses the inline exp, which lets LLVM vectorize the row loops.
llvm::Value* expOf(KernelContext& ctx, llvm::Value* d) {
  if (d->getType()->getScalarType()->isFloatTy()) return emitFastExp(ctx, d);
  return ctx.callIntrinsic(llvm::Intrinsic::exp, {d});
}

// What y holds between the passes, given d = x - max: exp(d) or d.
llvm::Value* intermediate(KernelContext& ctx, const Plan& p, llvm::Value* d, llvm::Value* e) {
  return p.kind == SoftmaxKind::Softmax ? (e ? e : expOf(ctx, d)) : d;
}

// The per-row factor of the last pass: 1 / sum, or log(sum).
llvm::Value* rowFactor(KernelContext& ctx, const Plan& p, llvm::Value* sum) {
  if (p.kind == SoftmaxKind::Softmax) return ctx.b.CreateFDiv(ctx.constant(p.ct, 1), sum);
  return ctx.callIntrinsic(llvm::Intrinsic::log, {sum});
}

llvm::Value* finish(KernelContext& ctx, const Plan& p, llvm::Value* v, llvm::Value* factor) {
  return p.kind == SoftmaxKind::Softmax ? ctx.b.CreateFMul(v, factor) : ctx.b.CreateFSub(v, factor);
}

// The axis is innermost (inner == 1): three passes over one contiguous row,
// with the max and the sum as scalar reductions.
void emitContiguousRow(KernelContext& ctx, const Plan& p, llvm::Value* row, int64_t n) {
  llvm::Type* ty = ctx.llvmType(p.ct);
  ReassocScope reassoc(ctx);
  llvm::AllocaInst* maxSlot = entryAlloca(ctx, ty);
  ctx.b.CreateStore(lowestValue(ctx, p.ct), maxSlot);
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* v = loadC(ctx, p, p.x, ctx.b.CreateNSWAdd(row, i));
    ctx.b.CreateStore(emitMax(ctx, p.ct, ctx.b.CreateLoad(ty, maxSlot), v), maxSlot);
  });
  llvm::Value* mx = ctx.b.CreateLoad(ty, maxSlot);
  llvm::AllocaInst* sumSlot = entryAlloca(ctx, ty);
  ctx.b.CreateStore(ctx.constant(p.ct, 0), sumSlot);
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* at = ctx.b.CreateNSWAdd(row, i);
    llvm::Value* d = ctx.b.CreateFSub(loadC(ctx, p, p.x, at), mx);
    llvm::Value* e = expOf(ctx, d);
    if (!p.recompute()) storeC(ctx, p, at, intermediate(ctx, p, d, e));
    ctx.b.CreateStore(ctx.b.CreateFAdd(ctx.b.CreateLoad(ty, sumSlot), e), sumSlot);
  });
  llvm::Value* factor = rowFactor(ctx, p, ctx.b.CreateLoad(ty, sumSlot));
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* at = ctx.b.CreateNSWAdd(row, i);
    llvm::Value* v = p.recompute()
                         ? intermediate(ctx, p, ctx.b.CreateFSub(loadC(ctx, p, p.x, at), mx), nullptr)
                         : loadC(ctx, p, p.y, at);
    storeC(ctx, p, at, finish(ctx, p, v, factor));
  });
}

// The axis has a contiguous inner extent: process `width` adjacent lanes
// (columns j0..j0+width) at once, keeping per-lane max and sum in a stack
// scratch, so every inner loop is unit-stride over the lanes.
void emitLaneChunk(KernelContext& ctx, const Plan& p, llvm::Value* slice, llvm::Value* j0, int64_t width,
                   int64_t n, int64_t inner, llvm::Value* maxLanes, llvm::Value* sumLanes) {
  DType ct = p.ct;
  // Element (i, lane c) of the chunk, and lane c of the scratch.
  auto at = [&](llvm::Value* i, llvm::Value* c) {
    return ctx.b.CreateNSWAdd(addScaled(ctx, ctx.b.CreateNSWAdd(slice, j0), i, inner), c);
  };
  auto forLanes = [&](const KernelContext::Body& body) { ctx.loop(0, width, body); };
  auto diff = [&](llvm::Value* i, llvm::Value* c) {
    return ctx.b.CreateFSub(loadC(ctx, p, p.x, at(i, c)), ctx.load(ct, maxLanes, c));
  };
  forLanes([&](llvm::Value* c) { ctx.store(ct, maxLanes, c, lowestValue(ctx, ct)); });
  ctx.loop(0, n, [&](llvm::Value* i) {
    forLanes([&](llvm::Value* c) {
      ctx.store(ct, maxLanes, c, emitMax(ctx, ct, ctx.load(ct, maxLanes, c), loadC(ctx, p, p.x, at(i, c))));
    });
  });
  forLanes([&](llvm::Value* c) { ctx.store(ct, sumLanes, c, ctx.constant(ct, 0)); });
  ctx.loop(0, n, [&](llvm::Value* i) {
    forLanes([&](llvm::Value* c) {
      llvm::Value* d = diff(i, c);
      llvm::Value* e = expOf(ctx, d);
      if (!p.recompute()) storeC(ctx, p, at(i, c), intermediate(ctx, p, d, e));
      ctx.store(ct, sumLanes, c, ctx.b.CreateFAdd(ctx.load(ct, sumLanes, c), e));
    });
  });
  forLanes([&](llvm::Value* c) { ctx.store(ct, sumLanes, c, rowFactor(ctx, p, ctx.load(ct, sumLanes, c))); });
  ctx.loop(0, n, [&](llvm::Value* i) {
    forLanes([&](llvm::Value* c) {
      llvm::Value* v =
          p.recompute() ? intermediate(ctx, p, diff(i, c), nullptr) : loadC(ctx, p, p.y, at(i, c));
      storeC(ctx, p, at(i, c), finish(ctx, p, v, ctx.load(ct, sumLanes, c)));
    });
  });
}

}  // namespace

AxisView softmaxAxisView(const KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(shape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), rank);
  AxisView v{product(shape, 0, axis), shape[axis], product(shape, axis + 1, shape.size())};
  // Before opset 13 (imported with legacy_coerce_2d = 1) these ops normalize
  // the input viewed as 2-D [outer, everything from axis on]: one softmax over
  // the whole contiguous trailing block.
  if (ctx.attrs().getInt("legacy_coerce_2d", 0) != 0) {
    v.n = product(shape, axis, shape.size());
    v.inner = 1;
  }
  return v;
}

void emitSoftmaxAlong(KernelContext& ctx, SoftmaxKind kind, DType t, llvm::Value* x, llvm::Value* y,
                      AxisView view, bool allowParallel) {
  Plan p{kind, t, floatComputeType(ctx, t), x, y};
  int64_t outer = view.outer, n = view.n, inner = view.inner;
  if (outer * n * inner == 0) return;

  // Scratch lanes for the inner > 1 case: bounded so the stack stays small.
  constexpr int64_t kMaxLanes = 256;
  int64_t lanes = std::min(inner, kMaxLanes);
  llvm::Value* maxLanes = inner > 1 ? entryAlloca(ctx, ctx.llvmType(p.ct), lanes) : nullptr;
  llvm::Value* sumLanes = inner > 1 ? entryAlloca(ctx, ctx.llvmType(p.ct), lanes) : nullptr;

  auto body = [&](llvm::Value* o) {
    llvm::Value* slice = ctx.b.CreateNSWMul(o, ctx.i64(n * inner));
    if (inner == 1) return emitContiguousRow(ctx, p, slice, n);
    int64_t fullChunks = inner / lanes, rest = inner % lanes;
    ctx.loop(0, fullChunks, [&](llvm::Value* chunk) {
      llvm::Value* j0 = ctx.b.CreateNSWMul(chunk, ctx.i64(lanes));
      emitLaneChunk(ctx, p, slice, j0, lanes, n, inner, maxLanes, sumLanes);
    });
    if (rest > 0)
      emitLaneChunk(ctx, p, slice, ctx.i64(fullChunks * lanes), rest, n, inner, maxLanes, sumLanes);
  };
  if (allowParallel && outer > 1 && worthParallel(outer * n * inner * 8)) ctx.parallelFor(outer, body);
  else ctx.loop(0, outer, body);
}

void emitSoftmax(KernelContext& ctx) {
  emitSoftmaxAlong(ctx, SoftmaxKind::Softmax, ctx.outputDType(0), ctx.input(0), ctx.output(0),
                   softmaxAxisView(ctx), /*allowParallel=*/true);
}

void emitLogSoftmax(KernelContext& ctx) {
  emitSoftmaxAlong(ctx, SoftmaxKind::LogSoftmax, ctx.outputDType(0), ctx.input(0), ctx.output(0),
                   softmaxAxisView(ctx), /*allowParallel=*/true);
}

}  // namespace kiln::codegen
