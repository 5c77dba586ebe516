#include "runtime/host/sequence_util.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "ir/error.h"

namespace kiln::runtime::seq {

const std::vector<Tensor>& sequenceInput(const HostCall& call, size_t i) {
  const Value& v = call.input(i);
  if (!v.isSequence()) fail("{}: input #{} is a {}, expected a sequence", call.where(), i, kindName(v.kind()));
  return v.sequence();
}

std::vector<int64_t> readInts(const HostCall& call, size_t i, const char* what) {
  const Tensor& t = call.tensor(i);
  std::vector<int64_t> out(static_cast<size_t>(t.numElements()));
  if (t.dtype() == DType::I64) {
    std::copy(t.data<int64_t>(), t.data<int64_t>() + t.numElements(), out.begin());
  } else if (t.dtype() == DType::I32) {
    std::copy(t.data<int32_t>(), t.data<int32_t>() + t.numElements(), out.begin());
  } else {
    fail("{}: {} must be an int32 or int64 tensor, got {}", call.where(), what, dtypeName(t.dtype()));
  }
  return out;
}

int64_t readScalarInt(const HostCall& call, size_t i, const char* what) {
  const Tensor& t = call.tensor(i);
  if (t.shape().size() > 1 || t.numElements() != 1)
    fail("{}: {} must be a scalar, got shape {}", call.where(), what, shapeToString(t.shape()));
  return readInts(call, i, what)[0];
}

size_t normalizePosition(const HostCall& call, int64_t pos, size_t n, bool allowEnd) {
  const auto len = static_cast<int64_t>(n);
  const int64_t hi = allowEnd ? len : len - 1;
  if (pos < -len || pos > hi) {
    if (hi < -len) fail("{}: position {} is out of range for an empty sequence", call.where(), pos);
    fail("{}: position {} is out of range [{}, {}] for a sequence of {} tensors", call.where(), pos, -len, hi,
         n);
  }
  return static_cast<size_t>(pos < 0 ? pos + len : pos);
}

size_t normalizeAxis(const HostCall& call, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    fail("{}: axis {} is out of range [{}, {}] for rank {}", call.where(), axis, -rank, rank - 1, rank);
  return static_cast<size_t>(axis < 0 ? axis + rank : axis);
}

void checkElementDType(const HostCall& call, const std::vector<Tensor>& elements, const Tensor& t, size_t out) {
  DType want = elements.empty() ? call.output(out).type.dtype : elements.front().dtype();
  if (want != DType::Undefined && t.dtype() != want)
    fail("{}: cannot add a {} tensor to a sequence of {} tensors", call.where(), dtypeName(t.dtype()),
         dtypeName(want));
}

AxisView viewAround(const std::vector<int64_t>& shape, size_t axis) {
  AxisView v;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d < axis) v.outer *= shape[d];
    else if (d == axis) v.len = shape[d];
    else v.inner *= shape[d];
  }
  return v;
}

void copyBlocks(const Tensor& src, Tensor& dst, int64_t outer, int64_t inner, int64_t srcLen, int64_t srcOff,
                int64_t dstLen, int64_t dstOff, int64_t count) {
  if (count <= 0 || inner <= 0) return;
  if (src.dtype() == DType::String) {
    const std::string* s = src.data<std::string>();
    std::string* d = dst.data<std::string>();
    for (int64_t o = 0; o < outer; ++o)
      std::copy(s + (o * srcLen + srcOff) * inner, s + (o * srcLen + srcOff + count) * inner,
                d + (o * dstLen + dstOff) * inner);
    return;
  }
  const auto esize = static_cast<int64_t>(dtypeSize(src.dtype()));
  const auto* s = static_cast<const uint8_t*>(src.data());
  auto* d = static_cast<uint8_t*>(dst.data());
  const int64_t row = inner * esize;
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(d + (o * dstLen + dstOff) * row, s + (o * srcLen + srcOff) * row,
                static_cast<size_t>(count * row));
}

}  // namespace kiln::runtime::seq
