// Resize's per-axis sampling taps, computed on the host at compile time.
//
// ONNX Resize (opset 19 semantics) is separable: along every axis, output
// index x maps to a source coordinate x_original, and the output value is a
// weighted sum over a few input indices near it. This file computes, for one
// axis, those indices and weights for every output index; the emitter
// (resize.cpp) turns them into constant tables.
//
// Arithmetic follows the ONNX spec's formulas in float, as ONNX Runtime
// evaluates them, with length_resized = scale * length_original when the op
// was given scales (the spec's definition) and the output length when given
// sizes. Neighbours beyond the input repeat its edge elements (the
// reference's edge padding); tf_crop_and_resize marks coordinates outside
// [0, length_original - 1] for extrapolation_value.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::codegen {

enum class ResizeMode { Nearest, Linear, Cubic };
enum class ResizeCoord {
  HalfPixel,
  HalfPixelSymmetric,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfCropAndResize,
  TfHalfPixelForNN,  // opset 11 only: (x + 0.5) / scale
};
enum class ResizeRounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeOptions {
  ResizeMode mode = ResizeMode::Nearest;
  ResizeCoord coord = ResizeCoord::HalfPixel;
  ResizeRounding rounding = ResizeRounding::RoundPreferFloor;
  float cubicA = -0.75f;
  bool excludeOutside = false;
  bool antialias = false;  // linear / cubic: widen the filter by 1 / scale when downsampling
};

struct ResizeAxis {
  int64_t in = 1, out = 1;
  float scale = 1.0f;          // output / input as the op defines it
  float lengthResized = 1.0f;  // scale * in (scales given) or out (sizes given)
  float roiStart = 0.0f, roiEnd = 1.0f;
  bool resized = false;        // the op lists this axis (else it is copied)
};

struct ResizeTaps {
  int64_t count = 1;            // taps per output index
  std::vector<int64_t> index;   // out * count input indices, in [0, in)
  std::vector<double> weight;   // out * count weights (empty for nearest)
  std::vector<uint8_t> outside;  // per output index: 1 = extrapolated (empty if never)
  bool identity = false;        // output index o reads exactly input index o
};

ResizeTaps resizeTaps(const ResizeOptions& opt, const ResizeAxis& axis);

}  // namespace kiln::codegen
