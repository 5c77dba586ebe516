// Compress (ONNX opset 11): the slices of `input` along `axis` whose entry in
// the rank-1 bool `condition` is true; without `axis`, the elements of the
// flattened input (output rank 1). As in numpy.compress, a condition shorter
// than the axis drops the slices past its end, and a longer one may only have
// false entries past the end (a true one names a slice that does not exist).
#include "ir/error.h"
#include "runtime/host/dynamic_slices.h"
#include "runtime/host/host_call.h"

namespace kiln::runtime {

std::vector<Value> runHostCompress(const HostCall& call) {
  const Tensor& input = call.tensor(0);
  const Tensor& cond = call.tensor(1);
  if (cond.dtype() != DType::Bool)
    fail("{}: unsupported condition dtype {} (expected bool)", call.where(), dtypeName(cond.dtype()));
  if (cond.shape().size() != 1)
    fail("{}: condition must have rank 1, got shape {}", call.where(), shapeToString(cond.shape()));
  if (input.dtype() == DType::Undefined)
    fail("{}: unsupported input dtype {}", call.where(), dtypeName(input.dtype()));

  const bool hasAxis = call.node.attrs.has("axis");
  std::vector<int64_t> shape = input.shape();
  int64_t axis = 0;
  if (hasAxis) {
    if (shape.empty()) fail("{}: axis given for a scalar input", call.where());
    axis = normalizeHostAxis(call, call.node.attrs.getInt("axis", 0), shape.size());
  } else {
    shape = {input.numElements()};  // flattened
  }
  const AxisView view = axisView(shape, axis);

  const auto* c = cond.data<uint8_t>();
  std::vector<int64_t> pick;
  for (int64_t i = 0; i < cond.numElements(); ++i) {
    if (!c[i]) continue;
    if (i >= view.n)
      fail("{}: condition has a true entry at {}, past the {} slices along axis {}", call.where(), i, view.n,
           axis);
    pick.push_back(i);
  }
  shape[static_cast<size_t>(axis)] = static_cast<int64_t>(pick.size());
  Tensor out(input.dtype(), shape);
  copySlices(input, view, pick, out);
  return {Value(std::move(out))};
}

}  // namespace kiln::runtime
