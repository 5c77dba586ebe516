// Tensor plumbing for the control-flow host kernels (see control_util.h).
#include "runtime/host/control_util.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "ir/error.h"

namespace kiln::runtime::control {

namespace {

const Tensor& oneElement(const Value& v, DType dtype, const std::string& where, const std::string& what) {
  if (!v.isTensor()) fail("{}: {} is a {}, expected a tensor", where, what, kindName(v.kind()));
  const Tensor& t = v.tensor();
  if (t.dtype() != dtype)
    fail("{}: {} has dtype {}, expected {}", where, what, dtypeName(t.dtype()), dtypeName(dtype));
  if (t.numElements() != 1)
    fail("{}: {} must hold exactly one element, got shape {}", where, what, shapeToString(t.shape()));
  return t;
}

int64_t product(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i) n *= shape[i];
  return n;
}

// Copies `count` elements from src[srcAt] to dst[dstAt] (element offsets).
void copyElements(Tensor& dst, int64_t dstAt, const Tensor& src, int64_t srcAt, int64_t count) {
  if (count <= 0) return;
  if (src.dtype() == DType::String) {
    const std::string* s = src.data<std::string>() + srcAt;
    std::copy(s, s + count, dst.data<std::string>() + dstAt);
    return;
  }
  const size_t size = dtypeSize(src.dtype());
  std::memcpy(dst.data<uint8_t>() + static_cast<size_t>(dstAt) * size,
              src.data<uint8_t>() + static_cast<size_t>(srcAt) * size, static_cast<size_t>(count) * size);
}

}  // namespace

bool readCondition(const Value& v, const std::string& where, const std::string& what) {
  return *oneElement(v, DType::Bool, where, what).data<uint8_t>() != 0;
}

int64_t readTripCount(const Value& v, const std::string& where, const std::string& what) {
  return *oneElement(v, DType::I64, where, what).data<int64_t>();
}

Tensor sliceAt(const Tensor& t, size_t axis, int64_t index) {
  const std::vector<int64_t>& shape = t.shape();
  if (axis >= shape.size() || index < 0 || index >= shape[axis])
    fail("internal error: slice {} of axis {} of a tensor of shape {}", index, axis, shapeToString(shape));
  std::vector<int64_t> outShape = shape;
  outShape.erase(outShape.begin() + static_cast<std::ptrdiff_t>(axis));
  Tensor out(t.dtype(), outShape);
  const int64_t outer = product(shape, 0, axis), inner = product(shape, axis + 1, shape.size());
  for (int64_t o = 0; o < outer; ++o) copyElements(out, o * inner, t, (o * shape[axis] + index) * inner, inner);
  return out;
}

Tensor stackAlong(const std::vector<Tensor>& parts, size_t axis, const std::string& where,
                  const std::string& what) {
  if (parts.empty()) fail("internal error: stacking no tensors");
  const Tensor& first = parts.front();
  const std::vector<int64_t>& shape = first.shape();
  for (size_t i = 1; i < parts.size(); ++i)
    if (parts[i].dtype() != first.dtype() || parts[i].shape() != shape)
      fail("{}: {} is a {} tensor of shape {} in iteration {} but a {} tensor of shape {} in iteration 0; "
           "scan outputs must have the same type and shape in every iteration",
           where, what, dtypeName(parts[i].dtype()), shapeToString(parts[i].shape()), i,
           dtypeName(first.dtype()), shapeToString(shape));
  if (axis > shape.size())
    fail("internal error: stacking tensors of rank {} along axis {}", shape.size(), axis);
  std::vector<int64_t> outShape = shape;
  const auto count = static_cast<int64_t>(parts.size());
  outShape.insert(outShape.begin() + static_cast<std::ptrdiff_t>(axis), count);
  checkedNumElements(outShape);
  Tensor out(first.dtype(), outShape);
  const int64_t outer = product(shape, 0, axis), inner = product(shape, axis, shape.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t p = 0; p < count; ++p)
      copyElements(out, (o * count + p) * inner, parts[static_cast<size_t>(p)], o * inner, inner);
  return out;
}

Tensor emptyStacked(const ir::Value& nodeOutput, const ir::Value* bodyOutput, int64_t axis,
                    const std::string& where) {
  DType dtype = nodeOutput.type.dtype;
  if (dtype == DType::Undefined && bodyOutput) dtype = bodyOutput->type.dtype;
  if (dtype == DType::Undefined)
    fail("{}: unsupported: output '{}' is empty (no iterations) and its element type is unknown", where,
         nodeOutput.name);
  auto normalized = [&](size_t rank) -> std::optional<size_t> {
    int64_t a = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
    if (a < 0 || a >= static_cast<int64_t>(rank)) return std::nullopt;
    return static_cast<size_t>(a);
  };
  // The node output: every dim but the stacked one static.
  const ir::TensorType& declared = nodeOutput.type;
  if (declared.rankKnown && !declared.shape.empty()) {
    if (auto a = normalized(declared.shape.size())) {
      std::vector<int64_t> shape;
      bool ok = true;
      for (size_t i = 0; i < declared.shape.size() && ok; ++i) {
        if (i == *a) shape.push_back(0);
        else if (declared.shape[i].isStatic()) shape.push_back(declared.shape[i].value);
        else ok = false;
      }
      if (ok) return Tensor(dtype, shape);
    }
  }
  // The subgraph's per-iteration output, static.
  if (bodyOutput && bodyOutput->type.rankKnown && bodyOutput->type.isStatic()) {
    std::vector<int64_t> shape = bodyOutput->type.staticShape();
    if (auto a = normalized(shape.size() + 1)) {
      shape.insert(shape.begin() + static_cast<std::ptrdiff_t>(*a), 0);
      return Tensor(dtype, shape);
    }
  }
  return Tensor(dtype, {0});
}

Tensor int64Scalar(int64_t v) {
  Tensor t(DType::I64, {});
  *t.data<int64_t>() = v;
  return t;
}

Tensor boolScalar(bool v) {
  Tensor t(DType::Bool, {});
  *t.data<uint8_t>() = v ? 1 : 0;
  return t;
}

}  // namespace kiln::runtime::control
