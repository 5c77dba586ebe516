// image.cpp — resizing, cropping and rotating BGR images.
#include "image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace kiln_ocr {

Image::Image(int w, int h) : width(w), height(h), bgr(static_cast<size_t>(w) * h * 3) {}

namespace {

// For each destination coordinate: the two source coordinates it blends and the
// weight of the second one.
struct Taps {
  std::vector<int> lo, hi;
  std::vector<float> weight;
};

Taps computeTaps(int srcSize, int dstSize) {
  Taps taps;
  taps.lo.resize(dstSize);
  taps.hi.resize(dstSize);
  taps.weight.resize(dstSize);
  const double scale = static_cast<double>(srcSize) / dstSize;
  for (int d = 0; d < dstSize; ++d) {
    // Map the destination pixel centre into the source; clamp at the borders.
    const double s = std::clamp((d + 0.5) * scale - 0.5, 0.0, static_cast<double>(srcSize - 1));
    const int lo = static_cast<int>(std::floor(s));
    taps.lo[d] = lo;
    taps.hi[d] = std::min(lo + 1, srcSize - 1);
    taps.weight[d] = static_cast<float>(s - lo);
  }
  return taps;
}

}  // namespace

Image resizeBilinear(const Image& src, int width, int height) {
  if (src.width <= 0 || src.height <= 0 || width <= 0 || height <= 0) {
    throw std::runtime_error("cannot resize a " + std::to_string(src.width) + "x" +
                             std::to_string(src.height) + " image to " + std::to_string(width) +
                             "x" + std::to_string(height));
  }
  const Taps xs = computeTaps(src.width, width);
  const Taps ys = computeTaps(src.height, height);
  Image dst(width, height);
  for (int y = 0; y < height; ++y) {
    const float wy = ys.weight[y];
    for (int x = 0; x < width; ++x) {
      const float wx = xs.weight[x];
      const uint8_t* p00 = src.pixel(xs.lo[x], ys.lo[y]);
      const uint8_t* p01 = src.pixel(xs.hi[x], ys.lo[y]);
      const uint8_t* p10 = src.pixel(xs.lo[x], ys.hi[y]);
      const uint8_t* p11 = src.pixel(xs.hi[x], ys.hi[y]);
      uint8_t* out = dst.pixel(x, y);
      for (int c = 0; c < 3; ++c) {
        const float top = p00[c] + wx * (p01[c] - p00[c]);
        const float bottom = p10[c] + wx * (p11[c] - p10[c]);
        out[c] = static_cast<uint8_t>(std::lround(std::clamp(top + wy * (bottom - top), 0.0f, 255.0f)));
      }
    }
  }
  return dst;
}

Image crop(const Image& src, const Rect& rect) {
  if (rect.x0 < 0 || rect.y0 < 0 || rect.x1 > src.width || rect.y1 > src.height ||
      rect.width() <= 0 || rect.height() <= 0) {
    throw std::runtime_error("crop rectangle outside the image");
  }
  Image dst(rect.width(), rect.height());
  for (int y = 0; y < dst.height; ++y) {
    std::copy_n(src.pixel(rect.x0, rect.y0 + y), static_cast<size_t>(dst.width) * 3, dst.pixel(0, y));
  }
  return dst;
}

Image rotate180(const Image& src) {
  Image dst(src.width, src.height);
  for (int y = 0; y < src.height; ++y) {
    for (int x = 0; x < src.width; ++x) {
      std::copy_n(src.pixel(x, y), 3, dst.pixel(src.width - 1 - x, src.height - 1 - y));
    }
  }
  return dst;
}

}  // namespace kiln_ocr
