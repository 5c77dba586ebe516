#include "codegen/ops/loop_helpers.h"

#include <functional>

namespace kiln::codegen {

llvm::Value* addScaled(KernelContext& ctx, llvm::Value* base, llvm::Value* index, int64_t stride) {
  if (stride == 0) return base;
  llvm::Value* scaled = stride == 1 ? index : ctx.b.CreateNSWMul(index, ctx.i64(stride));
  return ctx.b.CreateNSWAdd(base, scaled);
}

llvm::AllocaInst* entryAlloca(KernelContext& ctx, llvm::Type* type, int64_t count) {
  llvm::Function* fn = ctx.b.GetInsertBlock()->getParent();
  llvm::BasicBlock& entry = fn->getEntryBlock();
  llvm::IRBuilder<> eb(&entry, entry.getFirstInsertionPt());
  return eb.CreateAlloca(type, count == 1 ? nullptr : eb.getInt64(static_cast<uint64_t>(count)));
}

bool worthParallel(int64_t work) {
  // Waking a pooled thread costs a few microseconds, in which one core does
  // on the order of 10^4..10^5 simple operations.
  constexpr int64_t kMinParallelWork = int64_t{1} << 16;
  return work >= kMinParallelWork;
}

int64_t product(const std::vector<int64_t>& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= shape[i];
  return p;
}

DType bitsType(const KernelContext& ctx, DType t) {
  switch (dtypeSize(t)) {
    case 1: return DType::U8;
    case 2: return DType::U16;
    case 4: return DType::U32;
    case 8: return DType::U64;
    default: ctx.fail("cannot move elements of dtype {}", dtypeName(t));
  }
}

namespace {

// Drops size-1 dims and merges a dim into its inner neighbour when both
// buffers step over the inner one contiguously. Returns false when some
// extent is 0 (nothing to copy).
bool simplifyCopyDims(std::vector<CopyDim>& dims) {
  std::vector<CopyDim> kept;
  for (const CopyDim& d : dims) {
    if (d.extent == 0) return false;
    if (d.extent != 1) kept.push_back(d);
  }
  std::vector<CopyDim> merged;  // built innermost first
  for (size_t i = kept.size(); i-- > 0;) {
    const CopyDim& d = kept[i];
    if (!merged.empty()) {
      CopyDim& inner = merged.back();
      if (d.srcStride == inner.srcStride * inner.extent &&
          d.dstStride == inner.dstStride * inner.extent) {
        inner.extent *= d.extent;
        continue;
      }
    }
    merged.push_back(d);
  }
  dims.assign(merged.rbegin(), merged.rend());
  return true;
}

}  // namespace

void emitStridedCopy(KernelContext& ctx, DType elem, llvm::Value* src, llvm::Value* srcOffset,
                     llvm::Value* dst, llvm::Value* dstOffset, std::vector<CopyDim> dims,
                     bool allowParallel) {
  DType t = bitsType(ctx, elem);
  if (!simplifyCopyDims(dims)) return;
  int64_t count = 1;
  for (const CopyDim& d : dims) count *= d.extent;
  bool parallel = allowParallel && !dims.empty() && dims[0].extent > 1 &&
                  worthParallel(count * static_cast<int64_t>(dtypeSize(elem)) / 4);

  std::function<void(size_t, llvm::Value*, llvm::Value*)> level =
      [&](size_t l, llvm::Value* s, llvm::Value* d) {
        if (l == dims.size()) {
          ctx.store(t, dst, d, ctx.load(t, src, s));
          return;
        }
        auto body = [&, l, s, d](llvm::Value* i) {
          level(l + 1, addScaled(ctx, s, i, dims[l].srcStride), addScaled(ctx, d, i, dims[l].dstStride));
        };
        if (l == 0 && parallel) ctx.parallelFor(dims[0].extent, body);
        else ctx.loop(0, dims[l].extent, body);
      };
  level(0, srcOffset, dstOffset);
}

}  // namespace kiln::codegen
