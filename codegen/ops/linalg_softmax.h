// The softmax machinery shared by Softmax, LogSoftmax, Hardmax and
// SoftmaxCrossEntropyLoss: the [outer, n, inner] view of a tensor normalized
// along one axis, and the numerically stable (log-)softmax kernel over it.
#pragma once

#include <cstdint>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// A tensor viewed as [outer, n, inner], normalized along the middle dim.
struct AxisView {
  int64_t outer, n, inner;
};

// The view of the node's input 0 that Softmax, LogSoftmax and Hardmax
// normalize: along attribute `axis` (default -1), or, for nodes imported from
// opset < 13 with `legacy_coerce_2d = 1` (frontends/onnx/legacy_opset.cpp),
// jointly over every dim from `axis` on (the input coerced to 2-D).
AxisView softmaxAxisView(const KernelContext& ctx);

enum class SoftmaxKind { Softmax, LogSoftmax };

// y = softmax(x) or log(softmax(x)) along the middle dim of `view`, for x and y
// buffers of dtype t (f32, f64; f16 and bf16 are computed in f32). The max is
// subtracted before exp. With allowParallel the outer loop may become the
// kernel's parallelFor; a kernel that emits other work must pass false.
void emitSoftmaxAlong(KernelContext& ctx, SoftmaxKind kind, DType t, llvm::Value* x, llvm::Value* y,
                      AxisView view, bool allowParallel);

}  // namespace kiln::codegen
