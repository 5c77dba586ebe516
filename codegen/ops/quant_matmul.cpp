// Integer matrix products, ONNX MatMulInteger-10 and QLinearMatMul-10:
//   MatMulInteger: Y (i32) = (A - a_zero_point) x (B - b_zero_point)
//   QLinearMatMul: y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) + y_zero_point)
//                  with acc the i32 product above.
// numpy matmul shapes (1-D operands promoted, batch dims broadcast). Zero
// points and scales of A are per tensor or per row (M), those of B per tensor
// or per column (N). Each (batch, row) pair is one parallel iteration; the row
// of N i32 sums is accumulated k-outer so the inner loop runs over B's
// contiguous columns.
#include "codegen/kernel_context.h"
#include "codegen/ops/loop_helpers.h"
#include "codegen/ops/quant_common.h"

namespace kiln::codegen {

namespace {

struct MatMulLayout {
  std::vector<int64_t> batch;             // output batch extents
  std::vector<int64_t> aStride, bStride;  // per batch dim, 0 where broadcast
  int64_t m = 1, k = 1, n = 1;
};

MatMulLayout matmulLayout(const KernelContext& ctx, size_t ai, size_t bi) {
  std::vector<int64_t> as = ctx.inputShape(ai), bs = ctx.inputShape(bi);
  if (as.empty() || bs.empty()) ctx.fail("matmul operands must have rank >= 1");
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  MatMulLayout l;
  l.m = as[as.size() - 2];
  l.k = as.back();
  l.n = bs.back();
  if (bs[bs.size() - 2] != l.k) ctx.fail("contraction dims differ: {} vs {}", l.k, bs[bs.size() - 2]);
  size_t ra = as.size() - 2, rb = bs.size() - 2, r = std::max(ra, rb);
  std::vector<int64_t> sa = stridesOf(as), sb = stridesOf(bs);
  for (size_t d = 0; d < r; ++d) {
    int64_t da = d + ra >= r ? as[d + ra - r] : 1, db = d + rb >= r ? bs[d + rb - r] : 1;
    if (da != db && da != 1 && db != 1) ctx.fail("batch dims {} and {} do not broadcast", da, db);
    l.batch.push_back(da == 1 ? db : da);
    l.aStride.push_back(da == 1 ? 0 : sa[d + ra - r]);
    l.bStride.push_back(db == 1 ? 0 : sb[d + rb - r]);
  }
  if (product(l.batch) * l.m * l.n != ctx.outputType(0).numElements())
    ctx.fail("output has {} elements, the product gives {}", ctx.outputType(0).numElements(),
             product(l.batch) * l.m * l.n);
  return l;
}

// For every (batch, row m): accumulates the i32 row sum_k (A - azp) (B - bzp)
// into `row` (the output itself for MatMulInteger, or a scratch row) and
// calls finish(row pointer, output row offset, m).
void emitIntegerMatMul(KernelContext& ctx, size_t ai, size_t azpi, size_t bi, size_t bzpi,
                       bool accumulateInOutput,
                       const std::function<void(llvm::Value*, llvm::Value*, llvm::Value*)>& finish) {
  MatMulLayout l = matmulLayout(ctx, ai, bi);
  DType at = ctx.inputDType(ai), bt = ctx.inputDType(bi);
  int64_t rows = product(l.batch) * l.m;
  if (rows * l.n == 0) return;
  constexpr int64_t kMaxScratch = int64_t{1} << 18;
  if (!accumulateInOutput && l.n > kMaxScratch)
    ctx.fail("unsupported: {} output columns (at most {})", l.n, kMaxScratch);
  llvm::Value* scratch = accumulateInOutput ? nullptr : entryAlloca(ctx, ctx.b.getInt32Ty(), l.n);

  auto body = [&](llvm::Value* r) {
    llvm::Value* m = l.m == 1 ? ctx.i64(0) : ctx.b.CreateURem(r, ctx.i64(l.m));
    llvm::Value* rest = l.m == 1 ? r : ctx.b.CreateUDiv(r, ctx.i64(l.m));
    llvm::Value* aOff = addScaled(ctx, ctx.i64(0), m, l.k);
    llvm::Value* bOff = ctx.i64(0);
    for (size_t d = l.batch.size(); d-- > 0;) {
      llvm::Value* idx = ctx.b.CreateURem(rest, ctx.i64(l.batch[d]));
      rest = ctx.b.CreateUDiv(rest, ctx.i64(l.batch[d]));
      aOff = addScaled(ctx, aOff, idx, l.aStride[d]);
      bOff = addScaled(ctx, bOff, idx, l.bStride[d]);
    }
    llvm::Value* outOff = ctx.b.CreateNSWMul(r, ctx.i64(l.n));
    llvm::Value* row = accumulateInOutput ? ctx.elementPtr(DType::I32, ctx.output(0), outOff) : scratch;
    ctx.loop(0, l.n, [&](llvm::Value* j) { ctx.store(DType::I32, row, j, ctx.b.getInt32(0)); });
    llvm::Value* azp = loadZeroPoint(ctx, azpi, m);
    ctx.loop(0, l.k, [&](llvm::Value* k) {
      llvm::Value* a = widenToI32(ctx, ctx.load(at, ctx.input(ai), ctx.b.CreateNSWAdd(aOff, k)), at);
      a = ctx.b.CreateSub(a, azp);
      llvm::Value* bRow = addScaled(ctx, bOff, k, l.n);
      ctx.loop(0, l.n, [&](llvm::Value* j) {
        llvm::Value* bv = widenToI32(ctx, ctx.load(bt, ctx.input(bi), ctx.b.CreateNSWAdd(bRow, j)), bt);
        bv = ctx.b.CreateSub(bv, loadZeroPoint(ctx, bzpi, j));
        llvm::Value* acc = ctx.load(DType::I32, row, j);
        ctx.store(DType::I32, row, j, ctx.b.CreateAdd(acc, ctx.b.CreateMul(a, bv)));
      });
    });
    finish(row, outOff, m);
  };
  if (rows > 1 && worthParallel(rows * l.n * l.k)) ctx.parallelFor(rows, body);
  else ctx.loop(0, rows, body);
}

}  // namespace

void emitMatMulInteger(KernelContext& ctx) {
  emitIntegerMatMul(ctx, 0, 2, 1, 3, /*accumulateInOutput=*/true,
                    [](llvm::Value*, llvm::Value*, llvm::Value*) {});
}

// The requantization scale a_scale * b_scale / y_scale is formed in f32 and
// the i32 sum converted to f32 before scaling, as ONNX Runtime does.
void emitQLinearMatMul(KernelContext& ctx) {
  DType out = ctx.outputDType(0);
  int64_t n = matmulLayout(ctx, 0, 3).n;
  emitIntegerMatMul(
      ctx, 0, 2, 3, 5, /*accumulateInOutput=*/false,
      [&](llvm::Value* row, llvm::Value* outOff, llvm::Value* m) {
        DType ct = DType::F32;
        llvm::Value* yScale = loadScale(ctx, 6, ctx.i64(0), ct);
        llvm::Value* aScale = loadScale(ctx, 1, m, ct);
        llvm::Value* yzp = loadZeroPoint(ctx, 7, ctx.i64(0));
        ctx.loop(0, n, [&](llvm::Value* j) {
          llvm::Value* mult = ctx.b.CreateFDiv(ctx.b.CreateFMul(aScale, loadScale(ctx, 4, j, ct)), yScale);
          llvm::Value* v = ctx.b.CreateFMul(ctx.convert(ctx.load(DType::I32, row, j), DType::I32, ct), mult);
          ctx.store(out, ctx.output(0), ctx.b.CreateNSWAdd(outOff, j), requantize(ctx, v, ct, yzp, out));
        });
      });
}

}  // namespace kiln::codegen
