#include "codegen/ops/signal_common.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// A module-level constant table of cos (sin when `sine`) of 2 pi m / length.
llvm::GlobalVariable* twiddleTable(KernelContext& ctx, int64_t length, bool sine) {
  std::string name = fmt::format("kiln.dft.{}.{}", sine ? "sin" : "cos", length);
  if (llvm::GlobalVariable* g = ctx.module.getNamedGlobal(name)) return g;
  std::vector<double> v(static_cast<size_t>(length));
  for (int64_t m = 0; m < length; ++m) {
    double angle = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(length);
    v[static_cast<size_t>(m)] = sine ? std::sin(angle) : std::cos(angle);
  }
  llvm::Constant* data = llvm::ConstantDataArray::get(ctx.b.getContext(), llvm::ArrayRef<double>(v));
  return new llvm::GlobalVariable(ctx.module, data->getType(), /*isConstant=*/true,
                                  llvm::GlobalValue::PrivateLinkage, data, name);
}

}  // namespace

void emitDftBins(KernelContext& ctx, int64_t length, int64_t n, int64_t bins, bool inverse,
                 const DftSample& sample, const DftStore& store) {
  if (bins == 0) return;
  if (n > length) ctx.fail("DFT over {} samples of length {}", n, length);
  llvm::Value* cosT = twiddleTable(ctx, length, false);
  llvm::Value* sinT = twiddleTable(ctx, length, true);
  llvm::Type* f64 = ctx.b.getDoubleTy();
  llvm::AllocaInst* reSlot = entryAlloca(ctx, f64);
  llvm::AllocaInst* imSlot = entryAlloca(ctx, f64);
  llvm::AllocaInst* idxSlot = entryAlloca(ctx, ctx.b.getInt64Ty());
  auto& b = ctx.b;
  ctx.loop(0, bins, [&](llvm::Value* k) {
    b.CreateStore(ctx.constant(DType::F64, 0), reSlot);
    b.CreateStore(ctx.constant(DType::F64, 0), imSlot);
    b.CreateStore(ctx.i64(0), idxSlot);
    ctx.loop(0, n, [&](llvm::Value* j) {
      auto [xr, xi] = sample(j);
      llvm::Value* idx = b.CreateLoad(ctx.b.getInt64Ty(), idxSlot);
      llvm::Value* c = ctx.load(DType::F64, cosT, idx);
      llvm::Value* s = ctx.load(DType::F64, sinT, idx);
      // Forward multiplies by c - i s, inverse by c + i s.
      llvm::Value* re = inverse ? b.CreateFSub(b.CreateFMul(xr, c), b.CreateFMul(xi, s))
                                : b.CreateFAdd(b.CreateFMul(xr, c), b.CreateFMul(xi, s));
      llvm::Value* im = inverse ? b.CreateFAdd(b.CreateFMul(xi, c), b.CreateFMul(xr, s))
                                : b.CreateFSub(b.CreateFMul(xi, c), b.CreateFMul(xr, s));
      b.CreateStore(b.CreateFAdd(b.CreateLoad(f64, reSlot), re), reSlot);
      b.CreateStore(b.CreateFAdd(b.CreateLoad(f64, imSlot), im), imSlot);
      llvm::Value* next = b.CreateAdd(idx, k);  // j * k mod length, k < length
      next = b.CreateSelect(b.CreateICmpSGE(next, ctx.i64(length)), b.CreateSub(next, ctx.i64(length)), next);
      b.CreateStore(next, idxSlot);
    });
    llvm::Value* re = b.CreateLoad(f64, reSlot);
    llvm::Value* im = b.CreateLoad(f64, imSlot);
    if (inverse) {
      llvm::Value* scale = ctx.constant(DType::F64, 1.0 / static_cast<double>(length));
      re = b.CreateFMul(re, scale);
      im = b.CreateFMul(im, scale);
    }
    store(k, re, im);
  });
}

}  // namespace kiln::codegen
