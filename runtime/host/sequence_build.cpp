// Sequences built and edited (ONNX SequenceEmpty-11, SequenceConstruct-11,
// SequenceInsert-11, SequenceErase-11): a sequence is a list of tensors of one
// dtype whose shapes may differ. Positions may be negative (counted from the
// back): SequenceInsert accepts [-n, n] (n appends; absent appends too),
// SequenceErase [-n, n - 1] (absent erases the last tensor).
#include <limits>

#include "ir/error.h"
#include "runtime/host/host_call.h"
#include "runtime/host/sequence_util.h"

namespace kiln::runtime {

std::vector<Value> runHostSequenceEmpty(const HostCall& call) {
  int64_t dtype = call.node.attrs.getInt("dtype", static_cast<int64_t>(DType::F32));
  if (dtype > std::numeric_limits<int32_t>::max() || !dtypeFromOnnx(static_cast<int32_t>(dtype)))
    fail("{}: unsupported element dtype {} (ONNX TensorProto.DataType)", call.where(), dtype);
  return {Value::sequence(std::vector<Tensor>{})};
}

std::vector<Value> runHostSequenceConstruct(const HostCall& call) {
  std::vector<Tensor> elements;
  for (size_t i = 0; i < call.numInputs(); ++i) {
    const Tensor& t = call.tensor(i);
    if (!elements.empty() && t.dtype() != elements.front().dtype())
      fail("{}: input #{} is a {} tensor, input #0 a {} tensor; a sequence holds one dtype", call.where(), i,
           dtypeName(t.dtype()), dtypeName(elements.front().dtype()));
    elements.push_back(t);
  }
  return {Value::sequence(std::move(elements))};
}

std::vector<Value> runHostSequenceInsert(const HostCall& call) {
  std::vector<Tensor> elements = seq::sequenceInput(call, 0);
  const Tensor& t = call.tensor(1);
  seq::checkElementDType(call, elements, t);
  size_t pos = elements.size();
  if (call.hasInput(2))
    pos = seq::normalizePosition(call, seq::readScalarInt(call, 2, "position"), elements.size(), true);
  elements.insert(elements.begin() + static_cast<std::ptrdiff_t>(pos), t);
  return {Value::sequence(std::move(elements))};
}

std::vector<Value> runHostSequenceErase(const HostCall& call) {
  std::vector<Tensor> elements = seq::sequenceInput(call, 0);
  int64_t position = call.hasInput(1) ? seq::readScalarInt(call, 1, "position") : -1;
  size_t pos = seq::normalizePosition(call, position, elements.size(), false);
  elements.erase(elements.begin() + static_cast<std::ptrdiff_t>(pos));
  return {Value::sequence(std::move(elements))};
}

}  // namespace kiln::runtime
