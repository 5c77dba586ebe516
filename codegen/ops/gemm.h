// Blocked f32 GEMM in the BLIS/GotoBLAS manner, emitted as LLVM IR into the
// calling kernel:
//
//   C[b][m][n] = epilogue(alpha * sum_k A'[b][m][k] * B'[b][k][n] + beta * bias[m][n])
//
// for b < batches, m < M, n < N. The work is cut into tasks of MR-aligned row
// ranges and NR-aligned column ranges (the kernel's parallelFor). A task
// walks K in blocks of KC; per K block it packs its B columns into NR-wide
// panels and, per MC rows, its A rows into MR-tall panels, then runs the
// MR x NR register-blocked microkernel (gemm_microkernel.h) over the panels.
// An operand known at compile time is packed once, at compile time, into the
// same panel layout (gemm_pack.h) and embedded in the kernel's module.
// Remainder rows use a smaller microkernel; remainder columns use masked
// stores of C (the panels are zero-padded). Tile sizes come from the target's
// vector width and register count (gemm_tiling.h), so AVX-512 and AVX2 paths
// are the same code.
#pragma once

#include <functional>

#include "codegen/kernel_context.h"

namespace kiln::codegen {

// One GEMM operand: logically `rows` x `cols` per batch (A: M x K, B: K x N),
// stored as element [offset(b) + r * rowStride + c * colStride] of `buffer`.
struct GemmOperand {
  llvm::Value* buffer = nullptr;
  const ir::TensorData* constant = nullptr;  // the buffer's contents when known at compile time
  int64_t rowStride = 0, colStride = 0;
  // Element offset of batch b's matrix (i64); null means 0 for every batch.
  // For a constant operand the offset must be a multiple of `matrixElements`.
  std::function<llvm::Value*(llvm::Value* batch)> offset;
  int64_t matrixElements = 0;  // stored elements per matrix (constants: the packing unit)
};

// Output-element hook applied once per output vector after the full sum:
// (vector of lanes, row-major linear index of its first lane in C, lane mask
// or null) -> new vector. The lanes never cross a row of C.
using GemmEpilogue = std::function<llvm::Value*(llvm::Value* vec, llvm::Value* outIndex, llvm::Value* mask)>;

struct GemmProblem {
  int64_t batches = 1, M = 0, N = 0, K = 0;
  GemmOperand a, b;
  llvm::Value* c = nullptr;  // dense [batches][M][N] f32 output
  double alpha = 1.0;
  // Optional beta * bias[m * biasStrideM + n * biasStrideN] (ONNX Gemm's C, a conv bias).
  llvm::Value* bias = nullptr;
  int64_t biasStrideM = 0, biasStrideN = 0;
  double beta = 1.0;
  GemmEpilogue epilogue;
};

// Emits the GEMM; calls ctx.parallelFor once (the kernel must not call it
// again). Requires M, N, K > 0 (K == 0 is handled by the caller as a fill).
void emitBlockedGemm(KernelContext& ctx, const GemmProblem& p);

}  // namespace kiln::codegen
