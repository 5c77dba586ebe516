// preprocess.h — turning images into the float NCHW tensors PaddleOCR's models expect.
#pragma once

#include <cstdint>
#include <vector>

#include "image.h"

namespace kiln_ocr {

// A dense float32 tensor, row-major.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// Detection input: the image resized so that its longer side is at most
// `limitSideLen` and both sides are multiples of 32 (the detector downsamples by
// 32), normalized per channel with ImageNet mean/std on x/255, shape 1x3xHxW.
FloatTensor detectionInput(const Image& image, int limitSideLen);

// Recognition/classification input: the text line resized to `height` keeping its
// aspect ratio (squeezed if it would be wider than `width`), scaled to [-1, 1] and
// zero-padded on the right to `width`; shape 1x3 x height x width.
FloatTensor textLineInput(const Image& line, int height, int width);

}  // namespace kiln_ocr
