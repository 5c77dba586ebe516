// GatherElements and GatherND kernels (ONNX opset 13).
//
// GatherElements: out[i] = data[i with i[axis] replaced by indices[i]]; the
// output has the indices' shape, which may be smaller than the data's off the axis.
// GatherND (batch_dims b): indices [..., k] hold tuples naming slices
// data[batch, t_0, ..., t_{k-1}, :, ...]; each tuple copies one contiguous
// slice of prod(data.shape[b + k:]) elements.
//
// Runtime indices are normalized (negative counts from the end) and clamped
// into range, so invalid ones never read outside `data`.
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/indexing_helpers.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

void emitGatherElements(KernelContext& ctx) {
  requireIndexDType(ctx, 1);
  std::vector<int64_t> dataShape = ctx.inputShape(0), idxShape = ctx.inputShape(1);
  auto rank = static_cast<int64_t>(dataShape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank);
  if (idxShape.size() != dataShape.size() || ctx.outputShape(0) != idxShape)
    ctx.fail("indices and output must have the data's rank and the same shape");
  for (size_t d = 0; d < dataShape.size(); ++d)
    if (d != axis && idxShape[d] > dataShape[d]) ctx.fail("indices dim {} exceeds the data's", d);
  int64_t count = product(idxShape);
  if (count == 0) return;

  std::vector<int64_t> dataStrides = stridesOf(dataShape), idxStrides = stridesOf(idxShape);
  int64_t axisStride = dataStrides[axis], axisLen = dataShape[axis];
  dataStrides[axis] = 0;  // the axis coordinate comes from the index
  DType t = bitsType(ctx, ctx.outputDType(0));
  bool parallel = worthParallel(count * static_cast<int64_t>(dtypeSize(t)) / 2);
  emitOffsetNest(ctx, idxShape, {dataStrides, idxStrides}, parallel, [&](const std::vector<llvm::Value*>& o) {
    llvm::Value* index = loadAxisIndex(ctx, 1, o[1], axisLen);
    llvm::Value* src = addScaled(ctx, o[0], index, axisStride);
    ctx.store(t, ctx.output(0), o[1], ctx.load(t, ctx.input(0), src));
  });
}

void emitGatherND(KernelContext& ctx) {
  requireIndexDType(ctx, 1);
  std::vector<int64_t> dataShape = ctx.inputShape(0), idxShape = ctx.inputShape(1);
  int64_t b = ctx.attrs().getInt("batch_dims", 0);
  auto r = static_cast<int64_t>(dataShape.size()), q = static_cast<int64_t>(idxShape.size());
  if (q < 1 || b < 0 || b >= std::min(r, q)) ctx.fail("batch_dims {} out of range", b);
  int64_t k = idxShape.back();
  if (k < 1 || k > r - b) ctx.fail("index tuples of {} entries do not fit data rank {}", k, r);
  auto ub = static_cast<size_t>(b), uk = static_cast<size_t>(k);
  for (size_t d = 0; d < ub; ++d)
    if (dataShape[d] != idxShape[d]) ctx.fail("batch dim {} differs between data and indices", d);
  int64_t batches = product(dataShape, 0, ub);
  int64_t tuplesPerBatch = product(idxShape, ub, idxShape.size() - 1);
  int64_t sliceLen = product(dataShape, ub + uk, dataShape.size());
  int64_t batchStride = product(dataShape, ub, dataShape.size());
  int64_t tuples = batches * tuplesPerBatch;
  if (ctx.outputType(0).numElements() != tuples * sliceLen) ctx.fail("output shape does not match");
  if (tuples * sliceLen == 0) return;
  std::vector<int64_t> dataStrides = stridesOf(dataShape);

  DType t = ctx.outputDType(0);
  auto gatherOne = [&](llvm::Value* p) {
    llvm::Value* batch = batches == 1 ? ctx.i64(0) : ctx.b.CreateUDiv(p, ctx.i64(tuplesPerBatch));
    llvm::Value* src = ctx.b.CreateNSWMul(batch, ctx.i64(batchStride));
    llvm::Value* tuple = ctx.b.CreateNSWMul(p, ctx.i64(k));
    for (size_t j = 0; j < uk; ++j) {
      llvm::Value* pos = ctx.b.CreateNSWAdd(tuple, ctx.i64(static_cast<int64_t>(j)));
      src = addScaled(ctx, src, loadAxisIndex(ctx, 1, pos, dataShape[ub + j]), dataStrides[ub + j]);
    }
    emitStridedCopy(ctx, t, ctx.input(0), src, ctx.output(0), ctx.b.CreateNSWMul(p, ctx.i64(sliceLen)),
                    {CopyDim{sliceLen, 1, 1}}, /*allowParallel=*/false);
  };
  if (tuples > 1 && worthParallel(tuples * sliceLen * static_cast<int64_t>(dtypeSize(t)) / 4))
    ctx.parallelFor(tuples, gatherOne);
  else ctx.loop(0, tuples, gatherOne);
}

}  // namespace kiln::codegen
