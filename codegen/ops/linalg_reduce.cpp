// ReduceSum / ReduceMean / ReduceMax, and the reduction loop they share with
// the other Reduce* ops (codegen/ops/reduce_engine.h).
//
// The kernel walks the input in memory order and folds each element into its
// output element (output strides are 0 along reduced axes), so the innermost
// loop is always unit-stride in the input: either an elementwise fold into a
// unit-stride output row (innermost axis kept) or a scalar reduction (innermost
// axis reduced). Size-1 axes are dropped and neighbouring axes of the same
// kind merged first. When the outermost axis is kept, its iterations write
// disjoint output slices and become the parallel loop.
#include <functional>
#include <limits>

#include "codegen/kernel_context.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/reduce_engine.h"
#include "ir/shape_rules/reduce_params.h"

namespace kiln::codegen {

namespace {

struct ReduceDim {
  int64_t extent;
  int64_t inStride;
  int64_t outStride;  // 0 when reduced
  bool reduced;
};

// Input axes as loops, size-1 axes dropped and neighbours merged.
std::vector<ReduceDim> reduceLoops(const std::vector<int64_t>& shape, const std::vector<bool>& reduced) {
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<int64_t> outShape;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d]) outShape.push_back(shape[d]);
  std::vector<int64_t> outStrides = stridesOf(outShape);
  std::vector<ReduceDim> dims;
  size_t kept = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t outStride = reduced[d] ? 0 : outStrides[kept++];
    if (shape[d] == 1) continue;
    if (!dims.empty() && dims.back().reduced == reduced[d]) {
      // Both buffers are row-major, so same-kind neighbours are contiguous.
      dims.back().extent *= shape[d];
      dims.back().inStride = inStrides[d];
      dims.back().outStride = outStride;
      continue;
    }
    dims.push_back(ReduceDim{shape[d], inStrides[d], outStride, reduced[d]});
  }
  return dims;
}

}  // namespace

void emitReduction(KernelContext& ctx, const ReduceSpec& spec) {
  DType t = spec.type;
  std::vector<int64_t> shape = ctx.inputShape(0);
  std::vector<bool> reduced = ir::reducedAxes(ctx, static_cast<int64_t>(shape.size()));
  int64_t outCount = ctx.outputType(0).numElements();
  if (outCount == 0) return;
  int64_t reducedCount = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (reduced[d]) reducedCount *= shape[d];
  std::vector<ReduceDim> dims = reduceLoops(shape, reduced);

  llvm::Type* ty = ctx.llvmType(t);
  llvm::Value* in = ctx.input(0);
  llvm::Value* out = ctx.output(0);
  const auto& fold = spec.fold;
  llvm::Value* identity = spec.identity;
  ReassocScope reassoc(ctx);

  // Folds input loops [l, end) into the output, at offsets (inOff, outOff).
  std::function<void(size_t, llvm::Value*, llvm::Value*)> accumulate =
      [&](size_t l, llvm::Value* inOff, llvm::Value* outOff) {
        if (l == dims.size()) {  // no loops left: a single element
          ctx.store(t, out, outOff, fold(ctx.load(t, out, outOff), ctx.load(t, in, inOff)));
          return;
        }
        const ReduceDim& d = dims[l];
        if (l + 1 == dims.size() && d.reduced) {
          // Innermost axis reduced: a scalar accumulator (kept in a register).
          llvm::AllocaInst* acc = entryAlloca(ctx, ty);
          ctx.b.CreateStore(ctx.load(t, out, outOff), acc);
          ctx.loop(0, d.extent, [&](llvm::Value* i) {
            llvm::Value* v = ctx.load(t, in, ctx.b.CreateNSWAdd(inOff, i));
            ctx.b.CreateStore(fold(ctx.b.CreateLoad(ty, acc), v), acc);
          });
          ctx.store(t, out, outOff, ctx.b.CreateLoad(ty, acc));
          return;
        }
        ctx.loop(0, d.extent, [&](llvm::Value* i) {
          accumulate(l + 1, addScaled(ctx, inOff, i, d.inStride), addScaled(ctx, outOff, i, d.outStride));
        });
      };

  // Computes the output slice [outOff, outOff + sliceLen) from input loops [l, end).
  auto slice = [&](size_t l, llvm::Value* inOff, llvm::Value* outOff, int64_t sliceLen) {
    ctx.loop(0, sliceLen, [&](llvm::Value* j) { ctx.store(t, out, ctx.b.CreateNSWAdd(outOff, j), identity); });
    accumulate(l, inOff, outOff);
    if (!spec.finish) return;
    ctx.loop(0, sliceLen, [&](llvm::Value* j) {
      llvm::Value* o = ctx.b.CreateNSWAdd(outOff, j);
      ctx.store(t, out, o, spec.finish(ctx.load(t, out, o), reducedCount));
    });
  };

  int64_t inCount = product(shape);
  if (!dims.empty() && !dims[0].reduced && dims[0].extent > 1 && worthParallel(inCount)) {
    const ReduceDim& d0 = dims[0];
    ctx.parallelFor(d0.extent, [&](llvm::Value* p) {
      slice(1, ctx.b.CreateNSWMul(p, ctx.i64(d0.inStride)), ctx.b.CreateNSWMul(p, ctx.i64(d0.outStride)),
            d0.outStride);
    });
  } else {
    slice(0, ctx.i64(0), ctx.i64(0), outCount);
  }
}

namespace {

enum class ReduceKind { Sum, Mean, Max };

void emitReduce(KernelContext& ctx, ReduceKind kind) {
  DType t = ctx.inputDType(0);
  // Max is exact in every numeric type (ONNX allows 8-bit integers and f16 for it).
  if (kind == ReduceKind::Max) {
    if (!isFloat(t) && !isInteger(t)) ctx.fail("unsupported dtype {}", dtypeName(t));
  } else {
    requireLinalgDType(ctx, t, /*allowInt=*/kind != ReduceKind::Mean);
  }
  ReduceSpec spec;
  spec.type = t;
  spec.identity = kind == ReduceKind::Max ? lowestValue(ctx, t) : ctx.constant(t, 0);
  spec.fold = [&](llvm::Value* acc, llvm::Value* v) {
    return kind == ReduceKind::Max ? emitMax(ctx, t, acc, v) : emitAdd(ctx, t, acc, v);
  };
  if (kind == ReduceKind::Mean) {
    spec.finish = [&](llvm::Value* acc, int64_t count) {
      // The mean of no elements is NaN (0/0), as numpy and ONNX Runtime give.
      double scale = count == 0 ? std::numeric_limits<double>::quiet_NaN() : 1.0 / static_cast<double>(count);
      return ctx.b.CreateFMul(acc, ctx.constant(t, scale));
    };
  }
  emitReduction(ctx, spec);
}

}  // namespace

void emitReduceSum(KernelContext& ctx) { emitReduce(ctx, ReduceKind::Sum); }
void emitReduceMean(KernelContext& ctx) { emitReduce(ctx, ReduceKind::Mean); }
void emitReduceMax(KernelContext& ctx) { emitReduce(ctx, ReduceKind::Max); }

}  // namespace kiln::codegen
