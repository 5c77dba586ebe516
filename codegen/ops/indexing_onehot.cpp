// OneHot kernel (ONNX opset 11): with the indices viewed as [pre, post] split
// at `axis`, out[p, j, q] = values[1] if index(p, q) == j else values[0], for
// j in [0, depth). A negative index counts from depth; any other index outside
// [0, depth) gives a row of values[0]. Float indices truncate toward zero
// (saturating, so no value is undefined). `values` is read at run time.
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

void emitOneHot(KernelContext& ctx) {
  std::vector<int64_t> idxShape = ctx.inputShape(0), outShape = ctx.outputShape(0);
  auto outRank = static_cast<int64_t>(outShape.size());
  if (outRank != static_cast<int64_t>(idxShape.size()) + 1) ctx.fail("output rank must be indices rank + 1");
  size_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis", -1), outRank);
  int64_t pre = product(idxShape, 0, axis), post = product(idxShape, axis, idxShape.size());
  int64_t depth = outShape[axis];
  if (ctx.inputType(2).numElements() != 2) ctx.fail("values must have 2 elements");
  if (pre * post * depth == 0) return;

  DType it = ctx.inputDType(0), t = bitsType(ctx, ctx.outputDType(0));
  llvm::IRBuilder<>& b = ctx.b;
  llvm::Value* off = ctx.load(t, ctx.input(2), ctx.i64(0));
  llvm::Value* on = ctx.load(t, ctx.input(2), ctx.i64(1));
  auto loadIndex = [&](llvm::Value* pos) -> llvm::Value* {
    llvm::Value* v = ctx.load(it, ctx.input(0), pos);
    if (isFloat(it)) {
      if (it == DType::F16 || it == DType::BF16) v = ctx.convert(v, it, DType::F32);
      v = b.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {b.getInt64Ty(), v->getType()}, {v});
    } else {
      v = ctx.convert(v, it, DType::I64);
    }
    return b.CreateSelect(b.CreateICmpSLT(v, ctx.i64(0)), b.CreateAdd(v, ctx.i64(depth)), v);
  };
  auto row = [&](llvm::Value* p) {
    ctx.loop(0, post, [&](llvm::Value* q) {
      llvm::Value* index = loadIndex(addScaled(ctx, q, p, post));
      llvm::Value* base = ctx.b.CreateNSWMul(p, ctx.i64(depth * post));
      ctx.loop(0, depth, [&](llvm::Value* j) {
        llvm::Value* dst = addScaled(ctx, addScaled(ctx, base, j, post), q, 1);
        ctx.store(t, ctx.output(0), dst, b.CreateSelect(b.CreateICmpEQ(index, j), on, off));
      });
    });
  };
  if (pre > 1 && worthParallel(pre * post * depth)) ctx.parallelFor(pre, row);
  else ctx.loop(0, pre, row);
}

}  // namespace kiln::codegen
