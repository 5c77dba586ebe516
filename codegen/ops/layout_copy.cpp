// Split, Tile and ReverseSequence kernels: copies whose geometry follows from
// the (static) input and output shapes.
//   Split            output k takes columns [offset_k, offset_k + len_k) of every
//                    row of the input viewed as [outer, axis * inner] (ONNX Split-18)
//   Tile             the output viewed as [rep_0, in_0, rep_1, in_1, ...] copies
//                    from the input with stride 0 along the rep dims (ONNX Tile-13)
//   ReverseSequence  per batch entry, the first sequence_lens[b] time steps are
//                    copied in reverse order, the rest in order (ONNX ReverseSequence-10)
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

void emitSplit(KernelContext& ctx) {
  std::vector<int64_t> inShape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(inShape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank);
  int64_t outer = product(inShape, 0, axis), inner = product(inShape, axis + 1, inShape.size());
  int64_t rowLen = inShape[axis] * inner;
  std::vector<int64_t> bandLen, bandOffset;
  int64_t offset = 0;
  for (size_t k = 0; k < ctx.numOutputs(); ++k) {
    std::vector<int64_t> s = ctx.outputShape(k);
    if (s.size() != inShape.size()) ctx.fail("output {} has rank {}, expected {}", k, s.size(), rank);
    for (size_t d = 0; d < s.size(); ++d)
      if (d != axis && s[d] != inShape[d]) ctx.fail("output {} does not match the input on axis {}", k, d);
    bandLen.push_back(s[axis] * inner);
    bandOffset.push_back(offset);
    offset += s[axis] * inner;
  }
  if (offset != rowLen) ctx.fail("outputs take {} of {} elements per row", offset, rowLen);
  if (outer * rowLen == 0) return;
  DType t = ctx.inputDType(0);
  auto row = [&](llvm::Value* o) {
    for (size_t k = 0; k < ctx.numOutputs(); ++k) {
      if (bandLen[k] == 0) continue;
      llvm::Value* src = addScaled(ctx, ctx.i64(bandOffset[k]), o, rowLen);
      llvm::Value* dst = ctx.b.CreateNSWMul(o, ctx.i64(bandLen[k]));
      emitStridedCopy(ctx, t, ctx.input(0), src, ctx.output(k), dst, {CopyDim{bandLen[k], 1, 1}},
                      /*allowParallel=*/false);
    }
  };
  if (outer > 1 && worthParallel(outer * rowLen * static_cast<int64_t>(dtypeSize(t)) / 4))
    ctx.parallelFor(outer, row);
  else ctx.loop(0, outer, row);
}

void emitTile(KernelContext& ctx) {
  std::vector<int64_t> inShape = ctx.inputShape(0), outShape = ctx.outputShape(0);
  if (inShape.size() != outShape.size()) ctx.fail("output rank does not match the input's");
  if (product(outShape) == 0) return;
  std::vector<int64_t> inStrides = stridesOf(inShape), outStrides = stridesOf(outShape);
  std::vector<CopyDim> dims;
  for (size_t d = 0; d < inShape.size(); ++d) {
    int64_t in = inShape[d], out = outShape[d];
    if (in == 0 || out % in != 0) ctx.fail("output dim {} ({}) is not a multiple of the input's ({})", d, out, in);
    dims.push_back(CopyDim{out / in, 0, in * outStrides[d]});
    dims.push_back(CopyDim{in, inStrides[d], outStrides[d]});
  }
  emitStridedCopy(ctx, ctx.outputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0), dims,
                  /*allowParallel=*/true);
}

void emitReverseSequence(KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 2 || ctx.outputShape(0) != shape) ctx.fail("input and output must match, rank >= 2");
  int64_t batchAxis = ctx.attrs().getInt("batch_axis", 1), timeAxis = ctx.attrs().getInt("time_axis", 0);
  if (batchAxis + timeAxis != 1 || batchAxis * timeAxis != 0)
    ctx.fail("batch_axis and time_axis must be 0 and 1 in some order");
  DType lt = ctx.inputDType(1);
  if (lt != DType::I32 && lt != DType::I64) ctx.fail("sequence_lens must be int64, got {}", dtypeName(lt));
  int64_t batch = shape[static_cast<size_t>(batchAxis)], steps = shape[static_cast<size_t>(timeAxis)];
  if (ctx.inputType(1).numElements() != batch) ctx.fail("sequence_lens must have one entry per batch");
  int64_t inner = product(shape, 2, shape.size());
  if (batch * steps * inner == 0) return;
  int64_t batchStride = batchAxis == 0 ? steps * inner : inner;
  int64_t timeStride = timeAxis == 0 ? batch * inner : inner;
  DType t = ctx.outputDType(0);
  llvm::IRBuilder<>& b = ctx.b;
  ctx.loop(0, batch, [&](llvm::Value* bi) {
    // Lengths outside [0, steps] are invalid; clamping keeps reads in bounds.
    llvm::Value* len = ctx.convert(ctx.load(lt, ctx.input(1), bi), lt, DType::I64);
    len = b.CreateSelect(b.CreateICmpSLT(len, ctx.i64(0)), ctx.i64(0), len);
    len = b.CreateSelect(b.CreateICmpSGT(len, ctx.i64(steps)), ctx.i64(steps), len);
    llvm::Value* base = b.CreateNSWMul(bi, ctx.i64(batchStride));
    ctx.loop(0, steps, [&](llvm::Value* ti) {
      llvm::Value* reversed = b.CreateSub(b.CreateSub(len, ctx.i64(1)), ti);
      llvm::Value* from = b.CreateSelect(b.CreateICmpSLT(ti, len), reversed, ti);
      emitStridedCopy(ctx, t, ctx.input(0), addScaled(ctx, base, from, timeStride), ctx.output(0),
                      addScaled(ctx, base, ti, timeStride), {CopyDim{inner, 1, 1}}, /*allowParallel=*/false);
    });
  });
}

}  // namespace kiln::codegen
