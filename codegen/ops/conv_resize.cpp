// Resize (modes nearest and linear) by compile-time lookup tables.
//
// Shapes and scales are static, so for every axis and output index the source
// index (nearest) or the two source indices and weights (linear) are computed
// here, in float exactly as ONNX Runtime computes them, and stored as constant
// arrays. The kernel is then a gather: one task per output row (all axes but
// the last), whose row-level taps combine the tables of the outer axes, and an
// inner loop over the last axis reading its table. Axes the resize leaves
// unchanged (source index == output index) use no table at all.
#include <cmath>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_geometry.h"
#include "codegen/ops/conv_ir.h"

namespace kiln::codegen {

namespace {

enum class Coord { HalfPixel, HalfPixelSymmetric, PytorchHalfPixel, AlignCorners, Asymmetric };
enum class Rounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeSpec {
  bool linear = false;
  Coord coord = Coord::HalfPixel;
  Rounding rounding = Rounding::RoundPreferFloor;
  std::vector<int64_t> in, out;
  std::vector<float> scales;  // one per axis (1 for axes not resized)
};

Coord parseCoord(const KernelContext& ctx, const std::string& s) {
  if (s == "half_pixel") return Coord::HalfPixel;
  if (s == "half_pixel_symmetric") return Coord::HalfPixelSymmetric;
  if (s == "pytorch_half_pixel") return Coord::PytorchHalfPixel;
  if (s == "align_corners") return Coord::AlignCorners;
  if (s == "asymmetric") return Coord::Asymmetric;
  ctx.fail("coordinate_transformation_mode '{}' is not supported", s);
}

Rounding parseRounding(const KernelContext& ctx, const std::string& s) {
  if (s == "round_prefer_floor") return Rounding::RoundPreferFloor;
  if (s == "round_prefer_ceil") return Rounding::RoundPreferCeil;
  if (s == "floor") return Rounding::Floor;
  if (s == "ceil") return Rounding::Ceil;
  ctx.fail("nearest_mode '{}' is not supported", s);
}

bool isAbsentOrEmpty(const KernelContext& ctx, size_t i) {
  return !ctx.hasInput(i) || ctx.inputType(i).numElements() == 0;
}

ResizeSpec readSpec(const KernelContext& ctx) {
  const ir::Attributes& a = ctx.attrs();
  ResizeSpec r;
  std::string mode = a.getString("mode", "nearest");
  if (mode != "nearest" && mode != "linear") ctx.fail("mode '{}' is not supported", mode);
  r.linear = mode == "linear";
  r.coord = parseCoord(ctx, a.getString("coordinate_transformation_mode", "half_pixel"));
  r.rounding = parseRounding(ctx, a.getString("nearest_mode", "round_prefer_floor"));
  if (r.linear && a.getInt("antialias", 0) != 0) ctx.fail("antialias is not supported");
  r.in = ctx.inputShape(0);
  r.out = ctx.outputShape(0);
  size_t rank = r.in.size();
  if (rank == 0 || r.out.size() != rank) ctx.fail("X and Y ranks differ or are 0");

  std::vector<int64_t> axes = a.getInts("axes");
  if (!a.has("axes"))
    for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(i));
  for (int64_t& ax : axes) {
    if (ax < -static_cast<int64_t>(rank) || ax >= static_cast<int64_t>(rank))
      ctx.fail("axis {} out of range", ax);
    if (ax < 0) ax += static_cast<int64_t>(rank);
  }
  r.scales.assign(rank, 1.0f);
  bool bySizes = !isAbsentOrEmpty(ctx, 3);
  const ir::TensorData* given = ctx.inputConstant(bySizes ? 3 : 2);
  if (!given) ctx.fail("{} must be a compile-time constant", bySizes ? "sizes" : "scales");
  if (static_cast<size_t>(given->numElements()) != axes.size())
    ctx.fail("{} has {} entries, expected {}", bySizes ? "sizes" : "scales", given->numElements(),
             axes.size());
  std::string policy = a.getString("keep_aspect_ratio_policy", "stretch");
  if (bySizes && policy != "stretch") {
    // One common scale, as the shape rule derived the output from it.
    float s = policy == "not_larger" ? INFINITY : 0.0f;
    for (size_t i = 0; i < axes.size(); ++i) {
      float si = static_cast<float>(given->intAt(static_cast<int64_t>(i))) /
                 static_cast<float>(r.in[static_cast<size_t>(axes[i])]);
      s = policy == "not_larger" ? std::min(s, si) : std::max(s, si);
    }
    for (int64_t ax : axes) r.scales[static_cast<size_t>(ax)] = s;
  } else {
    for (size_t i = 0; i < axes.size(); ++i) {
      auto ax = static_cast<size_t>(axes[i]);
      r.scales[ax] = bySizes ? static_cast<float>(r.out[ax]) / static_cast<float>(r.in[ax])
                             : static_cast<float>(given->floatAt(static_cast<int64_t>(i)));
    }
  }
  for (size_t i = 0; i < rank; ++i) {
    if (!(r.scales[i] > 0)) ctx.fail("scale {} of axis {} must be positive", r.scales[i], i);
    if (r.in[i] == 0 && r.out[i] != 0) ctx.fail("cannot resize an empty axis {}", i);
  }
  return r;
}

// Source coordinate of output index x along an axis (ONNX Runtime's float arithmetic).
float sourceCoordinate(Coord c, float x, float scale, float lenOut, float lenIn) {
  switch (c) {
    case Coord::HalfPixel: return (x + 0.5f) / scale - 0.5f;
    case Coord::HalfPixelSymmetric: {
      float adjustment = lenOut / (scale * lenIn);
      float offset = lenIn / 2 * (1 - adjustment);
      return offset + (x + 0.5f) / scale - 0.5f;
    }
    case Coord::PytorchHalfPixel: return lenOut > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case Coord::AlignCorners: return lenOut == 1 ? 0.0f : x * (lenIn - 1) / (lenOut - 1);
    case Coord::Asymmetric: return x / scale;
  }
  return x;
}

int64_t roundNearest(Rounding m, float x) {
  switch (m) {
    case Rounding::RoundPreferFloor:
      if (x == static_cast<float>(static_cast<int64_t>(x)) + 0.5f) return static_cast<int64_t>(std::floor(x));
      return static_cast<int64_t>(std::round(x));
    case Rounding::RoundPreferCeil: return static_cast<int64_t>(std::round(x));
    case Rounding::Floor: return static_cast<int64_t>(std::floor(x));
    case Rounding::Ceil: return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// The source taps of one axis: per output index one (nearest) or two (linear)
// source indices, pre-multiplied by the axis stride, and the linear weights.
struct AxisTaps {
  bool identity = true;
  std::vector<int64_t> first, second;  // element offsets
  std::vector<double> firstWeight, secondWeight;
};

AxisTaps axisTaps(const ResizeSpec& r, size_t axis, int64_t stride) {
  AxisTaps t;
  int64_t in = r.in[axis], out = r.out[axis];
  float scale = r.scales[axis];
  for (int64_t o = 0; o < out; ++o) {
    float x = scale == 1.0f ? static_cast<float>(o)
                            : sourceCoordinate(r.coord, static_cast<float>(o), scale,
                                               static_cast<float>(out), static_cast<float>(in));
    if (!r.linear) {
      int64_t i = std::clamp<int64_t>(roundNearest(r.rounding, x), 0, in - 1);
      t.identity = t.identity && i == o;
      t.first.push_back(i * stride);
      continue;
    }
    t.identity = t.identity && x == static_cast<float>(o) && in == out;
    float v = std::clamp(x, 0.0f, static_cast<float>(in - 1));
    int64_t i0 = std::min(static_cast<int64_t>(v), in - 1), i1 = std::min(i0 + 1, in - 1);
    float d0 = std::fabs(v - static_cast<float>(i0)), d1 = std::fabs(v - static_cast<float>(i1));
    if (i0 == i1) d0 = d1 = 0.5f;
    t.first.push_back(i0 * stride);
    t.second.push_back(i1 * stride);
    t.firstWeight.push_back(d1);  // the nearer index gets the larger weight
    t.secondWeight.push_back(d0);
  }
  t.identity = t.identity && in == out;
  return t;
}

// An axis's taps as IR: tables (absent for identity axes) and loads from them.
struct AxisTables {
  AxisTaps taps;
  int64_t stride = 1;
  llvm::Value *first = nullptr, *second = nullptr, *firstWeight = nullptr, *secondWeight = nullptr;
};

AxisTables makeTables(const KernelContext& ctx, DType dt, const ResizeSpec& r, size_t axis,
                      int64_t stride) {
  AxisTables t;
  t.taps = axisTaps(r, axis, stride);
  t.stride = stride;
  if (t.taps.identity) return t;
  t.first = convir::indexTable(ctx, t.taps.first, "resize_src");
  if (r.linear) {
    t.second = convir::indexTable(ctx, t.taps.second, "resize_src");
    t.firstWeight = convir::floatTable(ctx, dt, t.taps.firstWeight, "resize_w");
    t.secondWeight = convir::floatTable(ctx, dt, t.taps.secondWeight, "resize_w");
  }
  return t;
}

// A partial source offset with its weight (nullptr = 1).
struct Tap {
  llvm::Value* offset;
  llvm::Value* weight;
};

}  // namespace

void emitResize(KernelContext& ctx) {
  using namespace convir;
  ResizeSpec r = readSpec(ctx);
  DType dt = ctx.inputDType(0);
  if (r.linear) requireFloatKernel(ctx, dt);
  size_t rank = r.in.size();
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < rank; ++i) rows *= r.out[i];
  int64_t rowLen = r.out[rank - 1];
  if (rows * rowLen == 0) return;
  std::vector<int64_t> inStrides = stridesOf(r.in);
  std::vector<AxisTables> tables;
  size_t resizedOuter = 0;
  for (size_t i = 0; i < rank; ++i) {
    tables.push_back(makeTables(ctx, dt, r, i, inStrides[i]));
    if (i + 1 < rank && r.linear && !tables.back().taps.identity) ++resizedOuter;
  }
  if (resizedOuter > 4) ctx.fail("linear resize of more than 5 axes is not supported");
  std::vector<int64_t> rowExtents(r.out.begin(), r.out.end() - 1);
  if (rowExtents.empty()) rowExtents.push_back(1);

  ctx.parallelFor(rows, [&](llvm::Value* row) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, row, rowExtents);
    std::vector<Tap> taps = {{ctx.i64(0), nullptr}};
    for (size_t a = 0; a + 1 < rank; ++a) {
      const AxisTables& t = tables[a];
      if (t.taps.identity) {
        for (Tap& tap : taps) tap.offset = add(ctx, tap.offset, mul(ctx, idx[a], t.stride));
        continue;
      }
      llvm::Value* first = loadIndex(ctx, t.first, idx[a]);
      if (!r.linear) {
        for (Tap& tap : taps) tap.offset = add(ctx, tap.offset, first);
        continue;
      }
      llvm::Value* second = loadIndex(ctx, t.second, idx[a]);
      llvm::Value* w0 = ctx.load(dt, t.firstWeight, idx[a]);
      llvm::Value* w1 = ctx.load(dt, t.secondWeight, idx[a]);
      std::vector<Tap> next;
      for (const Tap& tap : taps) {
        next.push_back({add(ctx, tap.offset, first), tap.weight ? ctx.b.CreateFMul(tap.weight, w0) : w0});
        next.push_back({add(ctx, tap.offset, second), tap.weight ? ctx.b.CreateFMul(tap.weight, w1) : w1});
      }
      taps = std::move(next);
    }

    const AxisTables& last = tables[rank - 1];
    llvm::Value* yRow = mul(ctx, row, rowLen);
    ctx.loop(0, rowLen, [&](llvm::Value* o) {
      // The value of the last axis at row offset `base`.
      auto inner = [&](llvm::Value* base) -> llvm::Value* {
        if (last.taps.identity) return ctx.load(dt, ctx.input(0), add(ctx, base, o));
        llvm::Value* v0 = ctx.load(dt, ctx.input(0), add(ctx, base, loadIndex(ctx, last.first, o)));
        if (!r.linear) return v0;
        llvm::Value* v1 = ctx.load(dt, ctx.input(0), add(ctx, base, loadIndex(ctx, last.second, o)));
        llvm::Value* w0 = ctx.load(dt, last.firstWeight, o);
        llvm::Value* w1 = ctx.load(dt, last.secondWeight, o);
        return fmulAdd(ctx, v1, w1, ctx.b.CreateFMul(v0, w0));
      };
      llvm::Value* sum = nullptr;
      for (const Tap& tap : taps) {
        llvm::Value* v = inner(tap.offset);
        if (!tap.weight)
          sum = v;  // a single tap (nearest, or no linear outer axis)
        else
          sum = sum ? fmulAdd(ctx, v, tap.weight, sum) : ctx.b.CreateFMul(v, tap.weight);
      }
      ctx.store(dt, ctx.output(0), add(ctx, yRow, o), sum);
    });
  });
}

}  // namespace kiln::codegen
