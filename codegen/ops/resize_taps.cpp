#include "codegen/ops/resize_taps.h"

#include <algorithm>
#include <cmath>

namespace kiln::codegen {

namespace {

// x_original of output index x (the spec's coordinate_transformation_mode).
float sourceCoordinate(ResizeCoord c, const ResizeAxis& a, float x) {
  float scale = a.scale, lenIn = static_cast<float>(a.in), lenResized = a.lengthResized;
  switch (c) {
    case ResizeCoord::HalfPixel: return (x + 0.5f) / scale - 0.5f;
    case ResizeCoord::HalfPixelSymmetric: {
      float adjustment = static_cast<float>(a.out) / lenResized;
      float offset = lenIn / 2 * (1 - adjustment);
      return offset + (x + 0.5f) / scale - 0.5f;
    }
    case ResizeCoord::PytorchHalfPixel: return lenResized > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case ResizeCoord::AlignCorners: return lenResized == 1 ? 0.0f : x * (lenIn - 1) / (lenResized - 1);
    case ResizeCoord::Asymmetric: return x / scale;
    case ResizeCoord::TfCropAndResize:
      if (lenResized > 1)
        return a.roiStart * (lenIn - 1) + x * (a.roiEnd - a.roiStart) * (lenIn - 1) / (lenResized - 1);
      return 0.5f * (a.roiStart + a.roiEnd) * (lenIn - 1);
    case ResizeCoord::TfHalfPixelForNN: return (x + 0.5f) / scale;
  }
  return x;
}

int64_t roundNearest(ResizeRounding m, float x) {
  float f = std::floor(x);
  switch (m) {
    case ResizeRounding::RoundPreferFloor: return static_cast<int64_t>(x - f <= 0.5f ? f : f + 1);
    case ResizeRounding::RoundPreferCeil: return static_cast<int64_t>(x - f < 0.5f ? f : f + 1);
    case ResizeRounding::Floor: return static_cast<int64_t>(f);
    case ResizeRounding::Ceil: return static_cast<int64_t>(std::ceil(x));
  }
  return 0;
}

// The cubic convolution kernel of Keys with parameter A at distance x.
double cubicKernel(double x, double a) {
  x = std::fabs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// Filter taps around coordinate x: first input index and one weight per tap.
struct Filter {
  int64_t first;
  std::vector<double> weights;
};

Filter filterAt(const ResizeOptions& opt, float scale, float x) {
  // The reference's convention: ratio in (0, 1] measured from `base`, the
  // nearest index strictly below x (x - 1 when x is an integer).
  double base = std::ceil(static_cast<double>(x)) - 1;
  double ratio = static_cast<double>(x) - base;
  Filter f;
  if (opt.antialias && scale < 1) {
    // The filter stretched by 1 / scale and normalized (the spec's antialias).
    double s = scale;
    double support = opt.mode == ResizeMode::Cubic ? 2 : 1;
    auto start = static_cast<int64_t>(std::floor(-support / s) + 1);
    int64_t n = 2 - 2 * start;
    double sum = 0;
    for (int64_t i = start; i < start + n; ++i) {
      double arg = s * (static_cast<double>(i) - ratio);
      double w = opt.mode == ResizeMode::Cubic ? cubicKernel(arg, opt.cubicA)
                                               : std::clamp(1 - std::fabs(arg), 0.0, 1.0);
      f.weights.push_back(w);
      sum += w;
    }
    for (double& w : f.weights) w /= sum;
    f.first = static_cast<int64_t>(base) + start;
    return f;
  }
  if (opt.mode == ResizeMode::Linear) {
    f.first = static_cast<int64_t>(base);
    f.weights = {1 - ratio, ratio};
    return f;
  }
  f.first = static_cast<int64_t>(base) - 1;
  for (int k = -1; k <= 2; ++k) f.weights.push_back(cubicKernel(static_cast<double>(k) - ratio, opt.cubicA));
  return f;
}

}  // namespace

ResizeTaps resizeTaps(const ResizeOptions& opt, const ResizeAxis& a) {
  ResizeTaps t;
  bool extrapolates = opt.coord == ResizeCoord::TfCropAndResize;
  t.identity = a.in == a.out;
  auto clampIndex = [&](int64_t i) { return std::clamp<int64_t>(i, 0, a.in - 1); };
  for (int64_t o = 0; o < a.out; ++o) {
    float x = a.resized ? sourceCoordinate(opt.coord, a, static_cast<float>(o)) : static_cast<float>(o);
    if (extrapolates && a.resized) {
      bool outside = x < 0 || x > static_cast<float>(a.in - 1);
      if (outside && t.outside.empty()) t.outside.assign(static_cast<size_t>(a.out), 0);
      if (outside) t.outside[static_cast<size_t>(o)] = 1;
      t.identity = t.identity && !outside;
    }
    if (opt.mode == ResizeMode::Nearest) {
      int64_t i = clampIndex(roundNearest(opt.rounding, x));
      t.identity = t.identity && i == o;
      t.index.push_back(i);
      continue;
    }
    Filter f = filterAt(opt, a.scale, x);
    if (o == 0) t.count = static_cast<int64_t>(f.weights.size());
    if (opt.excludeOutside) {
      double sum = 0;
      for (size_t k = 0; k < f.weights.size(); ++k) {
        int64_t i = f.first + static_cast<int64_t>(k);
        if (i < 0 || i >= a.in) f.weights[k] = 0;
        sum += f.weights[k];
      }
      if (sum != 0)
        for (double& w : f.weights) w /= sum;
    }
    for (size_t k = 0; k < f.weights.size(); ++k) {
      int64_t i = clampIndex(f.first + static_cast<int64_t>(k));
      t.identity = t.identity && (f.weights[k] == 0 || (f.weights[k] == 1 && i == o));
      t.index.push_back(i);
      t.weight.push_back(f.weights[k]);
    }
  }
  return t;
}

}  // namespace kiln::codegen
