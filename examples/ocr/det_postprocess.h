// det_postprocess.h — from the detector's text probability map to text boxes
// (a simplified DB post-process: axis-aligned boxes instead of rotated ones).
#pragma once

#include <vector>

#include "image.h"

namespace kiln_ocr {

struct DetPostprocessOptions {
  float threshold = 0.3f;     // a map pixel is text when its probability exceeds this
  float boxThreshold = 0.6f;  // mean probability a candidate box needs to be kept
  // How far to grow the shrunk text kernel back out. PaddleOCR's default is 1.5;
  // on rendered Latin text that crops so tightly that the recognizer drops the
  // spaces between words ("HelloKiln2024"), and 2.0 keeps them.
  float unclipRatio = 2.0f;
  int minSize = 3;            // boxes whose short side is smaller are noise
  int maxCandidates = 1000;   // at most this many components are considered
};

struct TextBox {
  Rect rect;    // in original-image pixels
  float score;  // mean probability over the box in the map
};

// `prob` is the mapHeight x mapWidth probability map computed on the image
// resized from imageWidth x imageHeight; boxes are mapped back to the latter.
std::vector<TextBox> findTextBoxes(const float* prob, int mapHeight, int mapWidth, int imageHeight,
                                   int imageWidth, const DetPostprocessOptions& options);

// Reading order: top to bottom; boxes whose tops are within a few pixels count
// as one row and are ordered left to right.
void sortReadingOrder(std::vector<TextBox>& boxes);

}  // namespace kiln_ocr
