// CumSum (ONNX opset 14): running sums along `axis` (input 1, a scalar);
// exclusive = 1 leaves each element out of its own sum, reverse = 1 sums from
// the end. f16/bf16 add in f32 and round each partial sum.
//
// The input is viewed as [outer, n, inner] with n the axis: each step adds a
// unit-stride row of `inner` lanes to the previous partial sums. A constant
// axis gives one such nest; an axis known only at run time gives one nest per
// possible axis, selected when the kernel runs (an out-of-range axis yields zeros).
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

using llvm::Value;

DType computeType(DType t) { return (t == DType::F16 || t == DType::BF16) ? DType::F32 : t; }

// The nest for one axis; `parallel` allows a parallel loop over `outer`.
void emitCumSumAlong(KernelContext& ctx, const std::vector<int64_t>& shape, size_t axis, bool parallel) {
  DType t = ctx.inputDType(0), ct = computeType(t);
  bool exclusive = ctx.attrs().getInt("exclusive", 0) != 0;
  bool reverse = ctx.attrs().getInt("reverse", 0) != 0;
  int64_t outer = product(shape, 0, axis), n = shape[axis], inner = product(shape, axis + 1, shape.size());
  if (outer * n * inner == 0) return;
  llvm::IRBuilder<>& b = ctx.b;
  Value* x = ctx.input(0);
  Value* y = ctx.output(0);
  auto add = [&](Value* p, Value* q) {
    Value* pc = ctx.convert(p, t, ct), *qc = ctx.convert(q, t, ct);
    return ctx.convert(isFloat(ct) ? b.CreateFAdd(pc, qc) : b.CreateAdd(pc, qc), ct, t);
  };
  auto body = [&](Value* o) {
    Value* slice = b.CreateNSWMul(o, ctx.i64(n * inner));
    // Row r of the slice in scan order (r = 0 is the first row summed).
    auto rowAt = [&](Value* r) {
      Value* k = reverse ? b.CreateNSWSub(ctx.i64(n - 1), r) : r;
      return addScaled(ctx, slice, k, inner);
    };
    Value* first = rowAt(ctx.i64(0));
    ctx.loop(0, inner, [&](Value* i) {
      Value* at = b.CreateNSWAdd(first, i);
      ctx.store(t, y, at, exclusive ? ctx.constant(t, 0) : ctx.load(t, x, at));
    });
    ctx.loop(1, n, [&](Value* r) {
      Value* row = rowAt(r);
      Value* prev = rowAt(b.CreateNSWSub(r, ctx.i64(1)));
      Value* src = exclusive ? prev : row;
      ctx.loop(0, inner, [&](Value* i) {
        Value* v = add(ctx.load(t, y, b.CreateNSWAdd(prev, i)), ctx.load(t, x, b.CreateNSWAdd(src, i)));
        ctx.store(t, y, b.CreateNSWAdd(row, i), v);
      });
    });
  };
  if (parallel && outer > 1 && worthParallel(outer * n * inner)) ctx.parallelFor(outer, body);
  else ctx.loop(0, outer, body);
}

}  // namespace

void emitCumSum(KernelContext& ctx) {
  DType t = ctx.inputDType(0);
  if (!isFloat(t) && !isInteger(t)) ctx.fail("unsupported dtype {}", dtypeName(t));
  std::vector<int64_t> shape = ctx.inputShape(0);
  auto rank = static_cast<int64_t>(shape.size());
  if (rank == 0) ctx.fail("input must have rank >= 1");
  if (const ir::TensorData* c = ctx.inputConstant(1)) {
    if (c->numElements() != 1) ctx.fail("axis must hold one value");
    emitCumSumAlong(ctx, shape, ctx.normalizeAxis(c->intAt(0), rank), true);
    return;
  }
  DType at = ctx.inputDType(1);
  if (at != DType::I32 && at != DType::I64) ctx.fail("axis must be int32 or int64");
  if (ctx.inputType(1).numElements() != 1) ctx.fail("axis must hold one value");
  llvm::IRBuilder<>& b = ctx.b;
  Value* axis = ctx.convert(ctx.load(at, ctx.input(1), ctx.i64(0)), at, DType::I64);
  axis = b.CreateSelect(b.CreateICmpSLT(axis, ctx.i64(0)), b.CreateAdd(axis, ctx.i64(rank)), axis);
  for (int64_t a = 0; a < rank; ++a)
    ctx.ifThen(b.CreateICmpEQ(axis, ctx.i64(a)), [&] { emitCumSumAlong(ctx, shape, static_cast<size_t>(a), false); });
  Value* outOfRange = b.CreateOr(b.CreateICmpSLT(axis, ctx.i64(0)), b.CreateICmpSGE(axis, ctx.i64(rank)));
  ctx.ifThen(outOfRange, [&] {
    ctx.loop(0, ctx.outputType(0).numElements(),
             [&](Value* i) { ctx.store(t, ctx.output(0), i, ctx.constant(t, 0)); });
  });
}

}  // namespace kiln::codegen
