// Shape rules of the convolution family: Conv, ConvTranspose, BatchNormalization,
// the pools and Resize (ONNX latest-opset semantics).
//
// Spatial attributes are read and checked once (readWindow) and every output
// dim is computed by the formulas of the ONNX operator spec. Where ONNX leaves
// a detail to implementations (ceil_mode's last window) we follow ONNX Runtime
// so that results agree with the reference we test against.
#include <algorithm>
#include <cmath>
#include <set>

#include "ir/pool_input.h"
#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

void requireFloatType(const InferContext& ctx, DType t, const char* what) {
  if (!isFloat(t)) ctx.fail("{} must be a floating-point tensor, got {}", what, dtypeName(t));
}

// The rank of X as `what` requires it: N, C and at least one spatial axis.
void requireSpatialRank(const InferContext& ctx, const TensorType& t, const char* what) {
  if (t.rankKnown && t.shape.size() < 3)
    ctx.fail("{} must have rank >= 3 (N, C, spatial...), got rank {}", what, t.shape.size());
}

// Window attributes of a conv or pool node, one entry per spatial axis.
struct Window {
  std::vector<int64_t> kernel;     // empty entries = unknown (from a symbolic W dim)
  std::vector<bool> kernelKnown;
  std::vector<int64_t> strides, dilations, padsBegin, padsEnd;
  std::string autoPad;
};

// Reads kernel_shape (or takes `kernelFromW` when the attribute is absent),
// strides, dilations, pads and auto_pad, checking lengths and signs.
Window readWindow(const InferContext& ctx, size_t spatial, const std::vector<Dim>* kernelFromW) {
  const Attributes& a = ctx.attrs();
  Window w;
  std::vector<int64_t> ks = a.getInts("kernel_shape");
  if (a.has("kernel_shape")) {
    if (ks.size() != spatial)
      ctx.fail("kernel_shape has {} entries, expected {} (one per spatial axis)", ks.size(), spatial);
    for (size_t i = 0; i < spatial; ++i) {
      if (ks[i] <= 0) ctx.fail("kernel_shape[{}] = {} must be positive", i, ks[i]);
      if (kernelFromW && (*kernelFromW)[i].isStatic() && (*kernelFromW)[i].value != ks[i])
        ctx.fail("kernel_shape[{}] = {} disagrees with W's spatial dim {}", i, ks[i],
                 (*kernelFromW)[i].value);
    }
    w.kernel = ks;
    w.kernelKnown.assign(spatial, true);
  } else if (kernelFromW) {
    for (const Dim& d : *kernelFromW) {
      w.kernel.push_back(d.isStatic() ? d.value : 0);
      w.kernelKnown.push_back(d.isStatic());
    }
  } else {
    ctx.fail("attribute kernel_shape is required");
  }

  auto perAxis = [&](const char* name, size_t count, int64_t def) {
    std::vector<int64_t> v = a.getInts(name);
    if (!a.has(name)) return std::vector<int64_t>(count, def);
    if (v.size() != count) ctx.fail("{} has {} entries, expected {}", name, v.size(), count);
    return v;
  };
  w.strides = perAxis("strides", spatial, 1);
  w.dilations = perAxis("dilations", spatial, 1);
  std::vector<int64_t> pads = perAxis("pads", 2 * spatial, 0);
  for (size_t i = 0; i < spatial; ++i) {
    if (w.strides[i] <= 0) ctx.fail("strides[{}] = {} must be positive", i, w.strides[i]);
    if (w.dilations[i] <= 0) ctx.fail("dilations[{}] = {} must be positive", i, w.dilations[i]);
  }
  for (size_t i = 0; i < 2 * spatial; ++i)
    if (pads[i] < 0) ctx.fail("pads[{}] = {} must not be negative", i, pads[i]);
  w.padsBegin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(spatial));
  w.padsEnd.assign(pads.begin() + static_cast<std::ptrdiff_t>(spatial), pads.end());

  w.autoPad = a.getString("auto_pad", "NOTSET");
  if (w.autoPad != "NOTSET" && w.autoPad != "SAME_UPPER" && w.autoPad != "SAME_LOWER" &&
      w.autoPad != "VALID")
    ctx.fail("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", w.autoPad);
  return w;
}

// Output length of spatial axis i of a conv or pool over an input of length
// `in` (ONNX Conv/MaxPool/AveragePool formulas).
Dim windowOutDim(const InferContext& ctx, const Window& w, size_t i, const Dim& in, bool ceilMode) {
  int64_t s = w.strides[i];
  if (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER") {
    if (in.isStatic()) return Dim::known(ceilDiv(in.value, s));
    return s == 1 ? in : Dim::unknown();
  }
  if (!in.isStatic() || !w.kernelKnown[i]) return Dim::unknown();
  int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;  // dilated kernel
  bool valid = w.autoPad == "VALID";
  int64_t pb = valid ? 0 : w.padsBegin[i], pe = valid ? 0 : w.padsEnd[i];
  int64_t span = in.value + pb + pe - extent;
  if (span < 0)
    ctx.fail("kernel extent {} on spatial axis {} is larger than the padded input ({})", extent, i,
             in.value + pb + pe);
  if (!ceilMode || valid) return Dim::known(span / s + 1);
  int64_t out = ceilDiv(span, s) + 1;
  // The last window must start inside the input or its begin padding.
  if ((out - 1) * s >= in.value + pb) --out;
  return Dim::known(out);
}

std::vector<Dim> spatialDims(const TensorType& t) {
  if (!t.rankKnown || t.shape.size() < 2) return {};
  return std::vector<Dim>(t.shape.begin() + 2, t.shape.end());
}

// Checks that a 1-D per-channel input (bias, scale, mean...) has `channels` entries.
void requireChannelVector(const InferContext& ctx, size_t input, const Dim& channels,
                          const char* what, DType dtype) {
  const TensorType& t = ctx.inputType(input);
  if (t.dtype != dtype)
    ctx.fail("{} has dtype {}, expected {} like X", what, dtypeName(t.dtype), dtypeName(dtype));
  if (!t.rankKnown) return;
  if (t.shape.size() != 1) ctx.fail("{} must be 1-D, got rank {}", what, t.shape.size());
  if (t.shape[0].isStatic() && channels.isStatic() && t.shape[0].value != channels.value)
    ctx.fail("{} has {} entries, expected {}", what, t.shape[0].value, channels.value);
}

int64_t readGroup(const InferContext& ctx) {
  int64_t group = ctx.attrs().getInt("group", 1);
  if (group <= 0) ctx.fail("group = {} must be positive", group);
  return group;
}

// Shared checks of Conv and ConvTranspose: dtypes, ranks, returns the rank (0 if unknown).
size_t convRank(const InferContext& ctx, const TensorType& x, const TensorType& w) {
  requireFloatType(ctx, x.dtype, "X");
  if (w.dtype != x.dtype)
    ctx.fail("W has dtype {}, expected {} like X", dtypeName(w.dtype), dtypeName(x.dtype));
  requireSpatialRank(ctx, x, "X");
  requireSpatialRank(ctx, w, "W");
  if (x.rankKnown && w.rankKnown && x.shape.size() != w.shape.size())
    ctx.fail("W has rank {} but X has rank {}", w.shape.size(), x.shape.size());
  if (x.rankKnown) return x.shape.size();
  return w.rankKnown ? w.shape.size() : 0;
}

Dim dimOr(const TensorType& t, size_t i) { return t.rankKnown ? t.shape[i] : Dim::unknown(); }

}  // namespace

void inferShapesConv(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& w = ctx.inputType(1);
  size_t rank = convRank(ctx, x, w);
  if (rank == 0) return ctx.setOutput(0, unknownRank(x.dtype));
  size_t spatial = rank - 2;
  int64_t group = readGroup(ctx);

  Dim n = dimOr(x, 0), c = dimOr(x, 1), oc = dimOr(w, 0), wc = dimOr(w, 1);
  if (oc.isStatic() && oc.value % group != 0)
    ctx.fail("W's output channels ({}) are not divisible by group ({})", oc.value, group);
  if (c.isStatic() && wc.isStatic() && c.value != wc.value * group)
    ctx.fail("X has {} channels but W expects {} (W dim 1 = {} x group {})", c.value,
             wc.value * group, wc.value, group);
  if (c.isStatic() && c.value % group != 0)
    ctx.fail("X's channels ({}) are not divisible by group ({})", c.value, group);
  if (ctx.hasInput(2)) requireChannelVector(ctx, 2, oc, "bias B", x.dtype);

  std::vector<Dim> wSpatial = w.rankKnown ? spatialDims(w) : std::vector<Dim>(spatial);
  Window win = readWindow(ctx, spatial, &wSpatial);
  std::vector<Dim> xSpatial = x.rankKnown ? spatialDims(x) : std::vector<Dim>(spatial);
  // pool_input (ir/pool_input.h): the conv sees X's channel means, 1x1.
  if (ctx.attrs().getInt(kPoolInputAttr, 0) != 0) xSpatial.assign(spatial, Dim::known(1));

  TensorType out;
  out.dtype = x.dtype;
  out.shape = {n, oc};
  for (size_t i = 0; i < spatial; ++i) out.shape.push_back(windowOutDim(ctx, win, i, xSpatial[i], false));
  ctx.setOutput(0, std::move(out));
}

void inferShapesConvTranspose(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& w = ctx.inputType(1);
  size_t rank = convRank(ctx, x, w);
  if (rank == 0) return ctx.setOutput(0, unknownRank(x.dtype));
  size_t spatial = rank - 2;
  int64_t group = readGroup(ctx);

  // W is (C, OC / group, k...).
  Dim n = dimOr(x, 0), c = dimOr(x, 1), wc = dimOr(w, 0), ocPerGroup = dimOr(w, 1);
  if (c.isStatic() && wc.isStatic() && c.value != wc.value)
    ctx.fail("X has {} channels but W's dim 0 is {}", c.value, wc.value);
  if (wc.isStatic() && wc.value % group != 0)
    ctx.fail("W's input channels ({}) are not divisible by group ({})", wc.value, group);
  Dim oc = ocPerGroup.isStatic() ? Dim::known(ocPerGroup.value * group) : Dim::unknown();
  if (ctx.hasInput(2)) requireChannelVector(ctx, 2, oc, "bias B", x.dtype);

  std::vector<Dim> wSpatial = w.rankKnown ? spatialDims(w) : std::vector<Dim>(spatial);
  Window win = readWindow(ctx, spatial, &wSpatial);
  const Attributes& a = ctx.attrs();
  std::vector<int64_t> outputPadding = a.getInts("output_padding");
  if (!a.has("output_padding")) outputPadding.assign(spatial, 0);
  if (outputPadding.size() != spatial)
    ctx.fail("output_padding has {} entries, expected {}", outputPadding.size(), spatial);
  for (size_t i = 0; i < spatial; ++i)
    if (outputPadding[i] < 0 ||
        outputPadding[i] >= std::max(win.strides[i], win.dilations[i]))
      ctx.fail("output_padding[{}] = {} must be in [0, max(stride, dilation))", i,
               outputPadding[i]);
  std::vector<int64_t> outputShape = a.getInts("output_shape");
  if (a.has("output_shape")) {
    // Older exporters wrote the full (N, C, spatial...) shape; the spatial tail is what counts.
    if (outputShape.size() == spatial + 2)
      outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
    if (outputShape.size() != spatial)
      ctx.fail("output_shape has {} entries, expected {}", outputShape.size(), spatial);
    for (size_t i = 0; i < spatial; ++i)
      if (outputShape[i] <= 0) ctx.fail("output_shape[{}] = {} must be positive", i, outputShape[i]);
  }

  std::vector<Dim> xSpatial = x.rankKnown ? spatialDims(x) : std::vector<Dim>(spatial);
  TensorType out;
  out.dtype = x.dtype;
  out.shape = {n, oc};
  for (size_t i = 0; i < spatial; ++i) {
    const Dim& in = xSpatial[i];
    int64_t s = win.strides[i];
    if (!outputShape.empty()) {
      // Pads are derived from output_shape; a longer output than the full
      // transposed one means negative pads (the extra positions get the bias).
      out.shape.push_back(Dim::known(outputShape[i]));
    } else if (win.autoPad == "SAME_UPPER" || win.autoPad == "SAME_LOWER") {
      out.shape.push_back(in.isStatic() ? Dim::known(in.value * s) : (s == 1 ? in : Dim::unknown()));
    } else if (!in.isStatic() || !win.kernelKnown[i]) {
      out.shape.push_back(Dim::unknown());
    } else {
      bool valid = win.autoPad == "VALID";
      int64_t pads = valid ? 0 : win.padsBegin[i] + win.padsEnd[i];
      int64_t len = s * (in.value - 1) + outputPadding[i] + (win.kernel[i] - 1) * win.dilations[i] +
                    1 - pads;
      if (len <= 0) ctx.fail("pads on spatial axis {} leave an empty output ({})", i, len);
      out.shape.push_back(Dim::known(len));
    }
  }
  ctx.setOutput(0, std::move(out));
}

void inferShapesBatchNormalization(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloatType(ctx, x.dtype, "X");
  bool training = ctx.attrs().getInt("training_mode", 0) != 0;
  if (!training && ctx.node.outputs.size() > 1)
    ctx.fail("unsupported: outputs running_mean and running_var exist only with training_mode = 1");
  if (x.rankKnown && x.shape.size() < 2)
    ctx.fail("X must have rank >= 2 (N, C, ...), got rank {}", x.shape.size());
  float epsilon = ctx.attrs().getFloat("epsilon", 1e-5f);
  if (!(epsilon >= 0)) ctx.fail("epsilon = {} must be non-negative", epsilon);
  Dim c = dimOr(x, 1);
  requireChannelVector(ctx, 1, c, "scale", x.dtype);
  requireChannelVector(ctx, 2, c, "B", x.dtype);
  requireChannelVector(ctx, 3, c, "input_mean", x.dtype);
  requireChannelVector(ctx, 4, c, "input_var", x.dtype);
  ctx.setOutput(0, x);
  // training_mode = 1 (codegen/ops/norm_batchnorm_training.cpp): the updated running statistics.
  for (size_t i = 1; i < ctx.node.outputs.size(); ++i) ctx.setOutput(i, ctx.inputType(3));
}

namespace {

void inferPool(InferContext& ctx, bool isMax) {
  const TensorType& x = ctx.inputType(0);
  // MaxPool also takes integers (ONNX lists int8 and uint8).
  if (!isMax || isFloat(x.dtype) || x.dtype == DType::Bool || x.dtype == DType::String)
    requireFloatType(ctx, x.dtype, "X");
  requireSpatialRank(ctx, x, "X");
  if (!x.rankKnown) {
    ctx.setOutput(0, unknownRank(x.dtype));
    if (ctx.node.outputs.size() > 1) ctx.setOutput(1, unknownRank(DType::I64));
    return;
  }
  size_t spatial = x.shape.size() - 2;
  Window win = readWindow(ctx, spatial, nullptr);
  int64_t ceilMode = ctx.attrs().getInt("ceil_mode", 0);
  if (ceilMode != 0 && ceilMode != 1) ctx.fail("ceil_mode = {} must be 0 or 1", ceilMode);
  if (!isMax) {
    int64_t cip = ctx.attrs().getInt("count_include_pad", 0);
    if (cip != 0 && cip != 1) ctx.fail("count_include_pad = {} must be 0 or 1", cip);
  } else {
    int64_t order = ctx.attrs().getInt("storage_order", 0);
    if (order != 0 && order != 1) ctx.fail("storage_order = {} must be 0 or 1", order);
  }
  for (size_t i = 0; i < spatial; ++i) {
    // A window lying wholly in the padding would have nothing to pool.
    if (win.autoPad == "NOTSET" &&
        (win.padsBegin[i] >= win.kernel[i] || win.padsEnd[i] >= win.kernel[i]))
      ctx.fail("pads on spatial axis {} ({}, {}) must be smaller than the kernel ({})", i,
               win.padsBegin[i], win.padsEnd[i], win.kernel[i]);
  }
  TensorType out;
  out.dtype = x.dtype;
  out.shape = {x.shape[0], x.shape[1]};
  for (size_t i = 0; i < spatial; ++i)
    out.shape.push_back(windowOutDim(ctx, win, i, x.shape[i + 2], ceilMode == 1));
  if (ctx.node.outputs.size() > 1) {  // MaxPool's Indices
    TensorType indices = out;
    indices.dtype = DType::I64;
    ctx.setOutput(1, std::move(indices));
  }
  ctx.setOutput(0, std::move(out));
}

void inferGlobalPool(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  requireFloatType(ctx, x.dtype, "X");
  requireSpatialRank(ctx, x, "X");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  TensorType out;
  out.dtype = x.dtype;
  out.shape = {x.shape[0], x.shape[1]};
  for (size_t i = 2; i < x.shape.size(); ++i) out.shape.push_back(Dim::known(1));
  ctx.setOutput(0, std::move(out));
}

}  // namespace

void inferShapesMaxPool(InferContext& ctx) { inferPool(ctx, true); }
void inferShapesAveragePool(InferContext& ctx) { inferPool(ctx, false); }
void inferShapesGlobalAveragePool(InferContext& ctx) { inferGlobalPool(ctx); }
void inferShapesGlobalMaxPool(InferContext& ctx) { inferGlobalPool(ctx); }

namespace {

// An optional input that is absent or an empty tensor (Resize's way of saying
// "not given" before opset 13).
bool isAbsentOrEmpty(const InferContext& ctx, size_t i) {
  if (!ctx.hasInput(i)) return true;
  const TensorType& t = ctx.inputType(i);
  return t.isStatic() && t.numElements() == 0;
}

void checkOneOf(const InferContext& ctx, const char* attr, const std::string& v,
                std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return;
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  ctx.fail("{} '{}' is not one of {}", attr, v, list);
}

}  // namespace

void inferShapesResize(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const Attributes& a = ctx.attrs();
  checkOneOf(ctx, "mode", a.getString("mode", "nearest"), {"nearest", "linear", "cubic"});
  // tf_half_pixel_for_nn is opset 11's; kept so that models of that opset load.
  checkOneOf(ctx, "coordinate_transformation_mode",
             a.getString("coordinate_transformation_mode", "half_pixel"),
             {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
              "asymmetric", "tf_crop_and_resize", "tf_half_pixel_for_nn"});
  checkOneOf(ctx, "nearest_mode", a.getString("nearest_mode", "round_prefer_floor"),
             {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"});
  std::string policy = a.getString("keep_aspect_ratio_policy", "stretch");
  checkOneOf(ctx, "keep_aspect_ratio_policy", policy, {"stretch", "not_larger", "not_smaller"});
  for (const char* flag : {"exclude_outside", "antialias"}) {
    int64_t v = a.getInt(flag, 0);
    if (v != 0 && v != 1) ctx.fail("{} = {} must be 0 or 1", flag, v);
  }
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  int64_t rank = static_cast<int64_t>(x.shape.size());
  if (rank == 0) ctx.fail("X must have rank >= 1");

  std::vector<int64_t> axes = a.getInts("axes");
  if (!a.has("axes"))
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  std::set<int64_t> seen;
  for (int64_t& ax : axes) {
    ax = ctx.normalizeAxis(ax, rank);
    if (!seen.insert(ax).second) ctx.fail("axes lists axis {} twice", ax);
  }

  bool hasScales = !isAbsentOrEmpty(ctx, 2), hasSizes = !isAbsentOrEmpty(ctx, 3);
  if (hasScales && hasSizes) ctx.fail("only one of scales and sizes may be given");
  if (!hasScales && !hasSizes) ctx.fail("one of scales and sizes must be given");

  TensorType out = x;
  const TensorData* given = ctx.inputConstant(hasSizes ? 3 : 2);
  // A static X with unknown scales/sizes: specialization needs their contents.
  if (!given && x.isStatic()) given = &ctx.requireConstant(hasSizes ? 3 : 2, hasSizes ? "sizes" : "scales");
  if (!given) {
    for (int64_t ax : axes) out.shape[static_cast<size_t>(ax)] = Dim::unknown();
    return ctx.setOutput(0, std::move(out));
  }
  if (static_cast<size_t>(given->numElements()) != axes.size())
    ctx.fail("{} has {} entries, expected {}", hasSizes ? "sizes" : "scales", given->numElements(),
             axes.size());

  if (hasSizes) {
    std::vector<int64_t> sizes = given->toInts();
    for (size_t i = 0; i < axes.size(); ++i)
      if (sizes[i] <= 0) ctx.fail("sizes[{}] = {} must be positive", i, sizes[i]);
    if (policy == "stretch") {
      for (size_t i = 0; i < axes.size(); ++i)
        out.shape[static_cast<size_t>(axes[i])] = Dim::known(sizes[i]);
      return ctx.setOutput(0, std::move(out));
    }
    // One scale for all listed axes, the smallest (not_larger) or largest
    // (not_smaller) of sizes / input, then out = round(scale * in).
    float scale = policy == "not_larger" ? INFINITY : 0.0f;
    for (size_t i = 0; i < axes.size(); ++i) {
      const Dim& in = x.shape[static_cast<size_t>(axes[i])];
      if (!in.isStatic()) {
        for (int64_t ax : axes) out.shape[static_cast<size_t>(ax)] = Dim::unknown();
        return ctx.setOutput(0, std::move(out));
      }
      float s = static_cast<float>(sizes[i]) / static_cast<float>(in.value);
      scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
    }
    for (int64_t ax : axes) {
      Dim& d = out.shape[static_cast<size_t>(ax)];
      d = Dim::known(static_cast<int64_t>(std::round(scale * static_cast<float>(d.value))));
    }
    return ctx.setOutput(0, std::move(out));
  }

  std::vector<double> scales = given->toDoubles();
  for (size_t i = 0; i < axes.size(); ++i) {
    if (!(scales[i] > 0)) ctx.fail("scales[{}] = {} must be positive", i, scales[i]);
    Dim& d = out.shape[static_cast<size_t>(axes[i])];
    if (!d.isStatic()) {
      if (scales[i] != 1.0) d = Dim::unknown();
      continue;
    }
    // Computed in float, as ONNX Runtime does, so that borderline products
    // (e.g. 0.6f * 10) truncate the same way.
    float len = static_cast<float>(scales[i]) * static_cast<float>(d.value);
    if (a.getString("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize") {
      const TensorData* roi = &ctx.requireConstant(1, "roi");
      if (static_cast<size_t>(roi->numElements()) != 2 * axes.size())
        ctx.fail("roi has {} entries, expected {}", roi->numElements(), 2 * axes.size());
      len *= static_cast<float>(roi->floatAt(static_cast<int64_t>(axes.size() + i)) -
                                roi->floatAt(static_cast<int64_t>(i)));
    }
    int64_t v = static_cast<int64_t>(std::floor(len));
    if (v <= 0) ctx.fail("scales[{}] = {} leaves axis {} empty", i, scales[i], axes[i]);
    d = Dim::known(v);
  }
  ctx.setOutput(0, std::move(out));
}

}  // namespace kiln::ir
