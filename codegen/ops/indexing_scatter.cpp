// ScatterElements and ScatterND kernels (ONNX opset 18, reduction
// none/add/mul/max/min). The output starts as a copy of `data`; then, in index
// order, every update is written to (or combined with) the element its index
// names:
//   ScatterElements  out[i with i[axis] = indices[i]] op= updates[i]
//   ScatterND        out[t_0, ..., t_{k-1}, :, ...] op= updates[p, :, ...] for tuple p
// Updates run sequentially so repeated indices combine deterministically (the
// last write wins without a reduction). Runtime indices are normalized and
// clamped, so invalid ones never write outside the output.
#include "codegen/kernel_context.h"
#include "codegen/ops/indexing_helpers.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// Copies data into the output, single-threaded like the scatter that follows.
void copyData(KernelContext& ctx) {
  int64_t count = ctx.outputType(0).numElements();
  if (ctx.inputType(0).numElements() != count) ctx.fail("output shape does not match the data");
  emitStridedCopy(ctx, ctx.outputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0),
                  {CopyDim{count, 1, 1}}, /*allowParallel=*/false);
}

// out[dst] = reduce(out[dst], updates[src]).
void update(KernelContext& ctx, Reduction r, llvm::Value* dst, llvm::Value* src) {
  DType t = r == Reduction::None ? bitsType(ctx, ctx.outputDType(0)) : ctx.outputDType(0);
  llvm::Value* v = ctx.load(t, ctx.input(2), src);
  if (r != Reduction::None) v = reduce(ctx, r, t, ctx.load(t, ctx.output(0), dst), v);
  ctx.store(t, ctx.output(0), dst, v);
}

}  // namespace

void emitScatterElements(KernelContext& ctx) {
  requireIndexDType(ctx, 1);
  Reduction r = parseReduction(ctx);
  std::vector<int64_t> dataShape = ctx.inputShape(0), idxShape = ctx.inputShape(1);
  auto rank = static_cast<int64_t>(dataShape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank);
  if (idxShape.size() != dataShape.size() || ctx.inputShape(2) != idxShape)
    ctx.fail("indices must have the data's rank and the updates' shape");
  for (size_t d = 0; d < dataShape.size(); ++d)
    if (d != axis && idxShape[d] > dataShape[d]) ctx.fail("indices dim {} exceeds the data's", d);
  copyData(ctx);
  if (product(idxShape) == 0) return;

  std::vector<int64_t> dataStrides = stridesOf(dataShape), idxStrides = stridesOf(idxShape);
  int64_t axisStride = dataStrides[axis], axisLen = dataShape[axis];
  dataStrides[axis] = 0;  // the axis coordinate comes from the index
  emitOffsetNest(ctx, idxShape, {dataStrides, idxStrides}, /*parallel=*/false,
                 [&](const std::vector<llvm::Value*>& o) {
                   llvm::Value* index = loadAxisIndex(ctx, 1, o[1], axisLen);
                   update(ctx, r, addScaled(ctx, o[0], index, axisStride), o[1]);
                 });
}

void emitScatterND(KernelContext& ctx) {
  requireIndexDType(ctx, 1);
  Reduction r = parseReduction(ctx);
  std::vector<int64_t> dataShape = ctx.inputShape(0), idxShape = ctx.inputShape(1);
  if (idxShape.empty()) ctx.fail("indices must have rank >= 1");
  int64_t k = idxShape.back();
  if (k < 1 || k > static_cast<int64_t>(dataShape.size()))
    ctx.fail("index tuples of {} entries do not fit data rank {}", k, dataShape.size());
  auto uk = static_cast<size_t>(k);
  int64_t tuples = product(idxShape, 0, idxShape.size() - 1);
  int64_t sliceLen = product(dataShape, uk, dataShape.size());
  if (ctx.inputType(2).numElements() != tuples * sliceLen) ctx.fail("updates shape does not match");
  copyData(ctx);
  if (tuples * sliceLen == 0) return;
  std::vector<int64_t> dataStrides = stridesOf(dataShape);

  ctx.loop(0, tuples, [&](llvm::Value* p) {
    llvm::Value* dst = ctx.i64(0);
    llvm::Value* tuple = ctx.b.CreateNSWMul(p, ctx.i64(k));
    for (size_t j = 0; j < uk; ++j) {
      llvm::Value* pos = ctx.b.CreateNSWAdd(tuple, ctx.i64(static_cast<int64_t>(j)));
      dst = addScaled(ctx, dst, loadAxisIndex(ctx, 1, pos, dataShape[j]), dataStrides[j]);
    }
    llvm::Value* src = ctx.b.CreateNSWMul(p, ctx.i64(sliceLen));
    ctx.loop(0, sliceLen, [&](llvm::Value* s) {
      update(ctx, r, ctx.b.CreateNSWAdd(dst, s), ctx.b.CreateNSWAdd(src, s));
    });
  });
}

}  // namespace kiln::codegen
