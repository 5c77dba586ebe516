// Shape rules of the spatial rearrangement and sampling ops: DepthToSpace,
// SpaceToDepth (ONNX 13), GridSample (ONNX 16: 4-D; ONNX 20: N-D), RoiAlign
// (ONNX 16) and MaxUnpool (ONNX 11).
#include "ir/shape_rules.h"

namespace kiln::ir {

namespace {

Dim mulDim(const Dim& d, int64_t f) { return d.isStatic() ? Dim::known(d.value * f) : Dim::unknown(); }

int64_t readBlocksize(const InferContext& ctx) {
  int64_t b = ctx.attrs().getInt("blocksize", 0);
  if (!ctx.attrs().has("blocksize")) ctx.fail("attribute blocksize is required");
  if (b <= 0) ctx.fail("blocksize = {} must be positive", b);
  return b;
}

void requireRank4(const InferContext& ctx, const TensorType& x, const char* what) {
  if (x.rankKnown && x.shape.size() != 4)
    ctx.fail("{} must be 4-D (N, C, H, W), got rank {}", what, x.shape.size());
}

void requireFloat(const InferContext& ctx, DType t, const char* what) {
  if (!isFloat(t)) ctx.fail("{} must be a floating-point tensor, got {}", what, dtypeName(t));
}

}  // namespace

void inferShapesDepthToSpace(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  int64_t b = readBlocksize(ctx);
  std::string mode = ctx.attrs().getString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") ctx.fail("mode '{}' is not one of DCR, CRD", mode);
  requireRank4(ctx, x, "input");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  const Dim& c = x.shape[1];
  if (c.isStatic() && c.value % (b * b) != 0)
    ctx.fail("channels ({}) are not divisible by blocksize^2 ({})", c.value, b * b);
  TensorType out = x;
  out.shape[1] = c.isStatic() ? Dim::known(c.value / (b * b)) : Dim::unknown();
  out.shape[2] = mulDim(x.shape[2], b);
  out.shape[3] = mulDim(x.shape[3], b);
  ctx.setOutput(0, std::move(out));
}

void inferShapesSpaceToDepth(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  int64_t b = readBlocksize(ctx);
  requireRank4(ctx, x, "input");
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  TensorType out = x;
  out.shape[1] = mulDim(x.shape[1], b * b);
  for (size_t i = 2; i < 4; ++i) {
    const Dim& d = x.shape[i];
    if (d.isStatic() && d.value % b != 0)
      ctx.fail("spatial dim {} ({}) is not divisible by blocksize {}", i, d.value, b);
    out.shape[i] = d.isStatic() ? Dim::known(d.value / b) : Dim::unknown();
  }
  ctx.setOutput(0, std::move(out));
}

// X (N, C, D1..Dr), grid (N, O1..Or, r) -> Y (N, C, O1..Or).
void inferShapesGridSample(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& grid = ctx.inputType(1);
  const Attributes& a = ctx.attrs();
  std::string mode = a.getString("mode", "bilinear");
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic" && mode != "linear" && mode != "cubic")
    ctx.fail("mode '{}' is not one of bilinear, nearest, bicubic, linear, cubic", mode);
  std::string padding = a.getString("padding_mode", "zeros");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    ctx.fail("padding_mode '{}' is not one of zeros, border, reflection", padding);
  int64_t alignCorners = a.getInt("align_corners", 0);
  if (alignCorners != 0 && alignCorners != 1) ctx.fail("align_corners = {} must be 0 or 1", alignCorners);
  requireFloat(ctx, grid.dtype, "grid");
  if (x.rankKnown && x.shape.size() < 3)
    ctx.fail("X must have rank >= 3 (N, C, spatial...), got rank {}", x.shape.size());
  if (!x.rankKnown || !grid.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  size_t spatial = x.shape.size() - 2;
  if (grid.shape.size() != spatial + 2)
    ctx.fail("grid has rank {}, expected {} (N, spatial outputs..., {})", grid.shape.size(), spatial + 2,
             spatial);
  const Dim& last = grid.shape.back();
  if (last.isStatic() && static_cast<size_t>(last.value) != spatial)
    ctx.fail("grid's last dim is {}, expected {} (one coordinate per spatial axis)", last.value, spatial);
  if (x.shape[0].isStatic() && grid.shape[0].isStatic() && x.shape[0].value != grid.shape[0].value)
    ctx.fail("X has batch {} but grid has batch {}", x.shape[0].value, grid.shape[0].value);
  TensorType out;
  out.dtype = x.dtype;
  out.shape = {x.shape[0].isStatic() ? x.shape[0] : grid.shape[0], x.shape[1]};
  for (size_t i = 0; i < spatial; ++i) out.shape.push_back(grid.shape[i + 1]);
  ctx.setOutput(0, std::move(out));
}

// X (N, C, H, W), rois (R, 4), batch_indices (R) -> Y (R, C, output_height, output_width).
void inferShapesRoiAlign(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& rois = ctx.inputType(1);
  const TensorType& idx = ctx.inputType(2);
  const Attributes& a = ctx.attrs();
  requireFloat(ctx, x.dtype, "X");
  if (rois.dtype != x.dtype)
    ctx.fail("rois has dtype {}, expected {} like X", dtypeName(rois.dtype), dtypeName(x.dtype));
  if (idx.dtype != DType::I64 && idx.dtype != DType::I32)
    ctx.fail("batch_indices must be int64, got {}", dtypeName(idx.dtype));
  std::string mode = a.getString("mode", "avg");
  if (mode != "avg" && mode != "max") ctx.fail("mode '{}' is not one of avg, max", mode);
  std::string ctm = a.getString("coordinate_transformation_mode", "half_pixel");
  if (ctm != "half_pixel" && ctm != "output_half_pixel")
    ctx.fail("coordinate_transformation_mode '{}' is not one of half_pixel, output_half_pixel", ctm);
  int64_t oh = a.getInt("output_height", 1), ow = a.getInt("output_width", 1);
  if (oh <= 0 || ow <= 0) ctx.fail("output_height / output_width ({}, {}) must be positive", oh, ow);
  if (a.getInt("sampling_ratio", 0) < 0) ctx.fail("sampling_ratio must not be negative");
  if (!(a.getFloat("spatial_scale", 1.0f) > 0)) ctx.fail("spatial_scale must be positive");
  requireRank4(ctx, x, "X");
  if (rois.rankKnown) {
    if (rois.shape.size() != 2) ctx.fail("rois must be 2-D (num_rois, 4), got rank {}", rois.shape.size());
    if (rois.shape[1].isStatic() && rois.shape[1].value != 4)
      ctx.fail("rois has {} coordinates per box, expected 4", rois.shape[1].value);
  }
  if (idx.rankKnown && idx.shape.size() != 1)
    ctx.fail("batch_indices must be 1-D, got rank {}", idx.shape.size());
  Dim r = rois.rankKnown ? rois.shape[0] : Dim::unknown();
  if (idx.rankKnown) {
    const Dim& ri = idx.shape[0];
    if (r.isStatic() && ri.isStatic() && r.value != ri.value)
      ctx.fail("rois has {} boxes but batch_indices has {} entries", r.value, ri.value);
    if (!r.isStatic()) r = ri;
  }
  TensorType out;
  out.dtype = x.dtype;
  out.shape = {r, x.rankKnown ? x.shape[1] : Dim::unknown(), Dim::known(oh), Dim::known(ow)};
  ctx.setOutput(0, std::move(out));
}

// X (N, C, D1..Dr) pooled values, I their flat indices into Y; Y's shape is
// output_shape when given, else (in - 1) * stride + kernel - pads per axis.
void inferShapesMaxUnpool(InferContext& ctx) {
  const TensorType& x = ctx.inputType(0);
  const TensorType& ind = ctx.inputType(1);
  const Attributes& a = ctx.attrs();
  if (ind.dtype != DType::I64) ctx.fail("I must be int64, got {}", dtypeName(ind.dtype));
  if (x.rankKnown && x.shape.size() < 3)
    ctx.fail("X must have rank >= 3 (N, C, spatial...), got rank {}", x.shape.size());
  if (x.rankKnown && ind.rankKnown && ind.shape != x.shape) {
    bool conflict = ind.shape.size() != x.shape.size();
    for (size_t i = 0; !conflict && i < x.shape.size(); ++i)
      conflict = x.shape[i].isStatic() && ind.shape[i].isStatic() && x.shape[i].value != ind.shape[i].value;
    if (conflict) ctx.fail("I's shape must equal X's shape");
  }
  if (!x.rankKnown) return ctx.setOutput(0, unknownRank(x.dtype));
  size_t spatial = x.shape.size() - 2;
  if (!a.has("kernel_shape")) ctx.fail("attribute kernel_shape is required");
  std::vector<int64_t> kernel = a.getInts("kernel_shape");
  if (kernel.size() != spatial) ctx.fail("kernel_shape has {} entries, expected {}", kernel.size(), spatial);
  std::vector<int64_t> strides = a.has("strides") ? a.getInts("strides") : std::vector<int64_t>(spatial, 1);
  std::vector<int64_t> pads = a.has("pads") ? a.getInts("pads") : std::vector<int64_t>(2 * spatial, 0);
  if (strides.size() != spatial) ctx.fail("strides has {} entries, expected {}", strides.size(), spatial);
  if (pads.size() != 2 * spatial) ctx.fail("pads has {} entries, expected {}", pads.size(), 2 * spatial);
  for (size_t i = 0; i < spatial; ++i) {
    if (kernel[i] <= 0) ctx.fail("kernel_shape[{}] = {} must be positive", i, kernel[i]);
    if (strides[i] <= 0) ctx.fail("strides[{}] = {} must be positive", i, strides[i]);
    if (pads[i] < 0 || pads[i + spatial] < 0) ctx.fail("pads must not be negative");
  }

  TensorType out = x;
  if (ctx.hasInput(2)) {
    const TensorData* given = ctx.inputConstant(2);
    // A static X with an unknown output_shape: specialization needs its contents.
    if (!given && x.isStatic()) given = &ctx.requireConstant(2, "output_shape");
    if (!given) {
      for (size_t i = 2; i < out.shape.size(); ++i) out.shape[i] = Dim::unknown();
      return ctx.setOutput(0, std::move(out));
    }
    std::vector<int64_t> shape = given->toInts();
    if (shape.size() != x.shape.size())
      ctx.fail("output_shape has {} entries, expected {}", shape.size(), x.shape.size());
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] < 0) ctx.fail("output_shape[{}] = {} must not be negative", i, shape[i]);
      if (i < 2 && x.shape[i].isStatic() && x.shape[i].value != shape[i])
        ctx.fail("output_shape[{}] = {} differs from X's dim {}", i, shape[i], x.shape[i].value);
      out.shape[i] = Dim::known(shape[i]);
    }
    return ctx.setOutput(0, std::move(out));
  }
  for (size_t i = 0; i < spatial; ++i) {
    const Dim& in = x.shape[i + 2];
    if (!in.isStatic()) {
      out.shape[i + 2] = Dim::unknown();
      continue;
    }
    int64_t len = (in.value - 1) * strides[i] + kernel[i] - pads[i] - pads[i + spatial];
    if (len <= 0) ctx.fail("spatial axis {} comes out empty ({})", i, len);
    out.shape[i + 2] = Dim::known(len);
  }
  ctx.setOutput(0, std::move(out));
}

}  // namespace kiln::ir
