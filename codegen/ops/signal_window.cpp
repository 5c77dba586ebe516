// Window functions and the mel filter bank, ONNX opset 17:
//   HannWindow:     w[n] = 0.5 - 0.5 cos(2 pi n / N)
//   HammingWindow:  w[n] = 25/46 - 21/46 cos(2 pi n / N)
//   BlackmanWindow: w[n] = 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)
//   with N = size when periodic (the default), size - 1 otherwise.
//   MelWeightMatrix: [dft_length / 2 + 1, num_mel_bins] triangular filters
//   whose corners are num_mel_bins + 2 points equally spaced on the mel scale
//   (mel = 2595 log10(1 + hz / 700)) between lower_edge_hertz and
//   upper_edge_hertz, each mapped to the spectrogram bin
//   floor((dft_length + 1) * hz / sample_rate).
// Computed in f64 and converted to output_datatype.
#include <llvm/IR/Intrinsics.h>

#include <numbers>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N)
void emitCosineWindow(KernelContext& ctx, double a0, double a1, double a2) {
  DType ot = ctx.outputDType(0);
  int64_t size = ctx.outputShape(0)[0];
  bool periodic = ctx.attrs().getInt("periodic", 1) != 0;
  // A one-point symmetric window has N = 0: 0 / 0 makes it NaN, as the
  // formula (and ONNX Runtime) give.
  double n = static_cast<double>(periodic ? size : size - 1);
  ctx.loop(0, size, [&](llvm::Value* i) {
    llvm::Value* turn = ctx.b.CreateFMul(ctx.convert(i, DType::I64, DType::F64),
                                         ctx.constant(DType::F64, 2 * std::numbers::pi));
    llvm::Value* angle = ctx.b.CreateFDiv(turn, ctx.constant(DType::F64, n));
    llvm::Value* c1 = ctx.callIntrinsic(llvm::Intrinsic::cos, {angle});
    llvm::Value* v =
        ctx.b.CreateFSub(ctx.constant(DType::F64, a0), ctx.b.CreateFMul(ctx.constant(DType::F64, a1), c1));
    if (a2 != 0) {
      llvm::Value* c2 =
          ctx.callIntrinsic(llvm::Intrinsic::cos, {ctx.b.CreateFMul(angle, ctx.constant(DType::F64, 2))});
      v = ctx.b.CreateFAdd(v, ctx.b.CreateFMul(ctx.constant(DType::F64, a2), c2));
    }
    ctx.store(ot, ctx.output(0), i, ctx.convert(v, DType::F64, ot));
  });
}

llvm::Value* loadScalarAs(KernelContext& ctx, size_t i, DType to) {
  DType t = ctx.inputDType(i);
  return ctx.convert(ctx.load(t, ctx.input(i), ctx.i64(0)), t, to);
}

}  // namespace

void emitHannWindow(KernelContext& ctx) { emitCosineWindow(ctx, 0.5, 0.5, 0); }
void emitHammingWindow(KernelContext& ctx) { emitCosineWindow(ctx, 25.0 / 46.0, 21.0 / 46.0, 0); }
void emitBlackmanWindow(KernelContext& ctx) { emitCosineWindow(ctx, 0.42, 0.5, 0.08); }

void emitMelWeightMatrix(KernelContext& ctx) {
  DType ot = ctx.outputDType(0), f64 = DType::F64;
  std::vector<int64_t> ys = ctx.outputShape(0);
  int64_t specBins = ys[0], melBins = ys[1];
  int64_t dftLength = 2 * (specBins - 1);  // the shape rule made specBins = dft_length / 2 + 1
  if (const ir::TensorData* c = ctx.inputConstant(1)) dftLength = c->toInts().at(0);
  auto& b = ctx.b;
  auto cf = [&](double v) { return ctx.constant(f64, v); };
  auto toMel = [&](llvm::Value* hz) {
    llvm::Value* l =
        ctx.callIntrinsic(llvm::Intrinsic::log10, {b.CreateFAdd(cf(1), b.CreateFDiv(hz, cf(700)))});
    return b.CreateFMul(cf(2595), l);
  };
  llvm::Value* sampleRate = loadScalarAs(ctx, 2, f64);
  llvm::Value* lowMel = toMel(loadScalarAs(ctx, 3, f64));
  llvm::Value* highMel = toMel(loadScalarAs(ctx, 4, f64));
  llvm::Value* melStep = b.CreateFDiv(b.CreateFSub(highMel, lowMel), cf(static_cast<double>(melBins + 2)));
  // Spectrogram bin of corner point p (an i64; saturated so NaN or huge values stay defined).
  auto corner = [&](llvm::Value* p) {
    llvm::Value* mel = b.CreateFAdd(b.CreateFMul(ctx.convert(p, DType::I64, f64), melStep), lowMel);
    llvm::Value* pw = ctx.callIntrinsic(llvm::Intrinsic::pow, {cf(10), b.CreateFDiv(mel, cf(2595))});
    llvm::Value* hz = b.CreateFMul(cf(700), b.CreateFSub(pw, cf(1)));
    llvm::Value* bin = ctx.callIntrinsic(
        llvm::Intrinsic::floor,
        {b.CreateFDiv(b.CreateFMul(cf(static_cast<double>(dftLength + 1)), hz), sampleRate)});
    bin = b.CreateMaxNum(b.CreateMinNum(bin, cf(1e15)), cf(-1e15));
    return b.CreateFPToSI(bin, b.getInt64Ty());
  };
  ctx.loop(0, specBins * melBins,
           [&](llvm::Value* i) { ctx.store(ot, ctx.output(0), i, ctx.constant(ot, 0)); });
  // out[j, m] = v for a spectrogram bin j inside the matrix.
  auto put = [&](llvm::Value* j, llvm::Value* m, llvm::Value* v) {
    llvm::Value* inside = b.CreateICmpULT(j, ctx.i64(specBins));
    ctx.ifThen(inside,
               [&] { ctx.store(ot, ctx.output(0), addScaled(ctx, m, j, melBins), ctx.convert(v, f64, ot)); });
  };
  auto clampIndex = [&](llvm::Value* v, int64_t lo, int64_t hi) {
    v = b.CreateSelect(b.CreateICmpSLT(v, ctx.i64(lo)), ctx.i64(lo), v);
    return b.CreateSelect(b.CreateICmpSGT(v, ctx.i64(hi)), ctx.i64(hi), v);
  };
  ctx.loop(0, melBins, [&](llvm::Value* m) {
    llvm::Value* left = corner(m);
    llvm::Value* center = corner(b.CreateAdd(m, ctx.i64(1)));
    llvm::Value* right = corner(b.CreateAdd(m, ctx.i64(2)));
    llvm::Value* rise = b.CreateSub(center, left);
    ctx.ifThen(b.CreateICmpEQ(rise, ctx.i64(0)), [&] { put(center, m, cf(1)); });
    // Rising edge j in [left, center]: (j - left) / (center - left).
    ctx.ifThen(b.CreateICmpNE(rise, ctx.i64(0)), [&] {
      llvm::Value* lo = clampIndex(left, 0, specBins);
      llvm::Value* hi = clampIndex(b.CreateAdd(center, ctx.i64(1)), 0, specBins);
      ctx.loop(lo, hi, 1, [&](llvm::Value* j) {
        put(j, m,
            b.CreateFDiv(ctx.convert(b.CreateSub(j, left), DType::I64, f64),
                         ctx.convert(rise, DType::I64, f64)));
      });
    });
    // Falling edge j in [center, right): (right - j) / (right - center).
    llvm::Value* fall = b.CreateSub(right, center);
    ctx.ifThen(b.CreateICmpSGT(fall, ctx.i64(0)), [&] {
      llvm::Value* lo = clampIndex(center, 0, specBins);
      llvm::Value* hi = clampIndex(right, 0, specBins);
      ctx.loop(lo, hi, 1, [&](llvm::Value* j) {
        put(j, m,
            b.CreateFDiv(ctx.convert(b.CreateSub(right, j), DType::I64, f64),
                         ctx.convert(fall, DType::I64, f64)));
      });
    });
  });
}

}  // namespace kiln::codegen
