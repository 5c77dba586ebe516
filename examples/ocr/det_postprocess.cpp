// det_postprocess.cpp — threshold, 8-connected components, box scoring, unclip.
#include "det_postprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace kiln_ocr {

namespace {

// Inclusive bounding box of a connected component, in map pixels.
struct Component {
  int xmin, ymin, xmax, ymax;
};

// Labels the 8-connected components of the thresholded map with a flood fill
// (an explicit stack: text regions can be larger than the call stack allows).
std::vector<Component> connectedComponents(const std::vector<uint8_t>& bitmap, int height, int width) {
  std::vector<Component> components;
  std::vector<uint8_t> visited(bitmap.size(), 0);
  std::vector<int> stack;
  for (int start = 0; start < height * width; ++start) {
    if (!bitmap[start] || visited[start]) continue;
    Component c{start % width, start / width, start % width, start / width};
    visited[start] = 1;
    stack.push_back(start);
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int x = p % width, y = p / width;
      c.xmin = std::min(c.xmin, x);
      c.xmax = std::max(c.xmax, x);
      c.ymin = std::min(c.ymin, y);
      c.ymax = std::max(c.ymax, y);
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const int q = ny * width + nx;
          if (bitmap[q] && !visited[q]) {
            visited[q] = 1;
            stack.push_back(q);
          }
        }
      }
    }
    components.push_back(c);
  }
  return components;
}

float meanProbability(const float* prob, int width, const Component& c) {
  double sum = 0.0;
  for (int y = c.ymin; y <= c.ymax; ++y) {
    for (int x = c.xmin; x <= c.xmax; ++x) sum += prob[static_cast<size_t>(y) * width + x];
  }
  return static_cast<float>(sum / ((c.xmax - c.xmin + 1.0) * (c.ymax - c.ymin + 1.0)));
}

// Scales a map coordinate to the original image and clamps it inside.
int toImage(double v, int mapSize, int imageSize) {
  return std::clamp(static_cast<int>(std::lround(v / mapSize * imageSize)), 0, imageSize);
}

}  // namespace

std::vector<TextBox> findTextBoxes(const float* prob, int mapHeight, int mapWidth, int imageHeight,
                                   int imageWidth, const DetPostprocessOptions& options) {
  std::vector<uint8_t> bitmap(static_cast<size_t>(mapHeight) * mapWidth);
  for (size_t i = 0; i < bitmap.size(); ++i) bitmap[i] = prob[i] > options.threshold;

  std::vector<Component> components = connectedComponents(bitmap, mapHeight, mapWidth);
  if (components.size() > static_cast<size_t>(options.maxCandidates)) components.resize(options.maxCandidates);

  std::vector<TextBox> boxes;
  for (const Component& c : components) {
    // The box spans the component's outermost pixel coordinates, as a contour would.
    const double w = c.xmax - c.xmin, h = c.ymax - c.ymin;
    if (std::min(w, h) < options.minSize) continue;
    const float score = meanProbability(prob, mapWidth, c);
    if (score < options.boxThreshold) continue;
    // DB trains on text kernels shrunk by D = A(1 - r^2)/L; the inverse offset
    // grows the box by A * unclipRatio / L on every side.
    const double d = w * h * options.unclipRatio / (2.0 * (w + h));
    if (std::min(w, h) + 2 * d < options.minSize + 2) continue;
    TextBox box;
    box.rect.x0 = toImage(c.xmin - d, mapWidth, imageWidth);
    box.rect.x1 = toImage(c.xmax + d, mapWidth, imageWidth);
    box.rect.y0 = toImage(c.ymin - d, mapHeight, imageHeight);
    box.rect.y1 = toImage(c.ymax + d, mapHeight, imageHeight);
    box.score = score;
    if (box.rect.width() > 0 && box.rect.height() > 0) boxes.push_back(box);
  }
  return boxes;
}

void sortReadingOrder(std::vector<TextBox>& boxes) {
  constexpr int kSameRowPixels = 10;  // PaddleOCR's tolerance for "same line"
  std::stable_sort(boxes.begin(), boxes.end(),
                   [](const TextBox& a, const TextBox& b) { return a.rect.y0 < b.rect.y0; });
  // Order each run of boxes starting near the same height left to right.
  for (size_t begin = 0; begin < boxes.size();) {
    size_t end = begin + 1;
    while (end < boxes.size() && boxes[end].rect.y0 - boxes[begin].rect.y0 < kSameRowPixels) ++end;
    std::stable_sort(boxes.begin() + begin, boxes.begin() + end,
                     [](const TextBox& a, const TextBox& b) { return a.rect.x0 < b.rect.x0; });
    begin = end;
  }
}

}  // namespace kiln_ocr
