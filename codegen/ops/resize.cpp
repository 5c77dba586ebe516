// Resize (ONNX 19; modes nearest, linear, cubic; every
// coordinate_transformation_mode, antialias, exclude_outside, axes,
// keep_aspect_ratio_policy, extrapolation_value) by compile-time tap tables.
//
// Shapes, scales and roi are static, so for every axis and output index the
// source indices and weights are computed on the host (resize_taps.cpp) and
// stored as constant arrays. The kernel is then a gather: one task per output
// row (all axes but the last); for each element of the row it sums
//   w_0[o_0, k_0] * ... * w_last[o_last, k_last] * X[i_0[o_0, k_0], ..., i_last[o_last, k_last]]
// over the taps k of every axis (runtime loops over the outer axes' few taps,
// which LLVM unrolls, and the last axis's taps unrolled here). Nearest reads
// the one source element. Axes the resize leaves unchanged use no table.
// tf_crop_and_resize replaces elements whose coordinate falls outside the
// input on any axis by extrapolation_value.
#include <cmath>

#include "codegen/kernel_context.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/resize_taps.h"

namespace kiln::codegen {

namespace {

struct ResizeSpec {
  ResizeOptions opt;
  std::vector<ResizeAxis> axes;  // one per dim of X
  float extrapolation = 0.0f;
};

ResizeCoord parseCoord(const KernelContext& ctx, const std::string& s) {
  if (s == "half_pixel") return ResizeCoord::HalfPixel;
  if (s == "half_pixel_symmetric") return ResizeCoord::HalfPixelSymmetric;
  if (s == "pytorch_half_pixel") return ResizeCoord::PytorchHalfPixel;
  if (s == "align_corners") return ResizeCoord::AlignCorners;
  if (s == "asymmetric") return ResizeCoord::Asymmetric;
  if (s == "tf_crop_and_resize") return ResizeCoord::TfCropAndResize;
  if (s == "tf_half_pixel_for_nn") return ResizeCoord::TfHalfPixelForNN;
  ctx.fail("unsupported coordinate_transformation_mode '{}'", s);
}

ResizeRounding parseRounding(const KernelContext& ctx, const std::string& s) {
  if (s == "round_prefer_floor") return ResizeRounding::RoundPreferFloor;
  if (s == "round_prefer_ceil") return ResizeRounding::RoundPreferCeil;
  if (s == "floor") return ResizeRounding::Floor;
  if (s == "ceil") return ResizeRounding::Ceil;
  ctx.fail("unsupported nearest_mode '{}'", s);
}

bool isAbsentOrEmpty(const KernelContext& ctx, size_t i) {
  return !ctx.hasInput(i) || ctx.inputType(i).numElements() == 0;
}

ResizeSpec readSpec(const KernelContext& ctx) {
  const ir::Attributes& a = ctx.attrs();
  ResizeSpec r;
  std::string mode = a.getString("mode", "nearest");
  if (mode == "nearest") r.opt.mode = ResizeMode::Nearest;
  else if (mode == "linear") r.opt.mode = ResizeMode::Linear;
  else if (mode == "cubic") r.opt.mode = ResizeMode::Cubic;
  else ctx.fail("unsupported mode '{}'", mode);
  r.opt.coord = parseCoord(ctx, a.getString("coordinate_transformation_mode", "half_pixel"));
  r.opt.rounding = parseRounding(ctx, a.getString("nearest_mode", "round_prefer_floor"));
  r.opt.cubicA = a.getFloat("cubic_coeff_a", -0.75f);
  r.opt.excludeOutside = a.getInt("exclude_outside", 0) != 0;
  r.opt.antialias = a.getInt("antialias", 0) != 0 && r.opt.mode != ResizeMode::Nearest;
  r.extrapolation = a.getFloat("extrapolation_value", 0.0f);

  std::vector<int64_t> in = ctx.inputShape(0), out = ctx.outputShape(0);
  size_t rank = in.size();
  if (rank == 0 || out.size() != rank) ctx.fail("X and Y ranks differ or are 0");
  r.axes.resize(rank);
  for (size_t i = 0; i < rank; ++i) {
    r.axes[i].in = in[i];
    r.axes[i].out = out[i];
    r.axes[i].lengthResized = static_cast<float>(out[i]);
    if (in[i] == 0 && out[i] != 0) ctx.fail("cannot resize an empty axis {}", i);
  }

  std::vector<size_t> axes;
  if (a.has("axes")) {
    for (int64_t ax : a.getInts("axes")) axes.push_back(ctx.normalizeAxis(ax, static_cast<int64_t>(rank)));
  } else {
    for (size_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  bool bySizes = !isAbsentOrEmpty(ctx, 3);
  const ir::TensorData* given = ctx.inputConstant(bySizes ? 3 : 2);
  if (!given) ctx.fail("{} must be a compile-time constant", bySizes ? "sizes" : "scales");
  if (static_cast<size_t>(given->numElements()) != axes.size())
    ctx.fail("{} has {} entries, expected {}", bySizes ? "sizes" : "scales", given->numElements(), axes.size());

  std::string policy = a.getString("keep_aspect_ratio_policy", "stretch");
  if (bySizes && policy != "stretch") {
    // One common scale, from which the shape rule derived the output.
    float s = policy == "not_larger" ? INFINITY : 0.0f;
    for (size_t i = 0; i < axes.size(); ++i) {
      float si = static_cast<float>(given->intAt(static_cast<int64_t>(i))) / static_cast<float>(in[axes[i]]);
      s = policy == "not_larger" ? std::min(s, si) : std::max(s, si);
    }
    for (size_t ax : axes) {
      r.axes[ax].scale = s;
      r.axes[ax].lengthResized = s * static_cast<float>(in[ax]);
    }
  } else {
    for (size_t i = 0; i < axes.size(); ++i) {
      ResizeAxis& ra = r.axes[axes[i]];
      if (bySizes) {
        ra.scale = static_cast<float>(ra.out) / static_cast<float>(ra.in);
      } else {
        ra.scale = static_cast<float>(given->floatAt(static_cast<int64_t>(i)));
        ra.lengthResized = ra.scale * static_cast<float>(ra.in);
      }
    }
  }
  for (size_t ax : axes) {
    r.axes[ax].resized = true;
    if (!(r.axes[ax].scale > 0)) ctx.fail("scale {} of axis {} must be positive", r.axes[ax].scale, ax);
  }

  if (r.opt.coord == ResizeCoord::TfCropAndResize && ctx.hasInput(1)) {
    const ir::TensorData* roi = &ctx.requireConstant(1, "roi");
    if (roi->numElements() != 0) {
      if (static_cast<size_t>(roi->numElements()) != 2 * axes.size())
        ctx.fail("roi has {} entries, expected {}", roi->numElements(), 2 * axes.size());
      for (size_t i = 0; i < axes.size(); ++i) {
        r.axes[axes[i]].roiStart = static_cast<float>(roi->floatAt(static_cast<int64_t>(i)));
        r.axes[axes[i]].roiEnd = static_cast<float>(roi->floatAt(static_cast<int64_t>(axes.size() + i)));
      }
    }
  }
  return r;
}

// An axis's taps as IR: tables (absent for identity axes), pre-multiplied by
// the axis's stride in X.
struct AxisTables {
  ResizeTaps taps;
  int64_t stride = 1;
  llvm::Value *index = nullptr, *weight = nullptr, *outside = nullptr;
};

AxisTables makeTables(const KernelContext& ctx, DType ct, const ResizeOptions& opt, const ResizeAxis& axis,
                      int64_t stride) {
  AxisTables t;
  t.taps = resizeTaps(opt, axis);
  t.stride = stride;
  if (!t.taps.outside.empty()) {
    std::vector<int64_t> flags(t.taps.outside.begin(), t.taps.outside.end());
    t.outside = convir::indexTable(ctx, flags, "resize_outside");
  }
  if (t.taps.identity) return t;
  std::vector<int64_t> offsets = t.taps.index;
  for (int64_t& v : offsets) v *= stride;
  t.index = convir::indexTable(ctx, offsets, "resize_src");
  if (!t.taps.weight.empty()) t.weight = convir::floatTable(ctx, ct, t.taps.weight, "resize_w");
  return t;
}

// The factor f when the taps upsample by an integer factor with nearest
// neighbours (output o reads input o / f), else 0.
int64_t integerUpsampling(const ResizeTaps& t, int64_t out) {
  if (t.identity || t.count != 1 || !t.outside.empty() || !t.weight.empty() || out == 0) return 0;
  int64_t f = 1;
  while (f < out && t.index[static_cast<size_t>(f)] == 0) ++f;
  for (int64_t o = 0; o < out; ++o)
    if (t.index[static_cast<size_t>(o)] != o / f) return 0;
  return f;
}

// Output elements [0, vectors * lanes) of a nearest row whose last axis
// upsamples by f: each output vector repeats lanes / f consecutive source
// elements f times (f dividing lanes) or one source element (lanes dividing f).
void emitUpsampledRow(KernelContext& ctx, DType et, int64_t f, int64_t lanes, int64_t vectors, llvm::Value* src,
                      llvm::Value* dst) {
  using namespace convir;
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Type* elem = ctx.llvmType(et);
  llvm::Align align(dtypeSize(et));
  ctx.loop(0, vectors, [&](llvm::Value* v) {
    llvm::Value* o0 = mul(ctx, v, lanes);
    llvm::Value* value;
    if (lanes % f == 0) {
      auto* narrow = llvm::FixedVectorType::get(elem, static_cast<unsigned>(lanes / f));
      llvm::Value* in = b.CreateAlignedLoad(narrow, ctx.elementPtr(et, ctx.input(0), add(ctx, src, mul(ctx, v, lanes / f))),
                                            align);
      std::vector<int> repeat;
      for (int64_t i = 0; i < lanes; ++i) repeat.push_back(static_cast<int>(i / f));
      value = b.CreateShuffleVector(in, repeat);
    } else {
      value = b.CreateVectorSplat(static_cast<unsigned>(lanes),
                                  ctx.load(et, ctx.input(0), add(ctx, src, b.CreateUDiv(o0, ctx.i64(f)))));
    }
    b.CreateAlignedStore(value, ctx.elementPtr(et, ctx.output(0), add(ctx, dst, o0)), align);
  });
}

}  // namespace

void emitResize(KernelContext& ctx) {
  using namespace convir;
  ResizeSpec r = readSpec(ctx);
  DType dt = ctx.inputDType(0);
  bool nearest = r.opt.mode == ResizeMode::Nearest;
  if (!nearest && !isFloat(dt))
    ctx.fail("unsupported: {} Resize of {} (float types only)", nearest ? "nearest" : "linear/cubic",
             dtypeName(dt));
  // Nearest moves elements as raw bits; the filters compute in f32 (f64 for f64).
  DType et = nearest ? bitsType(ctx, dt) : dt;
  DType ct = dt == DType::F64 ? DType::F64 : DType::F32;
  size_t rank = r.axes.size();
  int64_t rows = 1;
  for (size_t i = 0; i + 1 < rank; ++i) rows *= r.axes[i].out;
  int64_t rowLen = r.axes[rank - 1].out;
  if (rows * rowLen == 0) return;

  std::vector<int64_t> inShape;
  for (const ResizeAxis& a : r.axes) inShape.push_back(a.in);
  std::vector<int64_t> inStrides = stridesOf(inShape);
  std::vector<AxisTables> tables;
  for (size_t i = 0; i < rank; ++i) tables.push_back(makeTables(ctx, ct, r.opt, r.axes[i], inStrides[i]));
  std::vector<int64_t> rowExtents;
  for (size_t i = 0; i + 1 < rank; ++i) rowExtents.push_back(r.axes[i].out);
  if (rowExtents.empty()) rowExtents.push_back(1);
  llvm::Value* extrapolation = ctx.constant(ct, r.extrapolation);
  // Nearest upsampling of the last axis by an integer factor, nothing
  // extrapolated: whole vectors of each row by loads and shuffles.
  int64_t upsample = 0, lanes = ctx.target.vectorBits / 8 / static_cast<int64_t>(dtypeSize(et)), upsampleVectors = 0;
  bool extrapolates = false;
  for (const AxisTables& t : tables) extrapolates = extrapolates || t.outside;
  if (nearest && !extrapolates) upsample = integerUpsampling(tables[rank - 1].taps, rowLen);
  if (upsample > 0 && lanes > 1 && (lanes % upsample == 0 || upsample % lanes == 0)) upsampleVectors = rowLen / lanes;

  ctx.parallelFor(rows, [&](llvm::Value* row) {
    std::vector<llvm::Value*> idx = splitIndex(ctx, row, rowExtents);
    // Identity and nearest outer axes add a fixed offset; filtered ones are looped over.
    llvm::Value* rowOffset = ctx.i64(0);
    llvm::Value* rowOutside = nullptr;
    std::vector<size_t> filtered;
    for (size_t a = 0; a + 1 < rank; ++a) {
      const AxisTables& t = tables[a];
      if (t.outside) {
        llvm::Value* o = ctx.b.CreateICmpNE(loadIndex(ctx, t.outside, idx[a]), ctx.i64(0));
        rowOutside = rowOutside ? ctx.b.CreateOr(rowOutside, o) : o;
      }
      if (t.taps.identity) rowOffset = add(ctx, rowOffset, mul(ctx, idx[a], t.stride));
      else if (t.taps.count == 1 && !t.weight) rowOffset = add(ctx, rowOffset, loadIndex(ctx, t.index, idx[a]));
      else filtered.push_back(a);
    }

    const AxisTables& last = tables[rank - 1];
    llvm::Value* yRow = mul(ctx, row, rowLen);
    llvm::AllocaInst* acc = nearest ? nullptr : entryAlloca(ctx, ctx.llvmType(ct));
    int64_t start = 0;  // the elements before it are written by vectors
    if (upsampleVectors > 0) {
      emitUpsampledRow(ctx, et, upsample, lanes, upsampleVectors, rowOffset, yRow);
      start = upsampleVectors * lanes;
    }
    ctx.loop(start, rowLen, [&](llvm::Value* o) {
      llvm::Value* outside = rowOutside;
      if (last.outside) {
        llvm::Value* lo = ctx.b.CreateICmpNE(loadIndex(ctx, last.outside, o), ctx.i64(0));
        outside = outside ? ctx.b.CreateOr(outside, lo) : lo;
      }
      if (nearest) {
        llvm::Value* src = last.taps.identity ? o : loadIndex(ctx, last.index, o);
        llvm::Value* v = ctx.load(et, ctx.input(0), add(ctx, rowOffset, src));
        if (outside) {
          llvm::Value* fill = ctx.b.CreateBitCast(ctx.constant(dt, r.extrapolation), ctx.llvmType(et));
          v = ctx.b.CreateSelect(outside, fill, v);
        }
        return ctx.store(et, ctx.output(0), add(ctx, yRow, o), v);
      }
      // The last axis's taps at source offset `base`, weighted.
      auto inner = [&](llvm::Value* base) -> llvm::Value* {
        if (last.taps.identity)
          return ctx.convert(ctx.load(dt, ctx.input(0), add(ctx, base, o)), dt, ct);
        int64_t k = last.taps.count;
        llvm::Value* first = mul(ctx, o, k);
        llvm::Value* sum = nullptr;
        for (int64_t j = 0; j < k; ++j) {
          llvm::Value* at = add(ctx, first, j);
          llvm::Value* v = ctx.convert(ctx.load(dt, ctx.input(0), add(ctx, base, loadIndex(ctx, last.index, at))),
                                       dt, ct);
          llvm::Value* w = ctx.load(ct, last.weight, at);
          sum = sum ? fmulAdd(ctx, v, w, sum) : ctx.b.CreateFMul(v, w);
        }
        return sum;
      };
      llvm::Value* value;
      if (filtered.empty()) {
        value = inner(rowOffset);
      } else {
        ctx.b.CreateStore(ctx.constant(ct, 0), acc);
        // Nested loops over the filtered outer axes' taps, carrying offset and weight.
        std::function<void(size_t, llvm::Value*, llvm::Value*)> level = [&](size_t l, llvm::Value* off,
                                                                             llvm::Value* w) {
          if (l == filtered.size()) {
            llvm::Value* sum = ctx.b.CreateLoad(ctx.llvmType(ct), acc);
            ctx.b.CreateStore(fmulAdd(ctx, inner(off), w, sum), acc);
            return;
          }
          const AxisTables& t = tables[filtered[l]];
          llvm::Value* first = mul(ctx, idx[filtered[l]], t.taps.count);
          ctx.loop(0, t.taps.count, [&](llvm::Value* k) {
            llvm::Value* at = add(ctx, first, k);
            llvm::Value* tw = ctx.load(ct, t.weight, at);
            level(l + 1, add(ctx, off, loadIndex(ctx, t.index, at)), w ? ctx.b.CreateFMul(w, tw) : tw);
          });
        };
        level(0, rowOffset, nullptr);
        value = ctx.b.CreateLoad(ctx.llvmType(ct), acc);
      }
      if (outside) value = ctx.b.CreateSelect(outside, extrapolation, value);
      ctx.store(dt, ctx.output(0), add(ctx, yRow, o), ctx.convert(value, ct, dt));
    });
  });
}

}  // namespace kiln::codegen
