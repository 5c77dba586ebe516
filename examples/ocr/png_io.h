// png_io.h — reading PNG files into BGR images (libpng's simplified API).
#pragma once

#include <string>

#include "image.h"

namespace kiln_ocr {

// Any PNG colour type and bit depth; transparency is composited onto white.
// Throws std::runtime_error naming the file on failure.
Image loadPng(const std::string& path);

}  // namespace kiln_ocr
