// Unique (ONNX opset 11): the distinct elements of X (flattened) or, with
// `axis`, the distinct slices of X along axis. sorted=1 orders them ascending
// (slices lexicographically, element by element in row-major order, as numpy.unique
// with axis does); sorted=0 keeps the order of first occurrence. Outputs:
//   Y               the distinct elements/slices
//   indices         int64, where each first occurs in X (along axis)
//   inverse_indices int64, for every element/slice of X its position in Y
//   counts          int64, how often each occurs
// Any of the last three may be absent from the node. Floats compare by value
// (-0 == +0); NaNs are equal to each other and sort after every number
// (numpy's equal_nan). O(n log n) comparisons of slices.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <type_traits>

#include "ir/error.h"
#include "ir/float16.h"
#include "runtime/host/dynamic_slices.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

namespace {

template <typename T>
int threeWay(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

// The distinct slices, as groups of slice indices: `order` lists every slice
// index grouped by equal slices, groups in output order, each group starting
// with its first occurrence; `starts` has the start of each group in `order`
// and a final entry order.size().
struct Grouping {
  std::vector<int64_t> order;
  std::vector<size_t> starts;
};

template <typename T>
Grouping groupSlices(const T* x, const AxisView& v, bool sorted) {
  auto cmp = [&](int64_t a, int64_t b) {
    for (int64_t o = 0; o < v.outer; ++o) {
      const T* pa = x + (o * v.n + a) * v.inner;
      const T* pb = x + (o * v.n + b) * v.inner;
      for (int64_t i = 0; i < v.inner; ++i)
        if (int c = threeWay(pa[i], pb[i])) return c;
    }
    return 0;
  };
  std::vector<int64_t> perm(static_cast<size_t>(v.n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  // Stable: equal slices stay in index order, so each run starts with its first occurrence.
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
  std::vector<std::pair<size_t, size_t>> runs;  // [begin, end) in perm
  for (size_t i = 0; i < perm.size();) {
    size_t j = i + 1;
    while (j < perm.size() && cmp(perm[i], perm[j]) == 0) ++j;
    runs.emplace_back(i, j);
    i = j;
  }
  if (!sorted)
    std::sort(runs.begin(), runs.end(),
              [&](const auto& a, const auto& b) { return perm[a.first] < perm[b.first]; });
  Grouping g;
  g.order.reserve(perm.size());
  for (const auto& [b, e] : runs) {
    g.starts.push_back(g.order.size());
    g.order.insert(g.order.end(), perm.begin() + static_cast<std::ptrdiff_t>(b),
                   perm.begin() + static_cast<std::ptrdiff_t>(e));
  }
  g.starts.push_back(g.order.size());
  return g;
}

// float16 / bfloat16: compared as the floats they hold.
Grouping groupConverted(const uint16_t* x, int64_t count, const AxisView& v, bool sorted,
                        float (*conv)(uint16_t)) {
  std::vector<float> f(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) f[static_cast<size_t>(i)] = conv(x[i]);
  return groupSlices(f.data(), v, sorted);
}

Grouping group(const HostCall& call, const Tensor& x, const AxisView& v, bool sorted) {
  switch (x.dtype()) {
    case DType::Bool:
    case DType::U8: return groupSlices(x.data<uint8_t>(), v, sorted);
    case DType::I8: return groupSlices(x.data<int8_t>(), v, sorted);
    case DType::U16: return groupSlices(x.data<uint16_t>(), v, sorted);
    case DType::I16: return groupSlices(x.data<int16_t>(), v, sorted);
    case DType::U32: return groupSlices(x.data<uint32_t>(), v, sorted);
    case DType::I32: return groupSlices(x.data<int32_t>(), v, sorted);
    case DType::U64: return groupSlices(x.data<uint64_t>(), v, sorted);
    case DType::I64: return groupSlices(x.data<int64_t>(), v, sorted);
    case DType::F32: return groupSlices(x.data<float>(), v, sorted);
    case DType::F64: return groupSlices(x.data<double>(), v, sorted);
    case DType::F16: return groupConverted(x.data<uint16_t>(), x.numElements(), v, sorted, ir::halfToFloat);
    case DType::BF16: return groupConverted(x.data<uint16_t>(), x.numElements(), v, sorted, ir::bf16ToFloat);
    case DType::String: return groupSlices(x.data<std::string>(), v, sorted);
    case DType::Undefined: break;
  }
  fail("{}: unsupported input dtype {}", call.where(), dtypeName(x.dtype()));
}

Tensor int64Vector(const std::vector<int64_t>& v) {
  Tensor t(DType::I64, {static_cast<int64_t>(v.size())});
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

}  // namespace

std::vector<Value> runHostUnique(const HostCall& call) {
  const Tensor& x = call.tensor(0);
  const int64_t sortedAttr = call.node.attrs.getInt("sorted", 1);
  if (sortedAttr != 0 && sortedAttr != 1) fail("{}: sorted must be 0 or 1, got {}", call.where(), sortedAttr);
  std::vector<int64_t> shape = x.shape();
  int64_t axis = 0;
  if (call.node.attrs.has("axis")) {
    if (shape.empty()) fail("{}: axis given for a scalar input", call.where());
    axis = normalizeHostAxis(call, call.node.attrs.getInt("axis", 0), shape.size());
  } else {
    shape = {x.numElements()};  // flattened
  }
  const AxisView view = axisView(shape, axis);
  const Grouping g = group(call, x, view, sortedAttr != 0);

  const size_t numUnique = g.starts.size() - 1;
  std::vector<int64_t> first(numUnique), counts(numUnique), inverse(static_cast<size_t>(view.n));
  for (size_t u = 0; u < numUnique; ++u) {
    first[u] = g.order[g.starts[u]];
    counts[u] = static_cast<int64_t>(g.starts[u + 1] - g.starts[u]);
    for (size_t k = g.starts[u]; k < g.starts[u + 1]; ++k)
      inverse[static_cast<size_t>(g.order[k])] = static_cast<int64_t>(u);
  }
  shape[static_cast<size_t>(axis)] = static_cast<int64_t>(numUnique);
  Tensor y(x.dtype(), shape);
  copySlices(x, view, first, y);

  std::vector<Value> out;
  out.emplace_back(std::move(y));
  if (call.numOutputs() > 1) out.emplace_back(int64Vector(first));
  if (call.numOutputs() > 2) out.emplace_back(int64Vector(inverse));
  if (call.numOutputs() > 3) out.emplace_back(int64Vector(counts));
  return out;
}

}  // namespace kiln::runtime
