// NonMaxSuppression (ONNX opset 11): for every batch and class, the boxes
// chosen greedily by descending score (ties: lower box index first), skipping
// a box whose IoU with an already chosen box of that class exceeds
// iou_threshold, keeping only boxes whose score exceeds score_threshold (when
// given), at most max_output_boxes_per_class of them (absent or <= 0: none).
// Output: int64 [num_selected, 3] rows of [batch, class, box], batch-major,
// then class, then selection order.
//   boxes  [num_batches, spatial, 4] float: center_point_box=0 -> [y1, x1, y2, x2]
//          (any diagonal corner pair); 1 -> [x_center, y_center, width, height]
//   scores [num_batches, num_classes, spatial] float
// Degenerate boxes (zero area) never suppress. NaN scores rank last.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ir/error.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

namespace {

struct Box {
  float xmin, ymin, xmax, ymax, area;
};

Box toBox(const float* p, bool centerPoint) {
  Box b{};
  if (centerPoint) {
    const float hw = p[2] / 2, hh = p[3] / 2;
    b = Box{p[0] - hw, p[1] - hh, p[0] + hw, p[1] + hh, 0};
  } else {
    b = Box{std::min(p[1], p[3]), std::min(p[0], p[2]), std::max(p[1], p[3]), std::max(p[0], p[2]), 0};
  }
  b.area = (b.xmax - b.xmin) * (b.ymax - b.ymin);
  return b;
}

bool suppresses(const Box& a, const Box& b, float iouThreshold) {
  const float ix = std::min(a.xmax, b.xmax) - std::max(a.xmin, b.xmin);
  const float iy = std::min(a.ymax, b.ymax) - std::max(a.ymin, b.ymin);
  if (!(ix > 0) || !(iy > 0)) return false;
  const float inter = ix * iy;
  const float uni = a.area + b.area - inter;
  if (!(a.area > 0) || !(b.area > 0) || !(uni > 0)) return false;
  return inter / uni > iouThreshold;
}

// The single value of an optional scalar input of `dtype` (a scalar or a
// 1-element tensor); false when the input is absent or empty.
template <typename T>
bool scalarInput(const HostCall& call, size_t i, DType dtype, const char* what, T& value) {
  if (!call.hasInput(i)) return false;
  const Tensor& t = call.tensor(i);
  if (t.numElements() == 0) return false;
  if (t.dtype() != dtype)
    fail("{}: unsupported {} dtype {} (expected {})", call.where(), what, dtypeName(t.dtype()),
         dtypeName(dtype));
  if (t.numElements() != 1)
    fail("{}: {} must hold one value, got shape {}", call.where(), what, shapeToString(t.shape()));
  value = *t.data<T>();
  return true;
}

}  // namespace

std::vector<Value> runHostNonMaxSuppression(const HostCall& call) {
  const Tensor& boxes = call.tensor(0);
  const Tensor& scores = call.tensor(1);
  if (boxes.dtype() != DType::F32 || scores.dtype() != DType::F32)
    fail("{}: unsupported boxes/scores dtypes {}/{} (expected f32)", call.where(), dtypeName(boxes.dtype()),
         dtypeName(scores.dtype()));
  const auto& bs = boxes.shape();
  const auto& ss = scores.shape();
  if (bs.size() != 3 || bs[2] != 4)
    fail("{}: boxes must have shape [batches, boxes, 4], got {}", call.where(), shapeToString(bs));
  if (ss.size() != 3 || ss[0] != bs[0] || ss[2] != bs[1])
    fail("{}: scores must have shape [{}, classes, {}], got {}", call.where(), bs[0], bs[1],
         shapeToString(ss));
  const int64_t centerPointBox = call.node.attrs.getInt("center_point_box", 0);
  if (centerPointBox != 0 && centerPointBox != 1)
    fail("{}: center_point_box must be 0 or 1, got {}", call.where(), centerPointBox);

  int64_t maxPerClass = 0;
  scalarInput(call, 2, DType::I64, "max_output_boxes_per_class", maxPerClass);
  float iouThreshold = 0;
  scalarInput(call, 3, DType::F32, "iou_threshold", iouThreshold);
  if (!(iouThreshold >= 0 && iouThreshold <= 1))
    fail("{}: iou_threshold must be in [0, 1], got {}", call.where(), iouThreshold);
  float scoreThreshold = 0;
  const bool hasScoreThreshold = scalarInput(call, 4, DType::F32, "score_threshold", scoreThreshold);

  const int64_t batches = bs[0], numBoxes = bs[1], classes = ss[1];
  std::vector<int64_t> rows;  // flattened [n, 3]
  std::vector<Box> box(static_cast<size_t>(numBoxes));
  std::vector<int64_t> cand, chosen;
  for (int64_t b = 0; b < batches && maxPerClass > 0; ++b) {
    const float* bp = boxes.data<float>() + b * numBoxes * 4;
    for (int64_t i = 0; i < numBoxes; ++i)
      box[static_cast<size_t>(i)] = toBox(bp + i * 4, centerPointBox == 1);
    for (int64_t c = 0; c < classes; ++c) {
      const float* sp = scores.data<float>() + (b * classes + c) * numBoxes;
      cand.clear();
      for (int64_t i = 0; i < numBoxes; ++i)
        if (!hasScoreThreshold || sp[i] > scoreThreshold) cand.push_back(i);
      std::stable_sort(cand.begin(), cand.end(), [&](int64_t x, int64_t y) {
        const bool nx = std::isnan(sp[x]), ny = std::isnan(sp[y]);
        if (nx || ny) return !nx && ny;
        return sp[x] > sp[y];
      });
      chosen.clear();
      for (int64_t i : cand) {
        if (static_cast<int64_t>(chosen.size()) >= maxPerClass) break;
        const Box& bi = box[static_cast<size_t>(i)];
        bool keep = true;
        for (int64_t j : chosen)
          if (suppresses(box[static_cast<size_t>(j)], bi, iouThreshold)) { keep = false; break; }
        if (!keep) continue;
        chosen.push_back(i);
        rows.insert(rows.end(), {b, c, i});
      }
    }
  }
  Tensor out(DType::I64, {static_cast<int64_t>(rows.size() / 3), 3});
  std::copy(rows.begin(), rows.end(), out.data<int64_t>());
  return {Value(std::move(out))};
}

}  // namespace kiln::runtime
