#include "codegen/ops/conv_geometry.h"

#include <algorithm>
#include <string>

namespace kiln::codegen {

namespace {


// Reads an attribute with one entry per spatial axis (or the default for each).
std::vector<int64_t> perAxis(const KernelContext& ctx, const char* name, size_t count, int64_t def) {
  if (!ctx.attrs().has(name)) return std::vector<int64_t>(count, def);
  std::vector<int64_t> v = ctx.attrs().getInts(name);
  if (v.size() != count) ctx.fail("{} has {} entries, expected {}", name, v.size(), count);
  return v;
}

struct Common {
  WindowGeometry g;
  size_t spatial;
  int first;  // the normalized axis of the node's first spatial axis
  std::vector<int64_t> padsBegin, padsEnd, outShape;
  std::string autoPad;
};

Common readCommon(const KernelContext& ctx, const std::vector<int64_t>& kernel) {
  Common c;
  std::vector<int64_t> x = ctx.inputShape(0);
  c.outShape = ctx.outputShape(0);
  if (x.size() < 3 || x.size() > 2 + kWindowAxes)
    ctx.fail("kernels support 1 to {} spatial axes, X has rank {}", kWindowAxes, x.size());
  c.spatial = x.size() - 2;
  if (kernel.size() != c.spatial || c.outShape.size() != x.size())
    ctx.fail("kernel or output rank does not match X's rank {}", x.size());
  c.first = kWindowAxes - static_cast<int>(c.spatial);
  c.g.spatialRank = static_cast<int>(c.spatial);
  std::vector<int64_t> strides = perAxis(ctx, "strides", c.spatial, 1);
  std::vector<int64_t> dilations = perAxis(ctx, "dilations", c.spatial, 1);
  std::vector<int64_t> pads = perAxis(ctx, "pads", 2 * c.spatial, 0);
  c.autoPad = ctx.attrs().getString("auto_pad", "NOTSET");
  for (size_t i = 0; i < c.spatial; ++i) {
    int a = c.first + static_cast<int>(i);
    c.g.in[a] = x[i + 2];
    c.g.out[a] = c.outShape[i + 2];
    c.g.kernel[a] = kernel[i];
    c.g.stride[a] = strides[i];
    c.g.dilation[a] = dilations[i];
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0 || pads[i] < 0 ||
        pads[i + c.spatial] < 0)
      ctx.fail("invalid window on spatial axis {}", i);
    c.padsBegin.push_back(pads[i]);
    c.padsEnd.push_back(pads[i + c.spatial]);
  }
  return c;
}

void checkOut(const KernelContext& ctx, const Common& c, size_t i, int64_t expected) {
  if (expected != c.outShape[i + 2])
    ctx.fail("output spatial dim {} is {} but the window gives {}", i, c.outShape[i + 2], expected);
}

}  // namespace

bool WindowGeometry::alwaysInside(int a) const {
  for (int64_t k = 0; k < kernel[a]; ++k) {
    auto [lo, hi] = validOutRange(a, k);
    if (lo != 0 || hi != out[a]) return false;
  }
  return true;
}

std::pair<int64_t, int64_t> WindowGeometry::validOutRange(int a, int64_t k) const {
  int64_t off = tapOffset(a, k);
  int64_t lo = ceilDiv(-off, stride[a]);
  int64_t hi = floorDiv(in[a] - 1 - off, stride[a]) + 1;
  lo = std::clamp<int64_t>(lo, 0, out[a]);
  hi = std::clamp<int64_t>(hi, lo, out[a]);
  return {lo, hi};
}

WindowGeometry forwardWindow(const KernelContext& ctx, const std::vector<int64_t>& kernel,
                             bool ceilMode) {
  Common c = readCommon(ctx, kernel);
  for (size_t i = 0; i < c.spatial; ++i) {
    int a = c.first + static_cast<int>(i);
    int64_t in = c.g.in[a], s = c.g.stride[a];
    int64_t extent = (c.g.kernel[a] - 1) * c.g.dilation[a] + 1;
    int64_t out;
    if (c.autoPad == "SAME_UPPER" || c.autoPad == "SAME_LOWER") {
      out = ceilDiv(in, s);
      int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - in);
      // The odd pixel goes to the end for SAME_UPPER, to the beginning for SAME_LOWER.
      c.g.padBegin[a] = c.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      c.g.padEnd[a] = total - c.g.padBegin[a];
    } else {
      bool valid = c.autoPad == "VALID";
      int64_t pb = valid ? 0 : c.padsBegin[i], pe = valid ? 0 : c.padsEnd[i];
      c.g.padBegin[a] = pb;
      c.g.padEnd[a] = pe;
      int64_t span = in + pb + pe - extent;
      if (span < 0) ctx.fail("kernel extent {} exceeds the padded input on axis {}", extent, i);
      if (ceilMode && !valid) {
        out = ceilDiv(span, s) + 1;
        if ((out - 1) * s >= in + pb) --out;
      } else {
        out = span / s + 1;
      }
    }
    checkOut(ctx, c, i, out);
  }
  return c.g;
}

WindowGeometry transposedWindow(const KernelContext& ctx, const std::vector<int64_t>& kernel) {
  Common c = readCommon(ctx, kernel);
  std::vector<int64_t> outputPadding = perAxis(ctx, "output_padding", c.spatial, 0);
  std::vector<int64_t> outputShape = ctx.attrs().getInts("output_shape");
  if (outputShape.size() == c.spatial + 2) outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  bool hasOutputShape = ctx.attrs().has("output_shape");
  if (hasOutputShape && outputShape.size() != c.spatial)
    ctx.fail("output_shape has {} entries, expected {}", outputShape.size(), c.spatial);
  for (size_t i = 0; i < c.spatial; ++i) {
    int a = c.first + static_cast<int>(i);
    int64_t in = c.g.in[a], s = c.g.stride[a];
    // Length of the output before any padding is cropped.
    int64_t full = s * (in - 1) + outputPadding[i] + (c.g.kernel[a] - 1) * c.g.dilation[a] + 1;
    bool same = c.autoPad == "SAME_UPPER" || c.autoPad == "SAME_LOWER";
    int64_t out;
    if (hasOutputShape || same) {
      out = hasOutputShape ? outputShape[i] : in * s;
      // ONNX ConvTranspose: SAME_UPPER puts the odd pixel at the end, otherwise at the
      // beginning. An output longer than the full one gives negative padding (halved
      // rounding down, as the spec's reference does): the output extends past the
      // transposed result and those positions hold only the bias.
      int64_t total = full - out;
      c.g.padBegin[a] = c.autoPad == "SAME_UPPER" ? floorDiv(total, 2) : total - floorDiv(total, 2);
      c.g.padEnd[a] = total - c.g.padBegin[a];
    } else {
      bool valid = c.autoPad == "VALID";
      c.g.padBegin[a] = valid ? 0 : c.padsBegin[i];
      c.g.padEnd[a] = valid ? 0 : c.padsEnd[i];
      out = full - (valid ? 0 : c.padsBegin[i] + c.padsEnd[i]);
    }
    checkOut(ctx, c, i, out);
  }
  return c.g;
}

DType requireFloatKernel(const KernelContext& ctx, DType t) {
  if (t != DType::F32 && t != DType::F64)
    ctx.fail("kernel supports f32 and f64 only, got {}", dtypeName(t));
  return t;
}

ConvChannels readConvChannels(const KernelContext& ctx, bool transposed) {
  ConvChannels p;
  p.dt = requireFloatKernel(ctx, ctx.inputDType(0));
  std::vector<int64_t> x = ctx.inputShape(0), w = ctx.inputShape(1), y = ctx.outputShape(0);
  if (w.size() != x.size() || x.size() < 3) ctx.fail("W rank {} does not match X rank {}", w.size(), x.size());
  p.groups = ctx.attrs().getInt("group", 1);
  p.batch = x[0];
  p.channels = x[1];
  p.outChannels = y[1];
  // W's channel dims: Conv [M, C/group], ConvTranspose [C, M/group].
  int64_t wIn = transposed ? w[0] : w[1] * p.groups, wOut = transposed ? w[1] * p.groups : w[0];
  if (p.groups <= 0 || p.channels % p.groups != 0 || p.outChannels % p.groups != 0 || wIn != p.channels ||
      wOut != p.outChannels)
    ctx.fail("channels (X {}, W {}x{}, Y {}) do not fit group {}", p.channels, w[0], w[1], p.outChannels,
             p.groups);
  p.icPerGroup = p.channels / p.groups;
  p.ocPerGroup = p.outChannels / p.groups;
  p.hasBias = ctx.hasInput(2);
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  p.g = transposed ? transposedWindow(ctx, kernel) : forwardWindow(ctx, kernel, false);
  p.esize = static_cast<int64_t>(dtypeSize(p.dt));
  p.lanes = ctx.target.vectorBits / 8 / p.esize;
  return p;
}

}  // namespace kiln::codegen
