// Conversions between runtime tensors and IR constant data (ir/tensor_data.h):
// constants become tensors when a host op or a graph output reads them, and
// host values become constants when a stage specializes on their contents.
// String tensors convert element by element; others copy bytes.
#pragma once

#include "ir/tensor_data.h"
#include "runtime/tensor.h"

namespace kiln::runtime {

Tensor toTensor(const ir::TensorData& data);
ir::TensorDataPtr toTensorData(const Tensor& t);

}  // namespace kiln::runtime
