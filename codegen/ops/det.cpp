// Det (ONNX opset 11): the determinant of each square matrix in the last two
// dims of a float tensor, [*, M, M] -> [*].
//
// LU decomposition with partial pivoting in f64 on a stack copy of the matrix:
// at step k the row with the largest |a[i][k]| (i >= k) is swapped into place
// (negating the determinant), the pivot multiplies the determinant, and the
// rows below are eliminated. A zero pivot makes the determinant 0 and skips
// that elimination. Matrices larger than 256x256 are unsupported (the copy
// lives on the stack). Each matrix of a batch is one parallel iteration.
#include <llvm/IR/Intrinsics.h>

#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

using llvm::Value;

void emitDet(KernelContext& ctx) {
  DType t = ctx.inputDType(0);
  if (!isFloat(t)) ctx.fail("unsupported dtype {}", dtypeName(t));
  std::vector<int64_t> shape = ctx.inputShape(0);
  if (shape.size() < 2) ctx.fail("input must have rank >= 2");
  int64_t M = shape.back();
  if (shape[shape.size() - 2] != M) ctx.fail("input matrices must be square");
  constexpr int64_t kMaxDim = 256;
  if (M > kMaxDim) ctx.fail("unsupported: Det of {}x{} matrices (at most {}x{})", M, M, kMaxDim, kMaxDim);
  int64_t batch = product(shape, 0, shape.size() - 2);
  if (batch == 0) return;

  llvm::IRBuilder<>& b = ctx.b;
  const DType f = DType::F64;
  llvm::Type* fty = b.getDoubleTy();
  Value* x = ctx.input(0);
  Value* out = ctx.output(0);
  llvm::AllocaInst* a = entryAlloca(ctx, fty, std::max<int64_t>(M * M, 1));
  llvm::AllocaInst* detSlot = entryAlloca(ctx, fty);
  llvm::AllocaInst* pivRow = entryAlloca(ctx, b.getInt64Ty());
  llvm::AllocaInst* pivAbs = entryAlloca(ctx, fty);
  auto at = [&](Value* i, Value* j) { return b.CreateNSWAdd(b.CreateNSWMul(i, ctx.i64(M)), j); };
  auto fabs = [&](Value* v) { return ctx.callIntrinsic(llvm::Intrinsic::fabs, {v}); };

  auto body = [&](Value* m) {
    Value* base = b.CreateNSWMul(m, ctx.i64(M * M));
    ctx.loop(0, M * M, [&](Value* i) {
      ctx.store(f, a, i, ctx.convert(ctx.load(t, x, b.CreateNSWAdd(base, i)), t, f));
    });
    b.CreateStore(ctx.constant(f, 1), detSlot);
    ctx.loop(0, M, [&](Value* k) {
      Value* k1 = b.CreateNSWAdd(k, ctx.i64(1));
      // Partial pivoting: the first row with the largest magnitude in column k.
      b.CreateStore(k, pivRow);
      b.CreateStore(fabs(ctx.load(f, a, at(k, k))), pivAbs);
      ctx.loop(k1, ctx.i64(M), 1, [&](Value* i) {
        Value* v = fabs(ctx.load(f, a, at(i, k)));
        Value* larger = b.CreateFCmpOGT(v, b.CreateLoad(fty, pivAbs));
        b.CreateStore(b.CreateSelect(larger, v, b.CreateLoad(fty, pivAbs)), pivAbs);
        b.CreateStore(b.CreateSelect(larger, i, b.CreateLoad(b.getInt64Ty(), pivRow)), pivRow);
      });
      Value* p = b.CreateLoad(b.getInt64Ty(), pivRow);
      ctx.ifThen(b.CreateICmpNE(p, k), [&] {
        ctx.loop(k, ctx.i64(M), 1, [&](Value* j) {
          Value* u = ctx.load(f, a, at(k, j));
          ctx.store(f, a, at(k, j), ctx.load(f, a, at(p, j)));
          ctx.store(f, a, at(p, j), u);
        });
        b.CreateStore(b.CreateFNeg(b.CreateLoad(fty, detSlot)), detSlot);
      });
      Value* piv = ctx.load(f, a, at(k, k));
      b.CreateStore(b.CreateFMul(b.CreateLoad(fty, detSlot), piv), detSlot);
      ctx.ifThen(b.CreateFCmpUNE(piv, ctx.constant(f, 0)), [&] {
        Value* inv = b.CreateFDiv(ctx.constant(f, 1), piv);
        ctx.loop(k1, ctx.i64(M), 1, [&](Value* i) {
          Value* factor = b.CreateFMul(ctx.load(f, a, at(i, k)), inv);
          ctx.loop(k1, ctx.i64(M), 1, [&](Value* j) {
            Value* v = b.CreateFSub(ctx.load(f, a, at(i, j)), b.CreateFMul(factor, ctx.load(f, a, at(k, j))));
            ctx.store(f, a, at(i, j), v);
          });
        });
      });
    });
    ctx.store(t, out, m, ctx.convert(b.CreateLoad(fty, detSlot), f, t));
  };
  if (batch > 1 && worthParallel(batch * M * M * M)) ctx.parallelFor(batch, body);
  else ctx.loop(0, batch, body);
}

}  // namespace kiln::codegen
