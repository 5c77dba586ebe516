// MaxUnpool (ONNX 11): the partial inverse of MaxPool. Every pooled value is
// scattered back to the position its index names, everything else is 0:
//   U = zeros(inferred); U.flat[I.flat[i]] = X.flat[i]
// where inferred[d] = (in[d] - 1) * stride + kernel - pads (N and C kept) and
// the indices are flat positions in the whole U tensor, as MaxPool's Indices
// output gives them. With an output_shape input that differs from `inferred`,
// U is placed at the origin of a zero Y of that shape (the ONNX reference's
// reading of "pads auto generated"; parts beyond a smaller Y are dropped).
// The indices are runtime data: one outside U is skipped, so the kernel never
// writes out of bounds. Elements are scattered in order on one thread, so a
// later duplicate index wins deterministically.
#include "codegen/kernel_context.h"
#include "codegen/ops/conv_ir.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

void emitMaxUnpool(KernelContext& ctx) {
  using namespace convir;
  DType t = bitsType(ctx, ctx.inputDType(0));
  if (ctx.inputDType(1) != DType::I64) ctx.fail("I must be int64, got {}", dtypeName(ctx.inputDType(1)));
  std::vector<int64_t> x = ctx.inputShape(0), y = ctx.outputShape(0);
  int64_t count = ctx.inputType(0).numElements();
  if (ctx.inputType(1).numElements() != count) ctx.fail("I and X differ in size");
  size_t spatial = x.size() - 2;
  std::vector<int64_t> kernel = ctx.attrs().getInts("kernel_shape");
  std::vector<int64_t> strides = ctx.attrs().has("strides") ? ctx.attrs().getInts("strides")
                                                             : std::vector<int64_t>(spatial, 1);
  std::vector<int64_t> pads = ctx.attrs().has("pads") ? ctx.attrs().getInts("pads")
                                                       : std::vector<int64_t>(2 * spatial, 0);
  if (kernel.size() != spatial || strides.size() != spatial || pads.size() != 2 * spatial || y.size() != x.size())
    ctx.fail("window attributes do not match X's rank {}", x.size());
  std::vector<int64_t> inferred = {x[0], x[1]};
  for (size_t i = 0; i < spatial; ++i)
    inferred.push_back(std::max<int64_t>(0, (x[i + 2] - 1) * strides[i] + kernel[i] - pads[i] - pads[i + spatial]));
  int64_t inferredTotal = product(inferred), total = product(y);
  if (total == 0) return;

  ctx.loop(0, total, [&](llvm::Value* i) { ctx.store(t, ctx.output(0), i, ctx.constant(t, 0)); });
  ctx.loop(0, count, [&](llvm::Value* i) {
    llvm::Value* at = ctx.load(DType::I64, ctx.input(1), i);
    // One unsigned compare checks 0 <= at < size.
    llvm::Value* inside = ctx.b.CreateICmpULT(at, ctx.i64(inferredTotal));
    if (inferred != y) {
      // Coordinates in U, kept where they fit in Y, re-linearized in Y.
      std::vector<llvm::Value*> coord = splitIndex(ctx, at, inferred);
      for (size_t d = 0; d < y.size(); ++d)
        if (y[d] < inferred[d]) inside = ctx.b.CreateAnd(inside, ctx.b.CreateICmpULT(coord[d], ctx.i64(y[d])));
      at = ctx.linearIndex(y, coord);
    }
    ctx.ifThen(inside, [&] { ctx.store(t, ctx.output(0), at, ctx.load(t, ctx.input(0), i)); });
  });
}

}  // namespace kiln::codegen
