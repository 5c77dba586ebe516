// Axis normalization and slice copying for the dynamic-shape host kernels
// (see dynamic_slices.h).
#include "runtime/host/dynamic_slices.h"

#include <cstring>
#include <string>

#include "ir/error.h"

namespace kiln::runtime {

int64_t normalizeHostAxis(const HostCall& call, int64_t axis, size_t rank) {
  auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) fail("{}: axis {} is out of range for rank {}", call.where(), axis, r);
  return axis < 0 ? axis + r : axis;
}

AxisView axisView(const std::vector<int64_t>& shape, int64_t axis) {
  AxisView v;
  for (size_t d = 0; d < shape.size(); ++d) {
    auto i = static_cast<int64_t>(d);
    if (i < axis) v.outer *= shape[d];
    else if (i == axis) v.n = shape[d];
    else v.inner *= shape[d];
  }
  return v;
}

void copySlices(const Tensor& src, const AxisView& view, const std::vector<int64_t>& pick, Tensor& out) {
  const auto k = static_cast<int64_t>(pick.size());
  if (src.dtype() == DType::String) {
    const std::string* s = src.data<std::string>();
    std::string* d = out.data<std::string>();
    for (int64_t o = 0; o < view.outer; ++o)
      for (int64_t j = 0; j < k; ++j)
        for (int64_t i = 0; i < view.inner; ++i)
          d[(o * k + j) * view.inner + i] = s[(o * view.n + pick[static_cast<size_t>(j)]) * view.inner + i];
    return;
  }
  const size_t esize = dtypeSize(src.dtype());
  const size_t row = static_cast<size_t>(view.inner) * esize;
  if (row == 0) return;
  const auto* s = static_cast<const uint8_t*>(src.data());
  auto* d = static_cast<uint8_t*>(out.data());
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      std::memcpy(d + static_cast<size_t>(o * k + j) * row,
                  s + static_cast<size_t>(o * view.n + pick[static_cast<size_t>(j)]) * row, row);
}

}  // namespace kiln::runtime
