// png_io.cpp — PNG decoding through libpng's png_image interface.
#include "png_io.h"

#include <png.h>

#include <cstring>
#include <stdexcept>

namespace kiln_ocr {

Image loadPng(const std::string& path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str())) {
    throw std::runtime_error(path + ": cannot read PNG: " + png.message);
  }
  // Bound the size before allocating: OCR inputs are photos or scans, not gigapixel maps.
  constexpr png_uint_32 kMaxSide = 16384;
  if (png.width == 0 || png.height == 0 || png.width > kMaxSide || png.height > kMaxSide) {
    png_image_free(&png);
    throw std::runtime_error(path + ": unsupported PNG size " + std::to_string(png.width) + "x" +
                             std::to_string(png.height));
  }
  png.format = PNG_FORMAT_BGR;
  Image image(static_cast<int>(png.width), static_cast<int>(png.height));
  const png_color white = {255, 255, 255};
  if (!png_image_finish_read(&png, &white, image.bgr.data(), 0, nullptr)) {
    const std::string message = png.message;
    png_image_free(&png);
    throw std::runtime_error(path + ": cannot decode PNG: " + message);
  }
  return image;
}

}  // namespace kiln_ocr
