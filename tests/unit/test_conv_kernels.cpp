// Conv and ConvTranspose kernels against a naive reference (double
// accumulation), on sizes below, at, above and at multiples of the register
// tiles (output channels and output columns), for every kernel form the
// emitters choose between: direct and staged rows, input-channel chunks,
// depthwise, strides, pads, dilations, groups, 1-D/3-D, f64, and weights that
// are graph inputs rather than constants. Inputs come from a fixed seed; the
// tolerance is relative to the sum of the absolute products of each output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "codegen/jit_model.h"
#include "codegen/target.h"
#include "runtime/thread_pool.h"

namespace kiln {
namespace {

struct ConvCase {
  std::vector<int64_t> x;       // N, C, spatial...
  int64_t outChannels = 1;      // Conv: W[0]; ConvTranspose: W[1] * group
  std::vector<int64_t> kernel;  // one per spatial axis
  std::vector<int64_t> strides, dilations, pads, outputPadding;  // empty: defaults
  int64_t group = 1;
  bool bias = true;
  bool weightsAsInput = false;
  DType dtype = DType::F32;

  ConvCase(std::vector<int64_t> x_, int64_t outChannels_, std::vector<int64_t> kernel_,
           std::vector<int64_t> strides_ = {}, std::vector<int64_t> dilations_ = {}, std::vector<int64_t> pads_ = {},
           std::vector<int64_t> outputPadding_ = {}, int64_t group_ = 1)
      : x(std::move(x_)), outChannels(outChannels_), kernel(std::move(kernel_)), strides(std::move(strides_)),
        dilations(std::move(dilations_)), pads(std::move(pads_)), outputPadding(std::move(outputPadding_)),
        group(group_) {}
};

std::vector<int64_t> orDefault(const std::vector<int64_t>& v, size_t n, int64_t def) {
  return v.empty() ? std::vector<int64_t>(n, def) : v;
}

// Row-major strides of a 5-D view (N, C, D, H, W) of a tensor with 1-3 spatial axes.
struct View5 {
  std::array<int64_t, 3> sp{1, 1, 1};
  int64_t c = 0;
  View5(const std::vector<int64_t>& shape) : c(shape[1]) {
    size_t s = shape.size() - 2;
    for (size_t i = 0; i < s; ++i) sp[3 - s + i] = shape[2 + i];
  }
  int64_t at(int64_t n, int64_t ch, int64_t d, int64_t h, int64_t w) const {
    return (((n * c + ch) * sp[0] + d) * sp[1] + h) * sp[2] + w;
  }
};

struct Reference {
  std::vector<int64_t> shape;
  std::vector<double> value, scale;  // scale: sum of |products| (+ |bias|) per output
};

// Geometry per spatial axis, padded to three axes (D, H, W) with unit axes in front.
struct Axes {
  std::array<int64_t, 3> k{1, 1, 1}, s{1, 1, 1}, d{1, 1, 1}, pb{0, 0, 0}, pe{0, 0, 0}, op{0, 0, 0};
  Axes(const ConvCase& c) {
    size_t n = c.kernel.size();
    auto st = orDefault(c.strides, n, 1), di = orDefault(c.dilations, n, 1), pa = orDefault(c.pads, 2 * n, 0),
         opd = orDefault(c.outputPadding, n, 0);
    for (size_t i = 0; i < n; ++i) {
      size_t a = 3 - n + i;
      k[a] = c.kernel[i];
      s[a] = st[i];
      d[a] = di[i];
      pb[a] = pa[i];
      pe[a] = pa[n + i];
      op[a] = opd[i];
    }
  }
};

Reference referenceConv(const ConvCase& c, const std::vector<double>& x, const std::vector<double>& w,
                        const std::vector<double>& b) {
  Axes ax(c);
  size_t n = c.kernel.size();
  View5 xv(c.x);
  std::array<int64_t, 3> out{1, 1, 1};
  Reference r;
  r.shape = {c.x[0], c.outChannels};
  for (size_t i = 0; i < n; ++i) {
    size_t a = 3 - n + i;
    out[a] = (xv.sp[a] + ax.pb[a] + ax.pe[a] - (ax.k[a] - 1) * ax.d[a] - 1) / ax.s[a] + 1;
    r.shape.push_back(out[a]);
  }
  View5 yv(r.shape);
  int64_t icpg = c.x[1] / c.group, ocpg = c.outChannels / c.group;
  int64_t total = 1;
  for (int64_t e : r.shape) total *= e;
  r.value.assign(static_cast<size_t>(total), 0.0);
  r.scale.assign(static_cast<size_t>(total), 0.0);
  for (int64_t nn = 0; nn < c.x[0]; ++nn)
    for (int64_t oc = 0; oc < c.outChannels; ++oc)
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh)
          for (int64_t ow = 0; ow < out[2]; ++ow) {
            double acc = c.bias ? b[static_cast<size_t>(oc)] : 0, scale = std::fabs(acc);
            int64_t g = oc / ocpg;
            for (int64_t icl = 0; icl < icpg; ++icl)
              for (int64_t kd = 0; kd < ax.k[0]; ++kd)
                for (int64_t kh = 0; kh < ax.k[1]; ++kh)
                  for (int64_t kw = 0; kw < ax.k[2]; ++kw) {
                    int64_t id = od * ax.s[0] + kd * ax.d[0] - ax.pb[0];
                    int64_t ih = oh * ax.s[1] + kh * ax.d[1] - ax.pb[1];
                    int64_t iw = ow * ax.s[2] + kw * ax.d[2] - ax.pb[2];
                    if (id < 0 || id >= xv.sp[0] || ih < 0 || ih >= xv.sp[1] || iw < 0 || iw >= xv.sp[2]) continue;
                    double xe = x[static_cast<size_t>(xv.at(nn, g * icpg + icl, id, ih, iw))];
                    double we = w[static_cast<size_t>((((oc * icpg + icl) * ax.k[0] + kd) * ax.k[1] + kh) * ax.k[2] + kw)];
                    acc += xe * we;
                    scale += std::fabs(xe * we);
                  }
            size_t at = static_cast<size_t>(yv.at(nn, oc, od, oh, ow));
            r.value[at] = acc;
            r.scale[at] = scale;
          }
  return r;
}

Reference referenceConvTranspose(const ConvCase& c, const std::vector<double>& x, const std::vector<double>& w,
                                 const std::vector<double>& b) {
  Axes ax(c);
  size_t n = c.kernel.size();
  View5 xv(c.x);
  std::array<int64_t, 3> out{1, 1, 1};
  Reference r;
  r.shape = {c.x[0], c.outChannels};
  for (size_t i = 0; i < n; ++i) {
    size_t a = 3 - n + i;
    out[a] = ax.s[a] * (xv.sp[a] - 1) + ax.op[a] + (ax.k[a] - 1) * ax.d[a] + 1 - ax.pb[a] - ax.pe[a];
    r.shape.push_back(out[a]);
  }
  View5 yv(r.shape);
  int64_t icpg = c.x[1] / c.group, ocpg = c.outChannels / c.group;
  int64_t total = 1;
  for (int64_t e : r.shape) total *= e;
  r.value.assign(static_cast<size_t>(total), 0.0);
  r.scale.assign(static_cast<size_t>(total), 0.0);
  for (int64_t nn = 0; nn < c.x[0]; ++nn)
    for (int64_t oc = 0; oc < c.outChannels; ++oc)
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh)
          for (int64_t ow = 0; ow < out[2]; ++ow) {
            size_t at = static_cast<size_t>(yv.at(nn, oc, od, oh, ow));
            r.value[at] = c.bias ? b[static_cast<size_t>(oc)] : 0;
            r.scale[at] = std::fabs(r.value[at]);
          }
  for (int64_t nn = 0; nn < c.x[0]; ++nn)
    for (int64_t ic = 0; ic < c.x[1]; ++ic)
      for (int64_t id = 0; id < xv.sp[0]; ++id)
        for (int64_t ih = 0; ih < xv.sp[1]; ++ih)
          for (int64_t iw = 0; iw < xv.sp[2]; ++iw) {
            double xe = x[static_cast<size_t>(xv.at(nn, ic, id, ih, iw))];
            int64_t g = ic / icpg;
            for (int64_t ocl = 0; ocl < ocpg; ++ocl)
              for (int64_t kd = 0; kd < ax.k[0]; ++kd)
                for (int64_t kh = 0; kh < ax.k[1]; ++kh)
                  for (int64_t kw = 0; kw < ax.k[2]; ++kw) {
                    int64_t od = id * ax.s[0] + kd * ax.d[0] - ax.pb[0];
                    int64_t oh = ih * ax.s[1] + kh * ax.d[1] - ax.pb[1];
                    int64_t ow = iw * ax.s[2] + kw * ax.d[2] - ax.pb[2];
                    if (od < 0 || od >= out[0] || oh < 0 || oh >= out[1] || ow < 0 || ow >= out[2]) continue;
                    double we = w[static_cast<size_t>((((ic * ocpg + ocl) * ax.k[0] + kd) * ax.k[1] + kh) * ax.k[2] + kw)];
                    size_t at = static_cast<size_t>(yv.at(nn, g * ocpg + ocl, od, oh, ow));
                    r.value[at] += xe * we;
                    r.scale[at] += std::fabs(xe * we);
                  }
          }
  return r;
}

std::vector<double> randomValues(std::mt19937& rng, int64_t n) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& e : v) e = dist(rng);
  return v;
}

runtime::Tensor toTensor(DType dt, const std::vector<int64_t>& shape, const std::vector<double>& v) {
  runtime::Tensor t(dt, shape);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == DType::F32) static_cast<float*>(t.data())[i] = static_cast<float>(v[i]);
    else static_cast<double*>(t.data())[i] = v[i];
  }
  return t;
}

ir::TensorDataPtr toConstant(DType dt, const std::vector<int64_t>& shape, const std::vector<double>& v) {
  auto d = std::make_shared<ir::TensorData>();
  d->dtype = dt;
  d->shape = shape;
  size_t es = dt == DType::F32 ? 4 : 8;
  d->bytes.resize(v.size() * es);
  for (size_t i = 0; i < v.size(); ++i) {
    if (dt == DType::F32) {
      float f = static_cast<float>(v[i]);
      std::memcpy(d->bytes.data() + i * es, &f, es);
    } else {
      std::memcpy(d->bytes.data() + i * es, &v[i], es);
    }
  }
  return d;
}

// Rounds values to the case's dtype, so that the reference sees what the kernel sees.
std::vector<double> rounded(DType dt, std::vector<double> v) {
  if (dt == DType::F32)
    for (double& e : v) e = static_cast<float>(e);
  return v;
}

// The one-node graph of a case and its feeds; x, w, b hold the values.
struct CaseGraph {
  ir::Graph g;
  std::vector<runtime::Tensor> feeds;
};

CaseGraph buildGraph(ir::OpKind op, const ConvCase& c, const std::vector<int64_t>& wShape, const std::vector<double>& x,
                     const std::vector<double>& w, const std::vector<double>& b) {
  CaseGraph cg;
  ir::Graph& g = cg.g;
  std::vector<ir::ValueId> ins;
  ins.push_back(g.addValue("x", ir::staticType(c.dtype, c.x)));
  g.inputs.push_back(ins.back());
  cg.feeds.push_back(toTensor(c.dtype, c.x, x));
  if (c.weightsAsInput) {
    ins.push_back(g.addValue("w", ir::staticType(c.dtype, wShape)));
    g.inputs.push_back(ins.back());
    cg.feeds.push_back(toTensor(c.dtype, wShape, w));
  } else {
    ins.push_back(g.addConstant("w", toConstant(c.dtype, wShape, w)));
  }
  if (c.bias) ins.push_back(g.addConstant("b", toConstant(c.dtype, {c.outChannels}, b)));
  ir::TensorType unknown;
  unknown.rankKnown = false;
  ir::ValueId y = g.addValue("y", unknown);
  g.outputs.push_back(y);
  ir::Attributes a;
  a.set("kernel_shape", c.kernel);
  a.set("group", c.group);
  if (!c.strides.empty()) a.set("strides", c.strides);
  if (!c.dilations.empty()) a.set("dilations", c.dilations);
  if (!c.pads.empty()) a.set("pads", c.pads);
  if (!c.outputPadding.empty()) a.set("output_padding", c.outputPadding);
  g.addNode(op, ins, {y}).attrs = std::move(a);
  return cg;
}

std::vector<int64_t> weightShape(ir::OpKind op, const ConvCase& c) {
  int64_t icpg = c.x[1] / c.group, ocpg = c.outChannels / c.group;
  std::vector<int64_t> s = op == ir::OpKind::ConvTranspose ? std::vector<int64_t>{c.x[1], ocpg}
                                                           : std::vector<int64_t>{c.outChannels, icpg};
  for (int64_t k : c.kernel) s.push_back(k);
  return s;
}

void check(ir::OpKind op, const ConvCase& c, int threads = 2) {
  std::mt19937 rng(1234);
  std::vector<int64_t> wShape = weightShape(op, c);
  int64_t xn = 1, wn = 1;
  for (int64_t e : c.x) xn *= e;
  for (int64_t e : wShape) wn *= e;
  std::vector<double> x = rounded(c.dtype, randomValues(rng, xn)), w = rounded(c.dtype, randomValues(rng, wn)),
                      b = rounded(c.dtype, randomValues(rng, c.outChannels));
  Reference ref = op == ir::OpKind::ConvTranspose ? referenceConvTranspose(c, x, w, b) : referenceConv(c, x, w, b);

  CaseGraph cg = buildGraph(op, c, wShape, x, w, b);
  codegen::JitModel model(std::move(cg.g), codegen::CompileOptions{});
  runtime::ThreadPool pool(threads);
  std::vector<runtime::Tensor> out = model.run(cg.feeds, pool);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].shape(), ref.shape);
  double tol = c.dtype == DType::F32 ? 1e-5 : 1e-13;
  int64_t bad = 0;
  for (size_t i = 0; i < ref.value.size(); ++i) {
    double got = c.dtype == DType::F32 ? static_cast<const float*>(out[0].data())[i]
                                       : static_cast<const double*>(out[0].data())[i];
    if (std::fabs(got - ref.value[i]) > tol * ref.scale[i] + 1e-30) {
      if (++bad <= 5) ADD_FAILURE() << "element " << i << ": got " << got << ", expected " << ref.value[i];
    }
  }
  EXPECT_EQ(bad, 0) << "of " << ref.value.size() << " elements";
}

// Compiles (without running) for another CPU: the kernels' vector widths and
// register counts follow the target, so this catches IR that only a wider
// target builds wrongly.
void compileFor(const std::string& cpu, ir::OpKind op, const ConvCase& c) {
  std::vector<int64_t> wShape = weightShape(op, c);
  int64_t xn = 1, wn = 1;
  for (int64_t e : c.x) xn *= e;
  for (int64_t e : wShape) wn *= e;
  CaseGraph cg = buildGraph(op, c, wShape, std::vector<double>(static_cast<size_t>(xn), 0.5),
                            std::vector<double>(static_cast<size_t>(wn), 0.25),
                            std::vector<double>(static_cast<size_t>(c.outChannels), 1.0));
  codegen::CompileOptions options;
  options.target = codegen::Target::named(cpu);
  codegen::JitModel model(std::move(cg.g), options);
  EXPECT_NO_THROW(model.specialize(cg.feeds));
}

void conv(const ConvCase& c, int threads = 2) { check(ir::OpKind::Conv, c, threads); }
void convTranspose(const ConvCase& c, int threads = 2) { check(ir::OpKind::ConvTranspose, c, threads); }

// Output widths around the vector (8 or 16 lanes) and tile widths (a few vectors).
const std::vector<int64_t> kWidths = {1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 33, 47, 48, 49, 56, 57, 64, 97};
const std::vector<int64_t> kFewWidths = {1, 7, 9, 16, 24, 25, 33, 48, 57};

TEST(ConvKernels, Dense3x3AcrossWidths) {
  for (int64_t w : kWidths) {
    SCOPED_TRACE("width " + std::to_string(w));
    conv({{1, 5, 4, w}, 6, {3, 3}, {}, {}, {1, 1, 1, 1}});
  }
}

TEST(ConvKernels, Dense3x3AcrossOutputChannels) {
  for (int64_t oc : {1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 24, 25}) {
    SCOPED_TRACE("oc " + std::to_string(oc));
    conv({{1, 3, 5, 26}, oc, {3, 3}, {}, {}, {1, 1, 1, 1}});
  }
}

TEST(ConvKernels, DenseStridedAndDilated) {
  for (int64_t w : {1, 2, 9, 17, 50, 161}) {
    SCOPED_TRACE("width " + std::to_string(w));
    conv({{1, 3, 6, w}, 8, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}});           // the stem form
    conv({{1, 2, 7, w + 2}, 5, {3, 3}, {3, 2}, {}, {0, 1, 2, 0}});
    conv({{1, 2, 9, w + 4}, 4, {3, 3}, {1, 1}, {2, 2}, {2, 1, 2, 3}});
    conv({{1, 2, 9, w + 8}, 3, {2, 3}, {2, 3}, {2, 3}, {0, 0, 0, 0}});
    conv({{1, 2, 5, w + 4}, 4, {1, 5}, {1, 5}, {}, {0, 2, 0, 2}});
  }
}

// 3x3 stride-1 convs with constant weights and at least 8 channels each way
// run as Winograd F(4x4, 3x3): partial tile rows and columns, tile vectors
// around the block of 3, padding on any side, output channels around the GEMM
// tile, input channels in several chunks, output channels in several sets.
TEST(ConvKernels, Winograd3x3) {
  for (int64_t w : {8, 33, 97, 130}) {
    SCOPED_TRACE("width " + std::to_string(w));
    conv({{1, 8, 9, w}, 12, {3, 3}, {}, {}, {1, 1, 1, 1}});
  }
  for (int64_t oc : {8, 13, 25}) {
    SCOPED_TRACE("oc " + std::to_string(oc));
    conv({{2, 16, 11, 40}, oc, {3, 3}, {}, {}, {1, 1, 1, 1}});
  }
  conv({{1, 9, 10, 36}, 8, {3, 3}, {}, {}, {0, 0, 0, 0}});
  conv({{1, 8, 12, 21}, 9, {3, 3}, {}, {}, {0, 2, 2, 0}});
  conv({{1, 96, 20, 20}, 24, {3, 3}, {}, {}, {1, 1, 1, 1}});
  conv({{1, 200, 8, 96}, 8, {3, 3}, {}, {}, {1, 1, 1, 1}});
  conv({{1, 16, 9, 96}, 160, {3, 3}, {}, {}, {1, 1, 1, 1}});
}

TEST(ConvKernels, InputChannelChunksAndChannelSets) {
  // Many input channels on long strided rows: staged in chunks with partial sums.
  conv({{1, 64, 6, 160}, 24, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}});
  conv({{1, 48, 3, 333}, 10, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}});
  // Few rows and many output channels: channel sets split across tasks.
  conv({{1, 96, 1, 40}, 96, {1, 3}, {}, {}, {0, 1, 0, 1}});
  conv({{1, 40, 2, 30}, 72, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}});
}

TEST(ConvKernels, DepthwiseStride1And2) {
  for (int64_t w : {1, 7, 9, 24, 25, 57}) {
    SCOPED_TRACE("width " + std::to_string(w));
    conv({{1, 6, 5, w}, 6, {3, 3}, {}, {}, {1, 1, 1, 1}, {}, 6});
    conv({{1, 4, 7, 2 * w}, 4, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, {}, 4});
    conv({{1, 3, 6, w + 4}, 3, {5, 5}, {}, {}, {2, 2, 2, 2}, {}, 3});
    conv({{1, 3, 9, 2 * w + 3}, 3, {5, 5}, {2, 1}, {}, {2, 2, 2, 2}, {}, 3});
  }
  // 3-D with one depth tap and depth padding; many rows per task with a row
  // count that does not divide OH; a multiplier of 2.
  conv({{1, 3, 4, 5, 17}, 3, {1, 3, 3}, {}, {}, {1, 1, 1, 0, 1, 1}, {}, 3});
  conv({{1, 3, 4, 9, 40}, 3, {1, 5, 5}, {2, 2, 1}, {}, {0, 2, 2, 1, 2, 2}, {}, 3});
  conv({{2, 5, 37, 41}, 5, {3, 3}, {}, {}, {1, 1, 1, 1}, {}, 5});
  conv({{1, 4, 11, 30}, 8, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, {}, 4});
}

TEST(ConvKernels, GroupsOneDThreeDAndWideKernels) {
  conv({{2, 6, 5, 19}, 9, {3, 3}, {}, {}, {1, 1, 1, 1}, {}, 3});
  conv({{1, 4, 100}, 3, {3}, {2}, {}, {1, 1}});
  conv({{1, 2, 100}, 2, {21}, {}, {}, {10, 10}});
  conv({{1, 2, 300}, 2, {257}, {}, {}, {128, 128}});
  conv({{1, 2, 10}, 3, {9}, {1}, {}, {4, 4}});
  conv({{1, 3, 5, 6, 17}, 4, {3, 3, 3}, {}, {}, {1, 1, 1, 1, 1, 1}});
  conv({{1, 2, 7, 6, 21}, 3, {3, 2, 3}, {2, 1, 2}, {}, {1, 0, 1, 0, 1, 1}});
}

TEST(ConvKernels, NoBiasF64WeightsAsInputAndOneThread) {
  ConvCase nobias{{1, 3, 5, 19}, 5, {3, 3}, {}, {}, {1, 1, 1, 1}};
  nobias.bias = false;
  conv(nobias);
  ConvCase f64{{1, 3, 5, 19}, 5, {3, 3}, {2, 1}, {}, {1, 1, 1, 1}};
  f64.dtype = DType::F64;
  conv(f64);
  ConvCase input{{1, 4, 6, 35}, 6, {3, 3}, {}, {}, {1, 1, 1, 1}};
  input.weightsAsInput = true;
  conv(input);
  conv({{1, 8, 9, 40}, 8, {3, 3}, {}, {}, {1, 1, 1, 1}}, 1);
}

TEST(ConvKernels, CompileForAvx512) {
  for (const char* cpu : {"znver4"}) {
    SCOPED_TRACE(cpu);
    compileFor(cpu, ir::OpKind::Conv, {{1, 16, 20, 70}, 24, {3, 3}, {}, {}, {1, 1, 1, 1}});        // Winograd
    compileFor(cpu, ir::OpKind::Conv, {{1, 3, 20, 71}, 16, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}});     // staged
    compileFor(cpu, ir::OpKind::Conv, {{1, 5, 9, 37}, 6, {3, 3}, {}, {}, {1, 1, 1, 1}});           // direct
    compileFor(cpu, ir::OpKind::Conv, {{1, 8, 9, 37}, 8, {5, 5}, {2, 1}, {}, {2, 2, 2, 2}, {}, 8});  // depthwise
    compileFor(cpu, ir::OpKind::ConvTranspose, {{1, 6, 5, 37}, 6, {2, 2}, {2, 2}});
    compileFor(cpu, ir::OpKind::ConvTranspose, {{1, 4, 5, 21}, 3, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}});
  }
}

TEST(ConvTransposeKernels, Stride2Kernel2AcrossWidths) {
  for (int64_t w : kFewWidths) {
    SCOPED_TRACE("width " + std::to_string(w));
    convTranspose({{1, 5, 3, w}, 6, {2, 2}, {2, 2}});
    convTranspose({{1, 6, 2, w}, 1, {2, 2}, {2, 2}});
  }
}

TEST(ConvTransposeKernels, PadsDilationsGroupsAndOutputPadding) {
  for (int64_t w : {1, 5, 13, 40}) {
    SCOPED_TRACE("width " + std::to_string(w));
    convTranspose({{1, 3, 4, w}, 5, {3, 3}, {1, 1}, {}, {1, 1, 1, 1}});
    convTranspose({{1, 3, 4, w}, 4, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}});
    convTranspose({{1, 2, 3, w}, 3, {3, 3}, {3, 2}, {2, 2}, {0, 1, 2, 0}});
    convTranspose({{1, 4, 3, w}, 6, {4, 3}, {2, 3}, {}, {1, 0, 2, 1}, {}, 2});
  }
  convTranspose({{2, 4, 5, 9}, 4, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, {}, 4});
  convTranspose({{1, 3, 20}, 2, {3}, {2}, {}, {1, 1}, {1}});
  convTranspose({{1, 2, 3, 4, 5}, 3, {2, 2, 2}, {2, 2, 2}});
  ConvCase nobias{{1, 3, 4, 17}, 2, {2, 2}, {2, 2}};
  nobias.bias = false;
  convTranspose(nobias, 1);
}

}  // namespace
}  // namespace kiln
