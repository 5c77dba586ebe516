// RoiAlign (ONNX 16): Y[r, c, ph, pw] pools X[batch_indices[r], c] over bin
// (ph, pw) of box r, sampling a grid of bilinearly interpolated points per bin
// and taking their average (mode avg) or maximum (mode max). The arithmetic
// follows the ONNX spec's reference (and ONNX Runtime):
//   offset = 0.5 for half_pixel, 0 for output_half_pixel
//   start = roi * spatial_scale - offset, size = end - start (output_half_pixel:
//   at least 1), bin = size / output_{height,width}
//   grid = sampling_ratio, or ceil(size / output_{height,width}) when 0
//   point (iy, ix) of bin (ph, pw): start + ph * bin + (iy + 0.5) * bin / grid
//   a point beyond [-1, H] x [-1, W] is 0; otherwise it is clamped to >= 0 and
//   interpolated from its 4 neighbours (edge rows / columns repeated)
//   avg: sum(points) / max(grid_h * grid_w, 1)
//   max: max over points of max(w_i * x_i) over the 4 weighted neighbours.
// Boxes and batch indices are runtime data: batch indices are clamped into
// [0, N), every interpolation index is clamped into X, and a data-dependent
// grid is capped at kMaxGrid points per axis, so no input reads out of bounds
// or loops without end.
#include <llvm/IR/Intrinsics.h>

#include <limits>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

constexpr int64_t kMaxGrid = 1024;

}  // namespace

void emitRoiAlign(KernelContext& ctx) {
  using namespace convir;
  const ir::Attributes& a = ctx.attrs();
  DType dt = ctx.inputDType(0), it = ctx.inputDType(2);
  if (!isFloat(dt)) ctx.fail("unsupported: X of dtype {} (float types only)", dtypeName(dt));
  DType ct = dt == DType::F64 ? DType::F64 : DType::F32;
  bool isMax = a.getString("mode", "avg") == "max";
  bool halfPixel = a.getString("coordinate_transformation_mode", "half_pixel") == "half_pixel";
  int64_t samplingRatio = a.getInt("sampling_ratio", 0);
  double spatialScale = a.getFloat("spatial_scale", 1.0f);
  std::vector<int64_t> x = ctx.inputShape(0), y = ctx.outputShape(0);
  if (x.size() != 4 || y.size() != 4) ctx.fail("X and Y must be 4-D");
  int64_t batch = x[0], channels = x[1], height = x[2], width = x[3];
  int64_t rois = y[0], pooledH = y[2], pooledW = y[3];
  if (rois * channels * pooledH * pooledW == 0) return;
  if (batch == 0 || height == 0 || width == 0) ctx.fail("cannot pool from an empty X");

  auto c = [&](double v) { return ctx.constant(ct, v); };
  auto fadd = [&](llvm::Value* p, llvm::Value* q) { return ctx.b.CreateFAdd(p, q); };
  auto fsub = [&](llvm::Value* p, llvm::Value* q) { return ctx.b.CreateFSub(p, q); };
  auto fmul = [&](llvm::Value* p, llvm::Value* q) { return ctx.b.CreateFMul(p, q); };
  auto fdiv = [&](llvm::Value* p, llvm::Value* q) { return ctx.b.CreateFDiv(p, q); };
  int64_t yPlane = pooledH * pooledW, xPlane = height * width;

  ctx.parallelFor(rois * pooledH, [&](llvm::Value* task) {
    llvm::Value* r = pooledH == 1 ? task : ctx.b.CreateUDiv(task, ctx.i64(pooledH));
    llvm::Value* ph = pooledH == 1 ? ctx.i64(0) : ctx.b.CreateURem(task, ctx.i64(pooledH));
    auto roiAt = [&](int64_t k) {
      llvm::Value* v = ctx.convert(ctx.load(dt, ctx.input(1), add(ctx, mul(ctx, r, 4), k)), dt, ct);
      return fsub(fmul(v, c(spatialScale)), c(halfPixel ? 0.5 : 0.0));
    };
    llvm::Value *startW = roiAt(0), *startH = roiAt(1), *endW = roiAt(2), *endH = roiAt(3);
    llvm::Value *roiW = fsub(endW, startW), *roiH = fsub(endH, startH);
    if (!halfPixel) {
      roiW = ctx.maxF(roiW, c(1));
      roiH = ctx.maxF(roiH, c(1));
    }
    llvm::Value* binH = fdiv(roiH, c(static_cast<double>(pooledH)));
    llvm::Value* binW = fdiv(roiW, c(static_cast<double>(pooledW)));
    auto gridOf = [&](llvm::Value* bin) -> llvm::Value* {
      if (samplingRatio > 0) return ctx.i64(samplingRatio);
      llvm::Value* g = ctx.callIntrinsic(llvm::Intrinsic::ceil, {bin});
      g = ctx.minF(ctx.maxF(g, c(0)), c(static_cast<double>(kMaxGrid)));  // NaN -> 0
      return ctx.b.CreateFPToSI(g, ctx.b.getInt64Ty());
    };
    llvm::Value *gridH = gridOf(binH), *gridW = gridOf(binW);
    llvm::Value* points = ctx.b.CreateMul(gridH, gridW);
    llvm::Value* count = ctx.b.CreateSIToFP(
        ctx.b.CreateSelect(ctx.b.CreateICmpSGT(points, ctx.i64(1)), points, ctx.i64(1)), ctx.llvmType(ct));
    llvm::Value* stepH = fdiv(binH, ctx.b.CreateSIToFP(gridH, ctx.llvmType(ct)));
    llvm::Value* stepW = fdiv(binW, ctx.b.CreateSIToFP(gridW, ctx.llvmType(ct)));

    llvm::Value* n = ctx.convert(ctx.load(it, ctx.input(2), r), it, DType::I64);
    n = ctx.b.CreateSelect(ctx.b.CreateICmpSLT(n, ctx.i64(0)), ctx.i64(0), n);
    n = ctx.b.CreateSelect(ctx.b.CreateICmpSGT(n, ctx.i64(batch - 1)), ctx.i64(batch - 1), n);
    llvm::Value* xBase = mul(ctx, n, channels * xPlane);
    llvm::Value* yRow = add(ctx, mul(ctx, r, channels * yPlane), mul(ctx, ph, pooledW));
    llvm::Value* phF = ctx.b.CreateSIToFP(ph, ctx.llvmType(ct));
    llvm::Value* init = isMax ? c(-std::numeric_limits<double>::infinity()) : c(0);

    // One interpolation axis: the clamped low / high indices and weights of
    // coordinate v over `size` elements, and whether v is inside [-1, size].
    struct Axis {
      llvm::Value *low, *high, *wLow, *wHigh, *inside;
    };
    auto axis = [&](llvm::Value* v, int64_t size) {
      Axis s;
      s.inside = ctx.b.CreateAnd(ctx.b.CreateFCmpOGE(v, c(-1)), ctx.b.CreateFCmpOLE(v, c(static_cast<double>(size))));
      v = ctx.minF(ctx.maxF(v, c(0)), c(static_cast<double>(size - 1)));  // NaN -> 0
      llvm::Value* lowF = ctx.callIntrinsic(llvm::Intrinsic::floor, {v});
      s.low = ctx.b.CreateFPToSI(lowF, ctx.b.getInt64Ty());
      s.high = ctx.b.CreateSelect(ctx.b.CreateICmpSLT(s.low, ctx.i64(size - 1)), add(ctx, s.low, 1), s.low);
      s.wHigh = fsub(v, lowF);  // 0 at the last index, where low == high
      s.wLow = fsub(c(1), s.wHigh);
      return s;
    };

    ctx.loop(0, pooledW, [&](llvm::Value* pw) {
      llvm::Value* yAt = add(ctx, yRow, pw);
      ctx.loop(0, channels, [&](llvm::Value* ch) {
        ctx.store(dt, ctx.output(0), add(ctx, yAt, mul(ctx, ch, yPlane)), ctx.convert(init, ct, dt));
      });
      llvm::Value* pwF = ctx.b.CreateSIToFP(pw, ctx.llvmType(ct));
      ctx.loop(ctx.i64(0), gridH, 1, [&](llvm::Value* iy) {
        llvm::Value* iyF = fadd(ctx.b.CreateSIToFP(iy, ctx.llvmType(ct)), c(0.5));
        Axis ay = axis(fadd(fadd(startH, fmul(phF, binH)), fmul(iyF, stepH)), height);
        ctx.loop(ctx.i64(0), gridW, 1, [&](llvm::Value* ix) {
          llvm::Value* ixF = fadd(ctx.b.CreateSIToFP(ix, ctx.llvmType(ct)), c(0.5));
          Axis ax = axis(fadd(fadd(startW, fmul(pwF, binW)), fmul(ixF, stepW)), width);
          llvm::Value* inside = ctx.b.CreateAnd(ay.inside, ax.inside);
          llvm::Value* w[4] = {fmul(ay.wLow, ax.wLow), fmul(ay.wLow, ax.wHigh), fmul(ay.wHigh, ax.wLow),
                               fmul(ay.wHigh, ax.wHigh)};
          llvm::Value* rowLow = mul(ctx, ay.low, width);
          llvm::Value* rowHigh = mul(ctx, ay.high, width);
          llvm::Value* pos[4] = {add(ctx, rowLow, ax.low), add(ctx, rowLow, ax.high), add(ctx, rowHigh, ax.low),
                                 add(ctx, rowHigh, ax.high)};
          ctx.loop(0, channels, [&](llvm::Value* ch) {
            llvm::Value* plane = add(ctx, xBase, mul(ctx, ch, xPlane));
            llvm::Value* val = nullptr;
            for (int k = 0; k < 4; ++k) {
              llvm::Value* v = ctx.convert(ctx.load(dt, ctx.input(0), add(ctx, plane, pos[k])), dt, ct);
              llvm::Value* term = fmul(w[k], v);
              val = !val ? term : isMax ? ctx.maxF(val, term) : fadd(val, term);
            }
            val = ctx.b.CreateSelect(inside, val, c(0));  // a point outside the map counts as 0
            llvm::Value* at = add(ctx, yAt, mul(ctx, ch, yPlane));
            llvm::Value* acc = ctx.convert(ctx.load(dt, ctx.output(0), at), dt, ct);
            ctx.store(dt, ctx.output(0), at, ctx.convert(isMax ? ctx.maxF(acc, val) : fadd(acc, val), ct, dt));
          });
        });
      });
      // avg divides by the point count; max of no points is 0.
      llvm::Value* empty = ctx.b.CreateICmpEQ(points, ctx.i64(0));
      ctx.loop(0, channels, [&](llvm::Value* ch) {
        llvm::Value* at = add(ctx, yAt, mul(ctx, ch, yPlane));
        llvm::Value* acc = ctx.convert(ctx.load(dt, ctx.output(0), at), dt, ct);
        llvm::Value* v = isMax ? ctx.b.CreateSelect(empty, c(0), acc) : fdiv(acc, count);
        ctx.store(dt, ctx.output(0), at, ctx.convert(v, ct, dt));
      });
    });
  });
}

}  // namespace kiln::codegen
