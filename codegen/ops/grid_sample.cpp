// GridSample (ONNX 16 for 4-D input; ONNX 20's N-D form and mode names too):
// Y[n, c, o...] samples X[n, c] at the position grid[n, o..., :], whose
// components are normalized coordinates in [-1, 1], x (the last spatial axis)
// first. The semantics are PyTorch's grid_sample, which ONNX adopted:
//   unnormalize  align_corners: (g + 1) / 2 * (size - 1)
//                otherwise:     ((g + 1) * size - 1) / 2
//   padding      zeros: taps outside X contribute 0; border: the coordinate is
//                clipped to [0, size - 1]; reflection: it is reflected at the
//                borders (at pixel centres with align_corners, else at the
//                pixel edges), then clipped
//   mode         nearest: round half to even; (bi)linear: 2 taps per axis;
//                (bi)cubic: 4 taps per axis, A = -0.75, the padding applied to
//                each tap's index rather than to the coordinate.
// One task per output position computes its taps (indices and weights) once
// and applies them to every channel. The grid is runtime data: every index is
// clamped into X before it is used and NaN coordinates select nothing, so no
// value of the grid reads out of bounds.
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Padding { Zeros, Border, Reflection };

constexpr double kCubicA = -0.75;

struct Sampler {
  KernelContext& ctx;
  DType ct;  // compute type: f32, or f64 when X or the grid is f64
  bool alignCorners;
  Padding padding;

  llvm::Value* c(double v) const { return ctx.constant(ct, v); }
  llvm::Value* fadd(llvm::Value* a, llvm::Value* b) const { return ctx.b.CreateFAdd(a, b); }
  llvm::Value* fsub(llvm::Value* a, llvm::Value* b) const { return ctx.b.CreateFSub(a, b); }
  llvm::Value* fmul(llvm::Value* a, llvm::Value* b) const { return ctx.b.CreateFMul(a, b); }
  llvm::Value* floor(llvm::Value* v) const { return ctx.callIntrinsic(llvm::Intrinsic::floor, {v}); }

  llvm::Value* unnormalize(llvm::Value* g, int64_t size) const {
    if (alignCorners) return fmul(fadd(g, c(1)), c(0.5 * static_cast<double>(size - 1)));
    return fmul(fsub(fmul(fadd(g, c(1)), c(static_cast<double>(size))), c(1)), c(0.5));
  }

  llvm::Value* clip(llvm::Value* v, int64_t size) const {
    // minnum/maxnum return the other operand for NaN, so the result is in range.
    return ctx.minF(ctx.maxF(v, c(0)), c(static_cast<double>(size - 1)));
  }

  // PyTorch's reflect_coordinates over [twiceLow / 2, twiceHigh / 2].
  llvm::Value* reflect(llvm::Value* v, int64_t twiceLow, int64_t twiceHigh) const {
    if (twiceLow == twiceHigh) return c(0);
    double lo = static_cast<double>(twiceLow) / 2, span = static_cast<double>(twiceHigh - twiceLow) / 2;
    llvm::Value* d = ctx.callIntrinsic(llvm::Intrinsic::fabs, {fsub(v, c(lo))});
    llvm::Value* extra = ctx.b.CreateFRem(d, c(span));
    llvm::Value* flips = floor(fmul(d, c(1 / span)));
    llvm::Value* half = fmul(flips, c(0.5));
    llvm::Value* even = ctx.b.CreateFCmpOEQ(floor(half), half);
    return ctx.b.CreateSelect(even, fadd(extra, c(lo)), fadd(fsub(c(span), extra), c(lo)));
  }

  // The border / reflection padding of a coordinate (zeros: unchanged).
  llvm::Value* pad(llvm::Value* v, int64_t size) const {
    if (padding == Padding::Border) return clip(v, size);
    if (padding == Padding::Reflection) {
      v = alignCorners ? reflect(v, 0, 2 * (size - 1)) : reflect(v, -1, 2 * size - 1);
      return clip(v, size);
    }
    return v;
  }
};

// One tap along one axis (or a combination over all axes): the element offset
// (stride applied, clamped into X), the weight and whether the tap is inside X.
struct AxisTap {
  llvm::Value* offset;
  llvm::Value* weight;
  llvm::Value* inside;
};

// A tap at integer-valued float position p: clamped index and in-range flag.
AxisTap makeTap(const Sampler& s, llvm::Value* p, llvm::Value* weight, int64_t size, int64_t stride) {
  KernelContext& ctx = s.ctx;
  llvm::Value* inside = ctx.b.CreateAnd(ctx.b.CreateFCmpOGE(p, s.c(0)),
                                        ctx.b.CreateFCmpOLE(p, s.c(static_cast<double>(size - 1))));
  llvm::Value* index = ctx.b.CreateFPToSI(ctx.b.CreateSelect(inside, p, s.c(0)), ctx.b.getInt64Ty());
  return {convir::mul(ctx, index, stride), weight, inside};
}

std::vector<llvm::Value*> cubicWeights(const Sampler& s, llvm::Value* t) {
  const double a = kCubicA;
  auto near = [&](llvm::Value* x) {  // |x| <= 1: ((A + 2) x - (A + 3)) x^2 + 1
    return s.fadd(s.fmul(s.fmul(s.fsub(s.fmul(s.c(a + 2), x), s.c(a + 3)), x), x), s.c(1));
  };
  auto far = [&](llvm::Value* x) {  // 1 < |x| < 2: ((A x - 5A) x + 8A) x - 4A
    return s.fsub(s.fmul(s.fadd(s.fmul(s.fsub(s.fmul(s.c(a), x), s.c(5 * a)), x), s.c(8 * a)), x), s.c(4 * a));
  };
  llvm::Value* u = s.fsub(s.c(1), t);
  return {far(s.fadd(t, s.c(1))), near(t), near(u), far(s.fadd(u, s.c(1)))};
}

// The taps of spatial axis `axis` for grid component g.
std::vector<AxisTap> axisTaps(const Sampler& s, Mode mode, llvm::Value* g, int64_t size, int64_t stride) {
  llvm::Value* x = s.unnormalize(g, size);
  if (mode == Mode::Nearest) {
    llvm::Value* p = s.ctx.callIntrinsic(llvm::Intrinsic::roundeven, {s.pad(x, size)});
    return {makeTap(s, p, s.c(1), size, stride)};
  }
  if (mode == Mode::Linear) {
    x = s.pad(x, size);
    llvm::Value* p0 = s.floor(x);
    llvm::Value* t = s.fsub(x, p0);
    return {makeTap(s, p0, s.fsub(s.c(1), t), size, stride),
            makeTap(s, s.fadd(p0, s.c(1)), t, size, stride)};
  }
  llvm::Value* p0 = s.floor(x);
  std::vector<llvm::Value*> w = cubicWeights(s, s.fsub(x, p0));
  std::vector<AxisTap> taps;
  for (int k = 0; k < 4; ++k) {
    llvm::Value* p = s.fadd(p0, s.c(k - 1));
    // The padding moves each tap; a border / reflection tap is always inside.
    if (s.padding != Padding::Zeros) p = s.floor(s.pad(p, size));
    taps.push_back(makeTap(s, p, w[static_cast<size_t>(k)], size, stride));
  }
  return taps;
}

}  // namespace

void emitGridSample(KernelContext& ctx) {
  using namespace convir;
  const ir::Attributes& a = ctx.attrs();
  std::string modeName = a.getString("mode", "bilinear");
  Mode mode = Mode::Linear;
  if (modeName == "nearest") mode = Mode::Nearest;
  else if (modeName == "bicubic" || modeName == "cubic") mode = Mode::Cubic;
  else if (modeName != "bilinear" && modeName != "linear") ctx.fail("unsupported mode '{}'", modeName);
  std::string padName = a.getString("padding_mode", "zeros");
  Padding padding = padName == "border" ? Padding::Border : padName == "reflection" ? Padding::Reflection
                                                                                    : Padding::Zeros;
  DType dt = ctx.inputDType(0), gt = ctx.inputDType(1);
  if (!isFloat(dt)) ctx.fail("unsupported: X of dtype {} (float types only)", dtypeName(dt));
  DType ct = dt == DType::F64 || gt == DType::F64 ? DType::F64 : DType::F32;
  Sampler s{ctx, ct, a.getInt("align_corners", 0) != 0, padding};

  std::vector<int64_t> x = ctx.inputShape(0), y = ctx.outputShape(0);
  size_t spatial = x.size() - 2;
  if (spatial > 3) ctx.fail("unsupported: GridSample over {} spatial axes (at most 3)", spatial);
  int64_t batch = x[0], channels = x[1];
  int64_t inPlane = 1, outPlane = 1;
  for (size_t i = 2; i < x.size(); ++i) inPlane *= x[i];
  for (size_t i = 2; i < y.size(); ++i) outPlane *= y[i];
  std::vector<int64_t> inStrides = stridesOf(std::vector<int64_t>(x.begin() + 2, x.end()));
  if (batch * outPlane * channels == 0) return;
  if (inPlane == 0) ctx.fail("cannot sample an empty X");

  auto spatialCount = static_cast<int64_t>(spatial);
  ctx.parallelFor(batch * outPlane, [&](llvm::Value* task) {
    llvm::Value* n = outPlane == 1 ? task : ctx.b.CreateUDiv(task, ctx.i64(outPlane));
    llvm::Value* o = outPlane == 1 ? ctx.i64(0) : ctx.b.CreateURem(task, ctx.i64(outPlane));
    // grid[n, o, :] starts at task * spatial; component k is for spatial axis spatial - 1 - k.
    llvm::Value* gridBase = mul(ctx, task, spatialCount);
    std::vector<std::vector<AxisTap>> taps(spatial);
    for (size_t axis = 0; axis < spatial; ++axis) {
      llvm::Value* g = ctx.load(gt, ctx.input(1), add(ctx, gridBase, spatialCount - 1 - static_cast<int64_t>(axis)));
      taps[axis] = axisTaps(s, mode, ctx.convert(g, gt, ct), x[axis + 2], inStrides[axis]);
    }
    // The cartesian product of the axes' taps: one offset and weight each.
    std::vector<AxisTap> combined = {{ctx.i64(0), nullptr, nullptr}};
    for (size_t axis = 0; axis < spatial; ++axis) {
      std::vector<AxisTap> next;
      for (const AxisTap& p : combined)
        for (const AxisTap& t : taps[axis])
          next.push_back({add(ctx, p.offset, t.offset), p.weight ? s.fmul(p.weight, t.weight) : t.weight,
                          p.inside ? ctx.b.CreateAnd(p.inside, t.inside) : t.inside});
      combined = std::move(next);
    }
    llvm::Value* xBatch = mul(ctx, n, channels * inPlane);
    llvm::Value* yBase = add(ctx, mul(ctx, n, channels * outPlane), o);
    ctx.loop(0, channels, [&](llvm::Value* ch) {
      llvm::Value* xPlane = add(ctx, xBatch, mul(ctx, ch, inPlane));
      llvm::Value* sum = nullptr;
      for (const AxisTap& t : combined) {
        llvm::Value* v = ctx.convert(ctx.load(dt, ctx.input(0), add(ctx, xPlane, t.offset)), dt, ct);
        // A tap outside X adds exactly 0, whatever X holds at the clamped index.
        llvm::Value* term = ctx.b.CreateSelect(t.inside, s.fmul(v, t.weight), s.c(0));
        sum = sum ? s.fadd(sum, term) : term;
      }
      ctx.store(dt, ctx.output(0), add(ctx, yBase, mul(ctx, ch, outPlane)), ctx.convert(sum, ct, dt));
    });
  });
}

}  // namespace kiln::codegen
