// Pad kernel (ONNX Pad-19): every output element o maps, per axis, to the
// input coordinate c = o - pad_begin. Inside [0, n) the element is copied;
// outside, the mode decides:
//   constant  constant_value (input 2, read at run time; 0 when absent)
//   edge      clamp(c, 0, n - 1)
//   reflect   reflection about the first and last elements (period 2(n - 1))
//   wrap      c mod n
// Negative pads crop (c then never leaves [0, n)). The loop nest computes each
// axis' source coordinate once per iteration of that axis' loop.
#include <functional>

#include "codegen/kernel_context.h"
#include "codegen/ops/indexing_helpers.h"
#include "codegen/ops/loop_helpers.h"
#include "ir/shape_rules/pad_params.h"

namespace kiln::codegen {

namespace {

std::vector<int64_t> constantInts(const KernelContext& ctx, size_t i, const char* what) {
  if (!ctx.hasInput(i)) return {};
  return ctx.requireConstant(i, what).toInts();
}

// The input coordinate of c (i64) along an axis of length n > 0 for modes
// other than constant.
llvm::Value* sourceCoordinate(KernelContext& ctx, ir::PadMode mode, llvm::Value* c, int64_t n) {
  llvm::IRBuilder<>& b = ctx.b;
  auto positiveMod = [&](llvm::Value* v, int64_t m) {
    llvm::Value* r = b.CreateSRem(v, ctx.i64(m));
    return b.CreateSelect(b.CreateICmpSLT(r, ctx.i64(0)), b.CreateAdd(r, ctx.i64(m)), r);
  };
  switch (mode) {
    case ir::PadMode::Edge: {
      llvm::Value* lo = b.CreateSelect(b.CreateICmpSLT(c, ctx.i64(0)), ctx.i64(0), c);
      return b.CreateSelect(b.CreateICmpSGT(lo, ctx.i64(n - 1)), ctx.i64(n - 1), lo);
    }
    case ir::PadMode::Wrap: return positiveMod(c, n);
    case ir::PadMode::Reflect: {
      if (n == 1) return ctx.i64(0);
      int64_t period = 2 * (n - 1);
      llvm::Value* m = positiveMod(c, period);
      return b.CreateSelect(b.CreateICmpSGE(m, ctx.i64(n)), b.CreateSub(ctx.i64(period), m), m);
    }
    case ir::PadMode::Constant: break;
  }
  return c;
}

}  // namespace

void emitPad(KernelContext& ctx) {
  std::vector<int64_t> inShape = ctx.inputShape(0), outShape = ctx.outputShape(0);
  auto rank = static_cast<int64_t>(inShape.size());
  ir::PadMode mode = ir::parsePadMode(ctx, ctx.attrs().getString("mode", "constant"));
  std::vector<int64_t> pads = ir::resolvePads(ctx, rank, constantInts(ctx, 1, "pads"), constantInts(ctx, 3, "axes"));
  if (outShape.size() != inShape.size()) ctx.fail("output rank does not match the input's");
  for (size_t d = 0; d < inShape.size(); ++d)
    if (outShape[d] != inShape[d] + pads[d] + pads[d + inShape.size()])
      ctx.fail("output dim {} does not match the pads", d);
  int64_t count = product(outShape);
  if (count == 0) return;

  DType t = bitsType(ctx, ctx.outputDType(0));
  llvm::Value* fill = ctx.constant(t, 0);  // all-zero bits: 0 in every dtype
  if (mode == ir::PadMode::Constant && ctx.hasInput(2)) {
    if (ctx.inputType(2).numElements() != 1) ctx.fail("constant_value must have one element");
    fill = ctx.load(t, ctx.input(2), ctx.i64(0));
  }
  if (product(inShape) == 0) {
    if (mode != ir::PadMode::Constant) ctx.fail("cannot pad an empty input in a mode other than constant");
    emitFill(ctx, t, ctx.output(0), count, fill);
    return;
  }

  std::vector<int64_t> inStrides = stridesOf(inShape), outStrides = stridesOf(outShape);
  llvm::IRBuilder<>& b = ctx.b;
  bool parallel = worthParallel(count * static_cast<int64_t>(dtypeSize(t)) / 2);
  size_t parallelDim = outShape.size();
  if (parallel)
    for (size_t d = 0; d < outShape.size() && parallelDim == outShape.size(); ++d)
      if (outShape[d] > 1) parallelDim = d;
  // valid: whether every coordinate so far lies inside the input (constant mode).
  std::function<void(size_t, llvm::Value*, llvm::Value*, llvm::Value*)> level =
      [&](size_t d, llvm::Value* src, llvm::Value* dst, llvm::Value* valid) {
        if (d == outShape.size()) {
          llvm::Value* v = ctx.load(t, ctx.input(0), src);
          if (valid) v = b.CreateSelect(valid, v, fill);
          ctx.store(t, ctx.output(0), dst, v);
          return;
        }
        int64_t begin = pads[d], n = inShape[d];
        auto step = [&, d, src, dst, valid](llvm::Value* o) {
          llvm::Value* c = begin == 0 ? o : b.CreateSub(o, ctx.i64(begin));
          llvm::Value* from = c;
          llvm::Value* inside = valid;
          bool padded = begin > 0 || outShape[d] - begin > n;  // some c outside [0, n)
          if (padded && mode == ir::PadMode::Constant) {
            llvm::Value* ok = b.CreateICmpULT(c, ctx.i64(n));  // 0 <= c < n
            from = b.CreateSelect(ok, c, ctx.i64(0));
            inside = inside ? b.CreateAnd(inside, ok) : ok;
          } else if (padded) {
            from = sourceCoordinate(ctx, mode, c, n);
          }
          level(d + 1, addScaled(ctx, src, from, inStrides[d]), addScaled(ctx, dst, o, outStrides[d]), inside);
        };
        if (d == parallelDim) ctx.parallelFor(outShape[d], step);
        else ctx.loop(0, outShape[d], step);
      };
  level(0, ctx.i64(0), ctx.i64(0), nullptr);
}

}  // namespace kiln::codegen
