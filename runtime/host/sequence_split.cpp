// SplitToSequence-11: splits a tensor along `axis` into a sequence. `split`
// absent: pieces of length 1, the axis dropped when keepdims = 0; a scalar:
// pieces of that length, the last one shorter when it does not divide the
// axis; a 1-D tensor: the piece lengths, which must sum to the axis length
// (keepdims is ignored when `split` is given).
#include <algorithm>

#include "ir/error.h"
#include "runtime/host/host_call.h"
#include "runtime/host/sequence_util.h"

namespace kiln::runtime {

std::vector<Value> runHostSplitToSequence(const HostCall& call) {
  const Tensor& x = call.tensor(0);
  const auto rank = static_cast<int64_t>(x.shape().size());
  if (rank == 0) fail("{}: cannot split a scalar", call.where());
  const size_t axis = seq::normalizeAxis(call, call.node.attrs.getInt("axis", 0), rank);
  const int64_t keepdims = call.node.attrs.getInt("keepdims", 1);
  if (keepdims != 0 && keepdims != 1) fail("{}: keepdims must be 0 or 1, got {}", call.where(), keepdims);
  const seq::AxisView view = seq::viewAround(x.shape(), axis);

  std::vector<int64_t> lengths;
  bool dropAxis = false;
  if (!call.hasInput(1)) {
    lengths.assign(static_cast<size_t>(view.len), 1);
    dropAxis = keepdims == 0;
  } else if (call.tensor(1).shape().empty()) {
    int64_t size = seq::readScalarInt(call, 1, "split");
    if (size <= 0) fail("{}: split must be positive, got {}", call.where(), size);
    for (int64_t done = 0; done < view.len; done += size) lengths.push_back(std::min(size, view.len - done));
  } else {
    if (call.tensor(1).shape().size() != 1)
      fail("{}: split must be a scalar or a 1-D tensor, got shape {}", call.where(),
           shapeToString(call.tensor(1).shape()));
    lengths = seq::readInts(call, 1, "split");
    int64_t sum = 0;
    for (int64_t l : lengths) {
      if (l < 0) fail("{}: split has a negative length {}", call.where(), l);
      if (l > view.len - sum)
        fail("{}: split lengths exceed the length {} of axis {}", call.where(), view.len, axis);
      sum += l;
    }
    if (sum != view.len)
      fail("{}: split lengths sum to {}, axis {} has length {}", call.where(), sum, axis, view.len);
  }

  std::vector<Tensor> pieces;
  pieces.reserve(lengths.size());
  int64_t offset = 0;
  for (int64_t len : lengths) {
    std::vector<int64_t> shape = x.shape();
    if (dropAxis) shape.erase(shape.begin() + static_cast<std::ptrdiff_t>(axis));
    else shape[axis] = len;
    Tensor piece(x.dtype(), std::move(shape));
    seq::copyBlocks(x, piece, view.outer, view.inner, view.len, offset, len, 0, len);
    pieces.push_back(std::move(piece));
    offset += len;
  }
  return {Value::sequence(std::move(pieces))};
}

}  // namespace kiln::runtime
