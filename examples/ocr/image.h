// image.h — an 8-bit BGR image and the geometric operations the OCR pipeline needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln_ocr {

// Interleaved 8-bit pixels in B, G, R order (PaddleOCR's models were trained on
// OpenCV's BGR images), rows top to bottom.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> bgr;  // width * height * 3 bytes

  Image() = default;
  Image(int w, int h);
  uint8_t* pixel(int x, int y) { return &bgr[(static_cast<size_t>(y) * width + x) * 3]; }
  const uint8_t* pixel(int x, int y) const { return &bgr[(static_cast<size_t>(y) * width + x) * 3]; }
};

// An axis-aligned pixel rectangle [x0, x1) x [y0, y1).
struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
};

// Bilinear resampling with pixel centres aligned (OpenCV's INTER_LINEAR convention).
Image resizeBilinear(const Image& src, int width, int height);

// Copies `rect`, which must lie inside `src` and be non-empty.
Image crop(const Image& src, const Rect& rect);

Image rotate180(const Image& src);

}  // namespace kiln_ocr
