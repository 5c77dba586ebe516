// Data movement kernels. Every dtype moves as same-sized integers, and every
// op here is one strided copy (loop_helpers.h) described by per-dim extents
// and source/destination strides:
//   Reshape family  one contiguous run of all elements
//   Transpose       output order, source strides permuted
//   Slice           source strides scaled by the steps, offset by the starts
//   Expand          source stride 0 along broadcast dims
//   Concat          each input into its band of every outer row
// Gather is in movement_gather.cpp.
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "ir/shape_rules/slice_params.h"

namespace kiln::codegen {

namespace {

// Output = input with the same element order (only the shape changes).
void emitContiguousCopy(KernelContext& ctx) {
  int64_t count = ctx.outputType(0).numElements();
  if (ctx.inputType(0).numElements() != count)
    ctx.fail("input has {} elements but output has {}", ctx.inputType(0).numElements(), count);
  emitStridedCopy(ctx, ctx.outputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0),
                  {CopyDim{count, 1, 1}}, /*allowParallel=*/true);
}

// Copy dims that walk the output in order; source strides are set by the caller.
std::vector<CopyDim> outputOrderDims(const std::vector<int64_t>& outShape) {
  std::vector<int64_t> outStrides = stridesOf(outShape);
  std::vector<CopyDim> dims;
  for (size_t d = 0; d < outShape.size(); ++d) dims.push_back(CopyDim{outShape[d], 0, outStrides[d]});
  return dims;
}

}  // namespace

// The shape is static at compile time: store it as constants.
void emitShape(KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(shape.size());
  auto clampIndex = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  int64_t start = clampIndex(ctx.attrs().getInt("start", 0));
  int64_t end = clampIndex(ctx.attrs().getInt("end", rank));
  if (std::max<int64_t>(0, end - start) != ctx.outputType(0).numElements())
    ctx.fail("output has {} elements, expected {}", ctx.outputType(0).numElements(), end - start);
  for (int64_t i = start; i < end; ++i)
    ctx.store(DType::I64, ctx.output(0), ctx.i64(i - start), ctx.i64(shape[static_cast<size_t>(i)]));
}

void emitReshape(KernelContext& ctx) { emitContiguousCopy(ctx); }
void emitFlatten(KernelContext& ctx) { emitContiguousCopy(ctx); }
void emitSqueeze(KernelContext& ctx) { emitContiguousCopy(ctx); }
void emitUnsqueeze(KernelContext& ctx) { emitContiguousCopy(ctx); }

void emitTranspose(KernelContext& ctx) {
  std::vector<int64_t> inShape = ctx.inputShape(0), outShape = ctx.outputShape(0);
  auto rank = static_cast<int64_t>(inShape.size());
  std::vector<int64_t> perm = ctx.attrs().getInts("perm");
  if (!ctx.attrs().has("perm"))
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  if (static_cast<int64_t>(perm.size()) != rank || outShape.size() != perm.size())
    ctx.fail("perm has {} entries but the input has rank {}", perm.size(), rank);
  std::vector<int64_t> inStrides = stridesOf(inShape);
  std::vector<CopyDim> dims = outputOrderDims(outShape);
  for (size_t d = 0; d < perm.size(); ++d) {
    if (perm[d] < 0 || perm[d] >= rank || inShape[static_cast<size_t>(perm[d])] != outShape[d])
      ctx.fail("perm does not match the output shape");
    dims[d].srcStride = inStrides[static_cast<size_t>(perm[d])];
  }
  emitStridedCopy(ctx, ctx.outputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0), dims,
                  /*allowParallel=*/true);
}

// The output as [outer, axisTotal * inner]; input k fills columns
// [offset_k, offset_k + axis_k * inner) of every outer row.
void emitConcat(KernelContext& ctx) {
  std::vector<int64_t> outShape = ctx.outputShape(0);
  auto rank = static_cast<int64_t>(outShape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 0), rank);
  int64_t outer = product(outShape, 0, axis), inner = product(outShape, axis + 1, outShape.size());
  int64_t rowLen = outShape[axis] * inner;
  std::vector<int64_t> bandLen, bandOffset;
  int64_t offset = 0;
  for (size_t k = 0; k < ctx.numInputs(); ++k) {
    std::vector<int64_t> s = ctx.inputShape(k);
    if (s.size() != outShape.size()) ctx.fail("input {} has rank {}, expected {}", k, s.size(), rank);
    for (size_t d = 0; d < s.size(); ++d)
      if (d != axis && s[d] != outShape[d]) ctx.fail("input {} does not match the output on axis {}", k, d);
    bandLen.push_back(s[axis] * inner);
    bandOffset.push_back(offset);
    offset += s[axis] * inner;
  }
  if (offset != rowLen) ctx.fail("inputs fill {} of {} elements per row", offset, rowLen);
  if (outer * rowLen == 0) return;
  DType t = ctx.outputDType(0);
  auto row = [&](llvm::Value* o) {
    for (size_t k = 0; k < ctx.numInputs(); ++k) {
      if (bandLen[k] == 0) continue;
      llvm::Value* src = ctx.b.CreateNSWMul(o, ctx.i64(bandLen[k]));
      llvm::Value* dst = addScaled(ctx, ctx.i64(bandOffset[k]), o, rowLen);
      emitStridedCopy(ctx, t, ctx.input(k), src, ctx.output(0), dst, {CopyDim{bandLen[k], 1, 1}},
                      /*allowParallel=*/false);
    }
  };
  if (outer > 1 && worthParallel(outer * rowLen * static_cast<int64_t>(dtypeSize(t)) / 4))
    ctx.parallelFor(outer, row);
  else ctx.loop(0, outer, row);
}

void emitSlice(KernelContext& ctx) {
  std::vector<int64_t> inShape = ctx.inputShape(0), outShape = ctx.outputShape(0);
  auto constantInts = [&](size_t i, const char* what) -> std::vector<int64_t> {
    if (!ctx.hasInput(i)) return {};
    return ctx.requireConstant(i, what).toInts();
  };
  std::vector<ir::SliceAxis> axes =
      ir::resolveSlice(ctx, inShape, constantInts(1, "starts"), constantInts(2, "ends"),
                       constantInts(3, "axes"), constantInts(4, "steps"));
  std::vector<int64_t> inStrides = stridesOf(inShape);
  std::vector<CopyDim> dims = outputOrderDims(outShape);
  if (outShape.size() != axes.size()) ctx.fail("output rank does not match the input's");
  int64_t srcOffset = 0;
  for (size_t d = 0; d < axes.size(); ++d) {
    if (axes[d].count != outShape[d])
      ctx.fail("output dim {} is {} but the slice takes {}", d, outShape[d], axes[d].count);
    if (axes[d].count == 0) return;
    srcOffset += axes[d].start * inStrides[d];
    // With one element the step is never taken (and may be huge).
    dims[d].srcStride = axes[d].count == 1 ? 0 : axes[d].step * inStrides[d];
  }
  emitStridedCopy(ctx, ctx.outputDType(0), ctx.input(0), ctx.i64(srcOffset), ctx.output(0), ctx.i64(0),
                  dims, /*allowParallel=*/true);
}

// Expand: the input, right-aligned with the output, repeats along dims where it has size 1.
void emitExpand(KernelContext& ctx) {
  std::vector<int64_t> inShape = ctx.inputShape(0), outShape = ctx.outputShape(0);
  if (inShape.size() > outShape.size()) ctx.fail("input rank exceeds the output rank");
  inShape.insert(inShape.begin(), outShape.size() - inShape.size(), 1);
  std::vector<int64_t> inStrides = stridesOf(inShape);
  std::vector<CopyDim> dims = outputOrderDims(outShape);
  for (size_t d = 0; d < outShape.size(); ++d) {
    if (inShape[d] != outShape[d] && inShape[d] != 1)
      ctx.fail("input dim {} ({}) does not broadcast to {}", d, inShape[d], outShape[d]);
    dims[d].srcStride = inShape[d] == 1 ? 0 : inStrides[d];
  }
  emitStridedCopy(ctx, ctx.outputDType(0), ctx.input(0), ctx.i64(0), ctx.output(0), ctx.i64(0), dims,
                  /*allowParallel=*/true);
}

}  // namespace kiln::codegen
