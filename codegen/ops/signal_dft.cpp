// Fourier transforms, ONNX DFT-17 and STFT-17.
//   DFT:  along `axis`, X[k] = sum_j x[j] e^{-2 pi i j k / L} (inverse: e^{+...} / L),
//         L = dft_length (input zero-padded or truncated to it), or the axis
//         length; onesided keeps bins 0 .. L/2.
//   STFT: frame f of the signal is x[f * frame_step + j], j < frame_length,
//         times the window; each frame is transformed as DFT does.
// Real inputs have a trailing dim of 1, complex ones of 2; outputs are complex.
// Naive O(L^2) transforms accumulated in f64 (codegen/ops/signal_common.cpp);
// each independent sequence is one parallel iteration.
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/signal_common.h"
#include "ir/shape_rules/signal_params.h"

namespace kiln::codegen {

namespace {

int64_t constantScalar(const KernelContext& ctx, size_t i, const char* what) {
  std::vector<int64_t> v = ctx.requireConstant(i, what).toInts();
  if (v.size() != 1) ctx.fail("{} must be a scalar", what);
  return v[0];
}

void requireFloat(const KernelContext& ctx, DType t) {
  if (!isFloat(t)) ctx.fail("unsupported: dtype {}", dtypeName(t));
}

// Runs body over [0, rows), in parallel when the work pays for it.
void forRows(KernelContext& ctx, int64_t rows, int64_t workPerRow, const KernelContext::Body& body) {
  if (rows > 1 && worthParallel(rows * workPerRow)) ctx.parallelFor(rows, body);
  else ctx.loop(0, rows, body);
}

}  // namespace

void emitDFT(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ot = ctx.outputDType(0);
  requireFloat(ctx, t);
  ir::DftParams p = ir::readDftParams(ctx);
  std::vector<int64_t> xs = ctx.inputShape(0), ys = ctx.outputShape(0);
  size_t axis = ir::dftAxis(ctx, p, static_cast<int64_t>(xs.size()));
  int64_t comps = xs.back(), nIn = xs[axis], bins = ys[axis];
  int64_t outer = product(xs, 0, axis), inner = product(xs, axis + 1, xs.size() - 1);
  int64_t length = ctx.hasInput(1) ? constantScalar(ctx, 1, "dft_length") : nIn;
  if (comps != 1 && comps != 2) ctx.fail("input's last dim is {}, expected 1 or 2", comps);
  if (length <= 0) ctx.fail("dft_length = {} must be positive", length);
  int64_t n = std::min(nIn, length);
  if (outer * inner * bins == 0) return;
  forRows(ctx, outer * inner, bins * n * 8, [&](llvm::Value* r) {
    llvm::Value* o = ctx.b.CreateUDiv(r, ctx.i64(inner));
    llvm::Value* i = ctx.b.CreateURem(r, ctx.i64(inner));
    llvm::Value* xBase = addScaled(ctx, ctx.b.CreateNSWMul(o, ctx.i64(nIn * inner)), i, 1);
    llvm::Value* yBase = addScaled(ctx, ctx.b.CreateNSWMul(o, ctx.i64(bins * inner)), i, 1);
    auto sample = [&](llvm::Value* j) -> std::pair<llvm::Value*, llvm::Value*> {
      llvm::Value* at = ctx.b.CreateNSWMul(addScaled(ctx, xBase, j, inner), ctx.i64(comps));
      llvm::Value* re = ctx.convert(ctx.load(t, ctx.input(0), at), t, DType::F64);
      if (comps == 1) return {re, ctx.constant(DType::F64, 0)};
      llvm::Value* im = ctx.load(t, ctx.input(0), ctx.b.CreateNSWAdd(at, ctx.i64(1)));
      return {re, ctx.convert(im, t, DType::F64)};
    };
    emitDftBins(
        ctx, length, n, bins, p.inverse, sample, [&](llvm::Value* k, llvm::Value* re, llvm::Value* im) {
          llvm::Value* at = ctx.b.CreateNSWMul(addScaled(ctx, yBase, k, inner), ctx.i64(2));
          ctx.store(ot, ctx.output(0), at, ctx.convert(re, DType::F64, ot));
          ctx.store(ot, ctx.output(0), ctx.b.CreateNSWAdd(at, ctx.i64(1)), ctx.convert(im, DType::F64, ot));
        });
  });
}

void emitSTFT(KernelContext& ctx) {
  DType t = ctx.inputDType(0), ot = ctx.outputDType(0);
  requireFloat(ctx, t);
  ir::StftParams p =
      ir::readStftParams(ctx, [&](size_t i, const char* what) { return constantScalar(ctx, i, what); });
  std::vector<int64_t> xs = ctx.inputShape(0), ys = ctx.outputShape(0);
  if (xs.size() != 3 || ys.size() != 4) ctx.fail("signal must have rank 3");
  int64_t len = xs[1], comps = xs[2], frames = ys[1], bins = ys[2], length = p.frameLength;
  if (comps != 1 && comps != 2) ctx.fail("signal's last dim is {}, expected 1 or 2", comps);
  if (frames > 0 && (frames - 1) * p.frameStep + length > len) ctx.fail("frames run past the signal");
  if (xs[0] * frames * bins == 0) return;
  forRows(ctx, xs[0] * frames, bins * length * 8, [&](llvm::Value* r) {
    llvm::Value* batch = ctx.b.CreateUDiv(r, ctx.i64(frames));
    llvm::Value* f = ctx.b.CreateURem(r, ctx.i64(frames));
    llvm::Value* xBase = addScaled(ctx, ctx.b.CreateNSWMul(batch, ctx.i64(len)), f, p.frameStep);
    llvm::Value* yBase = ctx.b.CreateNSWMul(r, ctx.i64(bins));
    auto sample = [&](llvm::Value* j) -> std::pair<llvm::Value*, llvm::Value*> {
      llvm::Value* at = ctx.b.CreateNSWMul(ctx.b.CreateNSWAdd(xBase, j), ctx.i64(comps));
      llvm::Value* re = ctx.convert(ctx.load(t, ctx.input(0), at), t, DType::F64);
      llvm::Value* im =
          comps == 1
              ? ctx.constant(DType::F64, 0)
              : ctx.convert(ctx.load(t, ctx.input(0), ctx.b.CreateNSWAdd(at, ctx.i64(1))), t, DType::F64);
      if (ctx.hasInput(2)) {
        llvm::Value* w = ctx.convert(ctx.load(t, ctx.input(2), j), t, DType::F64);
        re = ctx.b.CreateFMul(re, w);
        im = ctx.b.CreateFMul(im, w);
      }
      return {re, im};
    };
    emitDftBins(
        ctx, length, length, bins, false, sample, [&](llvm::Value* k, llvm::Value* re, llvm::Value* im) {
          llvm::Value* at = ctx.b.CreateNSWMul(ctx.b.CreateNSWAdd(yBase, k), ctx.i64(2));
          ctx.store(ot, ctx.output(0), at, ctx.convert(re, DType::F64, ot));
          ctx.store(ot, ctx.output(0), ctx.b.CreateNSWAdd(at, ctx.i64(1)), ctx.convert(im, DType::F64, ot));
        });
  });
}

}  // namespace kiln::codegen
