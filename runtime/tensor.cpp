#include "runtime/tensor.h"

#include <cstdlib>
#include <cstring>

#include "ir/error.h"

namespace kiln::runtime {

int64_t checkedNumElements(const std::vector<int64_t>& shape, int64_t maxElements) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail("negative dimension {} in shape {}", d, shapeToString(shape));
    if (d != 0 && n > maxElements / d) fail("shape {} is too large", shapeToString(shape));
    n *= d;
  }
  return n;
}

std::string shapeToString(const std::vector<int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape)
    : dtype_(dtype), shape_(std::move(shape)), numElements_(checkedNumElements(shape_)) {
  if (dtype_ == DType::String) {
    strings_ = std::make_shared<std::vector<std::string>>(static_cast<size_t>(numElements_));
    return;
  }
  size_t bytes = byteSize();
  size_t rounded = (bytes + 63) / 64 * 64 + 64;  // never 0; room for vector over-reads
  void* p = std::aligned_alloc(64, rounded);
  if (!p) fail("out of memory allocating {} bytes for a tensor", rounded);
  std::memset(p, 0, rounded);
  storage_ = std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

}  // namespace kiln::runtime
