// Linear (affine) quantization, ONNX QuantizeLinear-13, DequantizeLinear-13 and
// DynamicQuantizeLinear-11:
//   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)
//   DequantizeLinear: y = (x - zero_point) * scale
//   DynamicQuantizeLinear: scale and zero point for u8 from the range of x
//     (widened to include 0), then QuantizeLinear with them.
// Scales and zero points are per tensor or per slice along `axis`; the input
// is viewed as [outer, C, inner] with C the axis length (1 when per tensor).
#include <llvm/IR/Intrinsics.h>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/quant_common.h"

namespace kiln::codegen {

namespace {

struct AxisView {
  int64_t outer = 1, c = 1, inner = 1;
};

AxisView axisView(const KernelContext& ctx) {
  std::vector<int64_t> shape = ctx.inputShape(0);
  AxisView v;
  v.inner = product(shape);
  if (quantParamIsScalar(ctx, 1) || shape.empty()) return v;
  auto rank = static_cast<int64_t>(shape.size());
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", 1), rank);
  v.outer = product(shape, 0, axis);
  v.c = shape[axis];
  v.inner = product(shape, axis + 1, shape.size());
  if (ctx.inputType(1).numElements() != v.c)
    ctx.fail("scale has {} entries, expected {}", ctx.inputType(1).numElements(), v.c);
  return v;
}

// body(linear index, channel index) over every element.
void forEachElement(KernelContext& ctx, const AxisView& v,
                    const std::function<void(llvm::Value*, llvm::Value*)>& body) {
  if (v.outer * v.c * v.inner == 0) return;
  auto rows = [&](llvm::Value* row) {  // row = o * c + ch
    llvm::Value* ch = v.c == 1 ? ctx.i64(0) : ctx.b.CreateURem(row, ctx.i64(v.c));
    llvm::Value* base = ctx.b.CreateNSWMul(row, ctx.i64(v.inner));
    ctx.loop(0, v.inner, [&](llvm::Value* i) { body(ctx.b.CreateNSWAdd(base, i), ch); });
  };
  int64_t numRows = v.outer * v.c;
  if (numRows > 1 && worthParallel(numRows * v.inner * 4)) ctx.parallelFor(numRows, rows);
  else ctx.loop(0, numRows, rows);
}

}  // namespace

void emitQuantizeLinear(KernelContext& ctx) {
  DType xt = ctx.inputDType(0), out = ctx.outputDType(0);
  DType ct = xt == DType::F64 || ctx.inputDType(1) == DType::F64 ? DType::F64 : DType::F32;
  AxisView v = axisView(ctx);
  forEachElement(ctx, v, [&](llvm::Value* at, llvm::Value* ch) {
    llvm::Value* x = ctx.convert(ctx.load(xt, ctx.input(0), at), xt, ct);
    llvm::Value* q = ctx.b.CreateFDiv(x, loadScale(ctx, 1, ch, ct));
    ctx.store(out, ctx.output(0), at, requantize(ctx, q, ct, loadZeroPoint(ctx, 2, ch), out));
  });
}

void emitDequantizeLinear(KernelContext& ctx) {
  DType xt = ctx.inputDType(0), out = ctx.outputDType(0);
  DType ct = computeFloat(out);
  AxisView v = axisView(ctx);
  forEachElement(ctx, v, [&](llvm::Value* at, llvm::Value* ch) {
    llvm::Value* x =
        ctx.b.CreateSExt(widenToI32(ctx, ctx.load(xt, ctx.input(0), at), xt), ctx.b.getInt64Ty());
    llvm::Value* zp = ctx.b.CreateSExt(loadZeroPoint(ctx, 2, ch), ctx.b.getInt64Ty());
    llvm::Value* d = ctx.convert(ctx.b.CreateSub(x, zp), DType::I64, ct);
    ctx.store(out, ctx.output(0), at, ctx.convert(ctx.b.CreateFMul(d, loadScale(ctx, 1, ch, ct)), ct, out));
  });
}

// As ONNX Runtime: the range [min(x, 0), max(x, 0)] maps onto [0, 255]; an
// all-zero input (empty range) gets scale 1 instead of a division by zero.
void emitDynamicQuantizeLinear(KernelContext& ctx) {
  int64_t n = ctx.inputType(0).numElements();
  llvm::Type* f32 = ctx.b.getFloatTy();
  llvm::Value* x = ctx.input(0);
  llvm::AllocaInst* lo = entryAlloca(ctx, f32);
  llvm::AllocaInst* hi = entryAlloca(ctx, f32);
  ctx.b.CreateStore(ctx.f32(0), lo);
  ctx.b.CreateStore(ctx.f32(0), hi);
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* e = ctx.load(DType::F32, x, i);
    ctx.b.CreateStore(ctx.b.CreateMinNum(ctx.b.CreateLoad(f32, lo), e), lo);
    ctx.b.CreateStore(ctx.b.CreateMaxNum(ctx.b.CreateLoad(f32, hi), e), hi);
  });
  llvm::Value* mn = ctx.b.CreateLoad(f32, lo);
  llvm::Value* mx = ctx.b.CreateLoad(f32, hi);
  llvm::Value* range = ctx.b.CreateFDiv(ctx.b.CreateFSub(mx, mn), ctx.f32(255));
  llvm::Value* scale = ctx.b.CreateSelect(ctx.b.CreateFCmpOEQ(mx, mn), ctx.f32(1), range);
  llvm::Value* zpf = ctx.b.CreateFSub(ctx.f32(0), ctx.b.CreateFDiv(mn, scale));
  llvm::Value* zp8 = requantize(ctx, zpf, DType::F32, ctx.b.getInt32(0), DType::U8);
  ctx.store(DType::F32, ctx.output(1), ctx.i64(0), scale);
  ctx.store(DType::U8, ctx.output(2), ctx.i64(0), zp8);
  llvm::Value* zp = widenToI32(ctx, zp8, DType::U8);
  ctx.loop(0, n, [&](llvm::Value* i) {
    llvm::Value* q = ctx.b.CreateFDiv(ctx.load(DType::F32, x, i), scale);
    ctx.store(DType::U8, ctx.output(0), i, requantize(ctx, q, DType::F32, zp, DType::U8));
  });
}

}  // namespace kiln::codegen
