// Reading a sequence (ONNX SequenceAt-11, SequenceLength-11): SequenceAt
// returns the tensor at a position in [-n, n - 1] (negative counts from the
// back); SequenceLength the number of tensors as an int64 scalar.
#include "ir/error.h"
#include "runtime/host/host_call.h"
#include "runtime/host/sequence_util.h"

namespace kiln::runtime {

std::vector<Value> runHostSequenceAt(const HostCall& call) {
  const std::vector<Tensor>& elements = seq::sequenceInput(call, 0);
  size_t pos = seq::normalizePosition(call, seq::readScalarInt(call, 1, "position"), elements.size(), false);
  return {Value(elements[pos])};
}

std::vector<Value> runHostSequenceLength(const HostCall& call) {
  const std::vector<Tensor>& elements = seq::sequenceInput(call, 0);
  Tensor len(DType::I64, {});
  *len.data<int64_t>() = static_cast<int64_t>(elements.size());
  return {Value(std::move(len))};
}

}  // namespace kiln::runtime
