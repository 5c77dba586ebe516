// Helpers shared by the dynamic-shape host kernels (NonZero, Unique, Compress):
// axis normalization and copying chosen slices of a tensor along an axis, for
// every dtype (numeric by bytes, strings element by element).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/host/host_call.h"

namespace kiln::runtime {

// `axis` in [-rank, rank-1] normalized to [0, rank-1]; fails naming the node otherwise.
int64_t normalizeHostAxis(const HostCall& call, int64_t axis, size_t rank);

// A tensor viewed as [outer, n, inner] around `axis` (n = shape[axis]).
struct AxisView {
  int64_t outer = 1, n = 1, inner = 1;
};
AxisView axisView(const std::vector<int64_t>& shape, int64_t axis);

// out[..., k, ...] = src[..., pick[k], ...] along `axis` of the view; every
// pick[k] must be in [0, view.n). `out` has src's dtype and outer * pick.size()
// * inner elements.
void copySlices(const Tensor& src, const AxisView& view, const std::vector<int64_t>& pick, Tensor& out);

}  // namespace kiln::runtime
