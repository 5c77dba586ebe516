#include "codegen/ops/indexing_helpers.h"

#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

void requireIndexDType(const KernelContext& ctx, size_t i) {
  DType t = ctx.inputDType(i);
  if (t != DType::I32 && t != DType::I64)
    ctx.fail("indices (input {}) must be int32 or int64, got {}", i, dtypeName(t));
}

llvm::Value* loadAxisIndex(KernelContext& ctx, size_t input, llvm::Value* pos, int64_t axisLen) {
  if (axisLen <= 0) ctx.fail("indexes an axis of length {}", axisLen);
  DType t = ctx.inputDType(input);
  llvm::Value* index = ctx.convert(ctx.load(t, ctx.input(input), pos), t, DType::I64);
  llvm::IRBuilder<>& b = ctx.b;
  index = b.CreateSelect(b.CreateICmpSLT(index, ctx.i64(0)), b.CreateAdd(index, ctx.i64(axisLen)), index);
  index = b.CreateSelect(b.CreateICmpSLT(index, ctx.i64(0)), ctx.i64(0), index);
  return b.CreateSelect(b.CreateICmpSGT(index, ctx.i64(axisLen - 1)), ctx.i64(axisLen - 1), index);
}

Reduction parseReduction(const KernelContext& ctx) {
  std::string r = ctx.attrs().getString("reduction", "none");
  if (r == "none") return Reduction::None;
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (r == "max") return Reduction::Max;
  if (r == "min") return Reduction::Min;
  ctx.fail("unsupported reduction '{}'", r);
}

llvm::Value* reduce(KernelContext& ctx, Reduction r, DType t, llvm::Value* old, llvm::Value* update) {
  llvm::IRBuilder<>& b = ctx.b;
  if (r == Reduction::None) return update;
  if (t == DType::Bool) {  // 0/1 bytes: add and max are `or`, mul and min are `and`
    return (r == Reduction::Add || r == Reduction::Max) ? b.CreateOr(old, update) : b.CreateAnd(old, update);
  }
  if (isFloat(t)) {
    // Half-precision types compute in f32, like the elementwise kernels.
    bool narrow = t == DType::F16 || t == DType::BF16;
    llvm::Value* x = narrow ? ctx.convert(old, t, DType::F32) : old;
    llvm::Value* y = narrow ? ctx.convert(update, t, DType::F32) : update;
    llvm::Value* z = nullptr;
    switch (r) {
      case Reduction::Add: z = b.CreateFAdd(x, y); break;
      case Reduction::Mul: z = b.CreateFMul(x, y); break;
      case Reduction::Max: z = ctx.maxF(x, y); break;
      case Reduction::Min: z = ctx.minF(x, y); break;
      case Reduction::None: break;
    }
    return narrow ? ctx.convert(z, DType::F32, t) : z;
  }
  bool isSigned = isSignedInt(t);
  switch (r) {
    case Reduction::Add: return b.CreateAdd(old, update);
    case Reduction::Mul: return b.CreateMul(old, update);
    case Reduction::Max:
      return b.CreateSelect(isSigned ? b.CreateICmpSGT(update, old) : b.CreateICmpUGT(update, old), update, old);
    case Reduction::Min:
      return b.CreateSelect(isSigned ? b.CreateICmpSLT(update, old) : b.CreateICmpULT(update, old), update, old);
    case Reduction::None: break;
  }
  return update;
}

void emitOffsetNest(KernelContext& ctx, const std::vector<int64_t>& extents,
                    const std::vector<std::vector<int64_t>>& strides, bool parallel, const OffsetBody& body) {
  for (int64_t e : extents)
    if (e == 0) return;
  size_t parallelDim = extents.size();
  if (parallel)
    for (size_t d = 0; d < extents.size() && parallelDim == extents.size(); ++d)
      if (extents[d] > 1) parallelDim = d;
  std::function<void(size_t, std::vector<llvm::Value*>)> level = [&](size_t d, std::vector<llvm::Value*> offs) {
    if (d == extents.size()) return body(offs);
    if (extents[d] == 1) return level(d + 1, std::move(offs));
    auto step = [&, d](llvm::Value* i) {
      std::vector<llvm::Value*> next = offs;
      for (size_t k = 0; k < next.size(); ++k) next[k] = addScaled(ctx, next[k], i, strides[k][d]);
      level(d + 1, std::move(next));
    };
    if (d == parallelDim) ctx.parallelFor(extents[d], step);
    else ctx.loop(0, extents[d], step);
  };
  level(0, std::vector<llvm::Value*>(strides.size(), ctx.i64(0)));
}

void emitFill(KernelContext& ctx, DType t, llvm::Value* out, int64_t count, llvm::Value* v) {
  ctx.loop(0, count, [&](llvm::Value* i) { ctx.store(t, out, i, v); });
}

}  // namespace kiln::codegen
