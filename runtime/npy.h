// NumPy .npy files (format versions 1.0, 2.0 and 3.0) <-> runtime::Tensor.
//
// Supported element types, by their NumPy `descr`:
//   <f2 <f4 <f8  <i2 <i4 <i8  <u2 <u4 <u8  |i1 |u1 |b1
// (one-byte types are also accepted with a '<' or '=' byte-order mark). Only
// little-endian, C-order arrays are read; anything else is a kiln::Error that
// names the file. No ONNX or LLVM here: the runtime and the CLI use it.
#pragma once

#include <string>

#include "runtime/tensor.h"

namespace kiln::runtime {

Tensor readNpy(const std::string& path);

// Writes format 1.0 (2.0 when the header does not fit 1.0's 16-bit length).
// Throws kiln::Error for dtypes NumPy has no spelling for (bf16, strings).
void writeNpy(const std::string& path, const Tensor& tensor);

}  // namespace kiln::runtime
