// Gather: out[p, i, j] = data[p, indices[i], j], with data viewed as
// [pre, axisLen, post] and the indices flattened. Each (p, i) row copies a
// contiguous run of `post` elements.
//
// Negative indices count from the end. Out-of-range indices are an error that
// the shape rule reports for constant indices; for runtime indices the kernel
// clamps them into range so it never reads outside `data`.
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

void emitGather(KernelContext& ctx) {
  std::vector<int64_t> dataShape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(dataShape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank);
  DType indexType = ctx.inputDType(1);
  if (indexType != DType::I32 && indexType != DType::I64)
    ctx.fail("indices must be int32 or int64, got {}", dtypeName(indexType));

  int64_t pre = product(dataShape, 0, axis), axisLen = dataShape[axis];
  int64_t post = product(dataShape, axis + 1, dataShape.size());
  int64_t numIndices = ctx.inputType(1).numElements();
  int64_t rows = pre * numIndices;
  if (ctx.outputType(0).numElements() != rows * post) ctx.fail("output shape does not match");
  if (rows * post == 0) return;
  if (axisLen == 0) ctx.fail("gathers from axis {} of size 0", axis);

  DType t = ctx.outputDType(0);
  auto row = [&](llvm::Value* r) {
    llvm::Value* p = pre == 1 ? ctx.i64(0) : ctx.b.CreateUDiv(r, ctx.i64(numIndices));
    llvm::Value* i = pre == 1 ? r : ctx.b.CreateURem(r, ctx.i64(numIndices));
    llvm::Value* index = ctx.convert(ctx.load(indexType, ctx.input(1), i), indexType, DType::I64);
    llvm::Value* negative = ctx.b.CreateICmpSLT(index, ctx.i64(0));
    index = ctx.b.CreateSelect(negative, ctx.b.CreateAdd(index, ctx.i64(axisLen)), index);
    // Clamp into [0, axisLen - 1]: invalid runtime indices must not read out of bounds.
    index = ctx.b.CreateSelect(ctx.b.CreateICmpSLT(index, ctx.i64(0)), ctx.i64(0), index);
    index = ctx.b.CreateSelect(ctx.b.CreateICmpSGT(index, ctx.i64(axisLen - 1)), ctx.i64(axisLen - 1), index);
    llvm::Value* src = ctx.b.CreateNSWMul(addScaled(ctx, index, p, axisLen), ctx.i64(post));
    llvm::Value* dst = ctx.b.CreateNSWMul(r, ctx.i64(post));
    emitStridedCopy(ctx, t, ctx.input(0), src, ctx.output(0), dst, {CopyDim{post, 1, 1}},
                    /*allowParallel=*/false);
  };
  if (rows > 1 && worthParallel(rows * post * static_cast<int64_t>(dtypeSize(t)) / 4))
    ctx.parallelFor(rows, row);
  else ctx.loop(0, rows, row);
}

}  // namespace kiln::codegen
