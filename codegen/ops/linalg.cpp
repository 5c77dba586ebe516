// MatMul and Gemm kernels. float32 products run the blocked GEMM with packed
// panels and a register-blocked microkernel (gemm.h). Other dtypes use
// row-at-a-time loops: each output row is one parallel iteration, looping
// (row, k, j) with j innermost, a broadcast of A[row, k] times a unit-stride
// row of B, which LLVM vectorizes.
// Softmax and the reductions are in linalg_softmax.cpp and linalg_reduce.cpp.
#include <algorithm>

#include "codegen/kernel_context.h"
#include "codegen/ops/epilogue.h"
#include "codegen/ops/gemm.h"
#include "codegen/ops/linalg_arith.h"
#include "codegen/ops/loop_helpers.h"

namespace kiln::codegen {

namespace {

// out[outRow + j] += sum_k a_k * B[bMatrix + k * N + j] for j < N, where
// a_k = A[aRow + k * aStrideK] (times scaleA when given). Vectorizes over j.
void emitRowTimesMatrix(KernelContext& ctx, DType t, llvm::Value* aRow, int64_t aStrideK,
                        llvm::Value* scaleA, llvm::Value* bMatrix, llvm::Value* outRow,
                        int64_t K, int64_t N) {
  llvm::Value* A = ctx.input(0);
  llvm::Value* B = ctx.input(1);
  llvm::Value* out = ctx.output(0);
  ctx.loop(0, K, [&](llvm::Value* k) {
    llvm::Value* a = ctx.load(t, A, addScaled(ctx, aRow, k, aStrideK));
    if (scaleA) a = emitMul(ctx, t, a, scaleA);
    llvm::Value* bRow = addScaled(ctx, bMatrix, k, N);
    ctx.loop(0, N, [&](llvm::Value* j) {
      llvm::Value* o = ctx.b.CreateNSWAdd(outRow, j);
      llvm::Value* prod = emitMulAdd(ctx, t, a, ctx.load(t, B, ctx.b.CreateNSWAdd(bRow, j)),
                                     ctx.load(t, out, o));
      ctx.store(t, out, o, prod);
    });
  });
}

// sum_k A[aRow + k * aStrideK] * B[bCol + k * bStrideK], as a vectorizable
// (reassociating) reduction.
llvm::Value* emitDot(KernelContext& ctx, DType t, llvm::Value* aRow, int64_t aStrideK,
                     llvm::Value* bCol, int64_t bStrideK, int64_t K) {
  ReassocScope reassoc(ctx);
  llvm::AllocaInst* acc = entryAlloca(ctx, ctx.llvmType(t));
  ctx.b.CreateStore(ctx.constant(t, 0), acc);
  ctx.loop(0, K, [&](llvm::Value* k) {
    llvm::Value* a = ctx.load(t, ctx.input(0), addScaled(ctx, aRow, k, aStrideK));
    llvm::Value* bv = ctx.load(t, ctx.input(1), addScaled(ctx, bCol, k, bStrideK));
    ctx.b.CreateStore(emitMulAdd(ctx, t, a, bv, ctx.b.CreateLoad(ctx.llvmType(t), acc)), acc);
  });
  return ctx.b.CreateLoad(ctx.llvmType(t), acc);
}

void zeroRow(KernelContext& ctx, DType t, llvm::Value* outRow, int64_t N) {
  ctx.loop(0, N, [&](llvm::Value* j) {
    ctx.store(t, ctx.output(0), ctx.b.CreateNSWAdd(outRow, j), ctx.constant(t, 0));
  });
}

// Offset of the matrix that output batch `batchIndex` reads from an operand.
// operandStrides[d] is the operand's stride along output batch dim d (0 where
// the operand broadcasts); its last entry is the operand's matrix size.
llvm::Value* batchOffset(KernelContext& ctx, llvm::Value* batchIndex,
                         const std::vector<int64_t>& outBatch,
                         const std::vector<int64_t>& operandStrides) {
  std::vector<int64_t> outStrides = stridesOf(outBatch);
  int64_t matrixSize = operandStrides.back();
  // Common cases first: not broadcast at all, or a single shared matrix.
  bool dense = true, shared = true;
  for (size_t d = 0; d < outBatch.size(); ++d) {
    if (outBatch[d] == 1) continue;
    dense = dense && operandStrides[d] == outStrides[d] * matrixSize;
    shared = shared && operandStrides[d] == 0;
  }
  if (shared) return ctx.i64(0);
  if (dense) return ctx.b.CreateNSWMul(batchIndex, ctx.i64(matrixSize));
  llvm::Value* offset = ctx.i64(0);
  for (size_t d = 0; d < outBatch.size(); ++d) {
    if (operandStrides[d] == 0 || outBatch[d] == 1) continue;
    llvm::Value* idx = ctx.b.CreateUDiv(batchIndex, ctx.i64(outStrides[d]));
    if (d > 0) idx = ctx.b.CreateURem(idx, ctx.i64(outBatch[d]));
    offset = addScaled(ctx, offset, idx, operandStrides[d]);
  }
  return offset;
}

}  // namespace

void emitMatMul(KernelContext& ctx) {
  DType t = ctx.outputDType(0);
  requireLinalgDType(ctx, t, /*allowInt=*/true);
  // 1-D operands become [1, K] / [K, 1]; the dropped output dim does not
  // change the output's element order.
  std::vector<int64_t> a = ctx.inputShape(0), b = ctx.inputShape(1);
  if (a.empty() || b.empty()) ctx.fail("MatMul operands must have rank >= 1");
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  int64_t M = a[a.size() - 2], K = a.back(), N = b.back();
  if (b[b.size() - 2] != K) ctx.fail("contraction dims differ: {} vs {}", K, b[b.size() - 2]);
  size_t nb = std::max(a.size(), b.size()) - 2;
  // Batch dims left-padded to nb, with per-dim matrix strides (0 = broadcast),
  // followed by the matrix size as the last entry.
  auto batchStrides = [nb](const std::vector<int64_t>& s, int64_t matrixSize) {
    std::vector<int64_t> dims(nb - (s.size() - 2), 1);
    dims.insert(dims.end(), s.begin(), s.end() - 2);
    std::vector<int64_t> strides(nb + 1);
    int64_t step = matrixSize;
    for (size_t d = nb; d-- > 0;) {
      strides[d] = dims[d] == 1 ? 0 : step;
      step *= dims[d];
    }
    strides[nb] = matrixSize;
    return std::make_pair(dims, strides);
  };
  auto [aBatch, aStrides] = batchStrides(a, M * K);
  auto [bBatch, bStrides] = batchStrides(b, K * N);
  std::vector<int64_t> outBatch(nb);
  for (size_t d = 0; d < nb; ++d) {
    if (aBatch[d] != bBatch[d] && aBatch[d] != 1 && bBatch[d] != 1)
      ctx.fail("batch dims {} and {} do not broadcast", aBatch[d], bBatch[d]);
    outBatch[d] = aBatch[d] == 1 ? bBatch[d] : aBatch[d];
  }
  int64_t rows = product(outBatch) * M;
  if (rows == 0 || N == 0) return;
  Epilogue epilogue(ctx);
  if (t == DType::F32 && K > 0) {
    // B shared by every batch and A a dense stack: the batch folds into M.
    std::vector<int64_t> outStrides = stridesOf(outBatch);
    bool fold = true;
    for (size_t d = 0; d < nb; ++d)
      fold = fold && (outBatch[d] == 1 || (bStrides[d] == 0 && aStrides[d] == outStrides[d] * M * K));
    GemmProblem p;
    p.batches = fold ? 1 : product(outBatch);
    p.M = fold ? rows : M;
    p.N = N;
    p.K = K;
    p.a = {ctx.input(0), ctx.inputConstant(0), K, 1, nullptr, M * K};
    p.b = {ctx.input(1), ctx.inputConstant(1), N, 1, nullptr, K * N};
    if (!fold) {
      p.a.offset = [&, aBatch = outBatch, s = aStrides](llvm::Value* b) { return batchOffset(ctx, b, aBatch, s); };
      p.b.offset = [&, bBatch = outBatch, s = bStrides](llvm::Value* b) { return batchOffset(ctx, b, bBatch, s); };
    }
    p.c = ctx.output(0);
    if (!epilogue.empty())
      p.epilogue = [&](llvm::Value* v, llvm::Value* i, llvm::Value* m) { return epilogue.apply(v, i, m); };
    emitBlockedGemm(ctx, p);
    return;
  }

  auto body = [&](llvm::Value* row) {
    llvm::Value* batch = M == 1 ? row : ctx.b.CreateUDiv(row, ctx.i64(M));
    llvm::Value* m = M == 1 ? ctx.i64(0) : ctx.b.CreateURem(row, ctx.i64(M));
    llvm::Value* aRow = addScaled(ctx, batchOffset(ctx, batch, outBatch, aStrides), m, K);
    llvm::Value* bMatrix = batchOffset(ctx, batch, outBatch, bStrides);
    llvm::Value* outRow = ctx.b.CreateNSWMul(row, ctx.i64(N));
    if (N == 1) {
      // Matrix-vector: a dot product per row vectorizes better than a 1-wide row.
      llvm::Value* dot = emitDot(ctx, t, aRow, 1, bMatrix, 1, K);
      ctx.store(t, ctx.output(0), outRow, epilogue.apply(dot, outRow, nullptr));
      return;
    }
    zeroRow(ctx, t, outRow, N);
    emitRowTimesMatrix(ctx, t, aRow, 1, nullptr, bMatrix, outRow, K, N);
    applyEpilogueToRow(ctx, epilogue, outRow, N);
  };
  if (rows > 1 && worthParallel(rows * K * N)) ctx.parallelFor(rows, body);
  else ctx.loop(0, rows, body);
}

// Y = alpha * A' * B' + beta * C. transB makes B's rows the columns of B', so
// that case uses a unit-stride dot product per output element instead.
void emitGemm(KernelContext& ctx) {
  DType t = ctx.outputDType(0);
  requireLinalgDType(ctx, t, /*allowInt=*/false);
  std::vector<int64_t> a = ctx.inputShape(0), b = ctx.inputShape(1);
  if (a.size() != 2 || b.size() != 2) ctx.fail("A and B must have rank 2");
  bool transA = ctx.attrs().getInt("transA", 0) != 0;
  bool transB = ctx.attrs().getInt("transB", 0) != 0;
  double alpha = ctx.attrs().getFloat("alpha", 1.0f);
  double beta = ctx.attrs().getFloat("beta", 1.0f);
  int64_t M = transA ? a[1] : a[0], K = transA ? a[0] : a[1];
  int64_t N = transB ? b[0] : b[1];
  if ((transB ? b[1] : b[0]) != K) ctx.fail("contraction dims differ");
  if (M == 0 || N == 0) return;
  // A'[m, k] = A[m * aStrideM + k * aStrideK]
  int64_t aStrideM = transA ? 1 : K, aStrideK = transA ? M : 1;

  // C broadcast to [M, N]: left-pad to rank 2, stride 0 along size-1 dims.
  bool useC = ctx.hasInput(2) && beta != 0.0;
  int64_t cStrideM = 0, cStrideN = 0;
  if (useC) {
    std::vector<int64_t> c = ctx.inputShape(2);
    if (c.size() > 2) ctx.fail("C must have rank <= 2");
    while (c.size() < 2) c.insert(c.begin(), 1);
    if ((c[0] != 1 && c[0] != M) || (c[1] != 1 && c[1] != N))
      ctx.fail("C [{}, {}] does not broadcast to [{}, {}]", c[0], c[1], M, N);
    cStrideN = c[1] == 1 ? 0 : 1;
    cStrideM = c[0] == 1 ? 0 : c[1];
  }
  Epilogue epilogue(ctx);
  if (t == DType::F32 && K > 0) {
    GemmProblem p;
    p.M = M;
    p.N = N;
    p.K = K;
    p.a = {ctx.input(0), ctx.inputConstant(0), aStrideM, aStrideK, nullptr, M * K};
    p.b = {ctx.input(1), ctx.inputConstant(1), transB ? 1 : N, transB ? K : 1, nullptr, K * N};
    p.c = ctx.output(0);
    p.alpha = alpha;
    if (useC) {
      p.bias = ctx.input(2);
      p.biasStrideM = cStrideM;
      p.biasStrideN = cStrideN;
      p.beta = beta;
    }
    if (!epilogue.empty())
      p.epilogue = [&](llvm::Value* v, llvm::Value* i, llvm::Value* m) { return epilogue.apply(v, i, m); };
    emitBlockedGemm(ctx, p);
    return;
  }
  llvm::Value* alphaV = alpha == 1.0 ? nullptr : ctx.constant(t, alpha);

  auto body = [&](llvm::Value* m) {
    llvm::Value* outRow = ctx.b.CreateNSWMul(m, ctx.i64(N));
    llvm::Value* aRow = addScaled(ctx, ctx.i64(0), m, aStrideM);
    // The row starts as beta * C (or 0).
    ctx.loop(0, N, [&](llvm::Value* j) {
      llvm::Value* init = ctx.constant(t, 0);
      if (useC) {
        llvm::Value* ci = addScaled(ctx, addScaled(ctx, ctx.i64(0), m, cStrideM), j, cStrideN);
        init = emitMul(ctx, t, ctx.load(t, ctx.input(2), ci), ctx.constant(t, beta));
      }
      ctx.store(t, ctx.output(0), ctx.b.CreateNSWAdd(outRow, j), init);
    });
    if (!transB) {
      emitRowTimesMatrix(ctx, t, aRow, aStrideK, alphaV, ctx.i64(0), outRow, K, N);
    } else {
      ctx.loop(0, N, [&](llvm::Value* j) {
        llvm::Value* dot = emitDot(ctx, t, aRow, aStrideK, ctx.b.CreateNSWMul(j, ctx.i64(K)), 1, K);
        if (alphaV) dot = emitMul(ctx, t, dot, alphaV);
        llvm::Value* o = ctx.b.CreateNSWAdd(outRow, j);
        ctx.store(t, ctx.output(0), o, emitAdd(ctx, t, ctx.load(t, ctx.output(0), o), dot));
      });
    }
    applyEpilogueToRow(ctx, epilogue, outRow, N);
  };
  if (M > 1 && worthParallel(M * N * K)) ctx.parallelFor(M, body);
  else ctx.loop(0, M, body);
}

}  // namespace kiln::codegen
