// ConcatFromSequence-11: concatenates a sequence's tensors along `axis`
// (required). With new_axis = 1 the tensors, which must then have equal
// shapes, are stacked along a new axis inserted at `axis`, which may then be
// in [-rank - 1, rank]; otherwise `axis` is in [-rank, rank - 1] and the
// shapes may differ only along it. An empty sequence is an error.
#include "ir/error.h"
#include "runtime/host/host_call.h"
#include "runtime/host/sequence_util.h"

namespace kiln::runtime {

std::vector<Value> runHostConcatFromSequence(const HostCall& call) {
  const std::vector<Tensor>& elements = seq::sequenceInput(call, 0);
  if (!call.node.attrs.has("axis")) fail("{}: attribute 'axis' is required", call.where());
  const int64_t newAxis = call.node.attrs.getInt("new_axis", 0);
  if (newAxis != 0 && newAxis != 1) fail("{}: new_axis must be 0 or 1, got {}", call.where(), newAxis);
  if (elements.empty()) fail("{}: cannot concatenate an empty sequence", call.where());

  const Tensor& first = elements.front();
  const auto rank = static_cast<int64_t>(first.shape().size());
  // Each element viewed with the new axis of length 1 inserted, when new_axis = 1.
  const size_t axis = seq::normalizeAxis(call, call.node.attrs.getInt("axis", 0), rank + newAxis);
  auto viewed = [&](const Tensor& t) {
    std::vector<int64_t> shape = t.shape();
    if (newAxis) shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(axis), 1);
    return shape;
  };

  std::vector<int64_t> outShape = viewed(first);
  outShape[axis] = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    const Tensor& t = elements[i];
    if (t.dtype() != first.dtype())
      fail("{}: tensor #{} is {}, tensor #0 {}", call.where(), i, dtypeName(t.dtype()), dtypeName(first.dtype()));
    std::vector<int64_t> shape = viewed(t);
    bool match = shape.size() == outShape.size();
    for (size_t d = 0; match && d < shape.size(); ++d) match = d == axis || shape[d] == outShape[d];
    if (!match && newAxis)
      fail("{}: tensor #{} has shape {}, tensor #0 {}; stacking (new_axis = 1) needs equal shapes", call.where(),
           i, shapeToString(t.shape()), shapeToString(first.shape()));
    if (!match)
      fail("{}: tensor #{} has shape {}, tensor #0 {}; they may differ only along axis {}", call.where(), i,
           shapeToString(t.shape()), shapeToString(first.shape()), axis);
    outShape[axis] += shape[axis];
  }

  Tensor out(first.dtype(), outShape);
  const seq::AxisView view = seq::viewAround(outShape, axis);
  int64_t offset = 0;
  for (const Tensor& t : elements) {
    const int64_t len = viewed(t)[axis];
    seq::copyBlocks(t, out, view.outer, view.inner, len, 0, view.len, offset, len);
    offset += len;
  }
  return {Value(std::move(out))};
}

}  // namespace kiln::runtime
