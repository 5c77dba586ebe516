// preprocess.cpp — resize + normalize, following PaddleOCR's DetResizeForTest,
// NormalizeImage and resize_norm_img.
#include "preprocess.h"

#include <algorithm>
#include <cmath>

namespace kiln_ocr {

namespace {

// Rounds to the nearest multiple of 32 (ties to even, like Python's round), at least 32.
int roundToMultipleOf32(double size) { return std::max(static_cast<int>(std::nearbyint(size / 32.0)) * 32, 32); }

}  // namespace

FloatTensor detectionInput(const Image& image, int limitSideLen) {
  const int longSide = std::max(image.width, image.height);
  const double ratio = longSide > limitSideLen ? static_cast<double>(limitSideLen) / longSide : 1.0;
  const int width = roundToMultipleOf32(static_cast<int>(image.width * ratio));
  const int height = roundToMultipleOf32(static_cast<int>(image.height * ratio));
  const Image resized = resizeBilinear(image, width, height);

  // Mean/std are indexed by the BGR channel: PaddleOCR applies the ImageNet
  // (R, G, B) constants in order to OpenCV's BGR planes, and the model learned that.
  constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
  constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};
  FloatTensor tensor{{1, 3, height, width}, std::vector<float>(static_cast<size_t>(3) * height * width)};
  const size_t plane = static_cast<size_t>(height) * width;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const uint8_t* p = resized.pixel(x, y);
      for (int c = 0; c < 3; ++c) {
        tensor.data[c * plane + static_cast<size_t>(y) * width + x] = (p[c] / 255.0f - kMean[c]) / kStd[c];
      }
    }
  }
  return tensor;
}

FloatTensor textLineInput(const Image& line, int height, int width) {
  const double aspect = static_cast<double>(line.width) / line.height;
  const int resizedWidth = std::clamp(static_cast<int>(std::ceil(height * aspect)), 1, width);
  const Image resized = resizeBilinear(line, resizedWidth, height);

  FloatTensor tensor{{1, 3, height, width}, std::vector<float>(static_cast<size_t>(3) * height * width, 0.0f)};
  const size_t plane = static_cast<size_t>(height) * width;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < resizedWidth; ++x) {
      const uint8_t* p = resized.pixel(x, y);
      for (int c = 0; c < 3; ++c) {
        tensor.data[c * plane + static_cast<size_t>(y) * width + x] = (p[c] / 255.0f - 0.5f) / 0.5f;
      }
    }
  }
  return tensor;
}

}  // namespace kiln_ocr
