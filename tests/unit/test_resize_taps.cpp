// Resize's per-axis taps (codegen/ops/resize_taps.cpp) against values of the
// ONNX reference implementation (onnx/reference/ops/op_resize.py) for the
// forms the installed ONNX checker cannot load yet (opset-18 antialias).
#include <gtest/gtest.h>

#include <vector>

#include "codegen/ops/resize_taps.h"

namespace kiln::codegen {
namespace {

// Resizes data[i] = i*i mod 7 along one axis from `in` to `out` elements (sizes given).
std::vector<double> resize1d(const ResizeOptions& opt, int64_t in, int64_t out) {
  ResizeAxis a;
  a.in = in;
  a.out = out;
  a.scale = static_cast<float>(out) / static_cast<float>(in);
  a.lengthResized = static_cast<float>(out);
  a.resized = true;
  ResizeTaps t = resizeTaps(opt, a);
  std::vector<double> y;
  for (int64_t o = 0; o < out; ++o) {
    double v = 0;
    for (int64_t k = 0; k < t.count; ++k) {
      auto at = static_cast<size_t>(o * t.count + k);
      EXPECT_GE(t.index[at], 0);
      EXPECT_LT(t.index[at], in);
      v += t.weight[at] * static_cast<double>((t.index[at] * t.index[at]) % 7);
    }
    y.push_back(v);
  }
  return y;
}

void expectNear(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << "element " << i;
}

TEST(ResizeTaps, LinearAntialiasMatchesReference) {
  ResizeOptions opt;
  opt.mode = ResizeMode::Linear;
  opt.antialias = true;
  expectNear(resize1d(opt, 12, 6), {0.875, 2.625, 2.625, 1.0, 2.125, 2.25});
  expectNear(resize1d(opt, 20, 7), {1.4, 2.578947, 1.350877, 2.412281, 2.017544, 1.701754, 2.886957});
}

TEST(ResizeTaps, CubicAntialiasMatchesReference) {
  ResizeOptions opt;
  opt.mode = ResizeMode::Cubic;
  opt.antialias = true;
  expectNear(resize1d(opt, 16, 5), {1.565383, 2.565878, 1.366193, 2.782183, 1.039724});
  opt.coord = ResizeCoord::AlignCorners;
  expectNear(resize1d(opt, 9, 4), {0.349177, 2.784019, 2.219617, 0.543571});
}

TEST(ResizeTaps, AntialiasUpsamplingIsPlainFilter) {
  ResizeOptions plain, aa;
  plain.mode = aa.mode = ResizeMode::Cubic;
  aa.antialias = true;
  expectNear(resize1d(aa, 5, 12), resize1d(plain, 5, 12));
}

TEST(ResizeTaps, TfCropAndResizeMarksExtrapolatedOutputs) {
  ResizeOptions opt;
  opt.mode = ResizeMode::Linear;
  opt.coord = ResizeCoord::TfCropAndResize;
  ResizeAxis a;
  a.in = 5;
  a.out = 4;
  a.scale = 0.8f;
  a.lengthResized = 4;
  a.roiStart = -0.25f;  // x_original = -1, 0.33, 1.67, 3
  a.roiEnd = 0.75f;
  a.resized = true;
  ResizeTaps t = resizeTaps(opt, a);
  EXPECT_EQ(t.outside, (std::vector<uint8_t>{1, 0, 0, 0}));
}

}  // namespace
}  // namespace kiln::codegen
