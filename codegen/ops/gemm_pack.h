// Packing of GEMM operands into the microkernel's panel layouts (gemm.h):
//   A panel (MR rows):   a[k * MR + i] = A'[row0 + i][k0 + k]
//   B panel (NR cols):   b[k * NR + j] = B'[k0 + k][col0 + j], zero past the last column
// Constant operands are packed here at compile time, every matrix of the
// batch stack in full K, panel after panel; other operands are packed at run
// time, one K block of a task at a time, by the IR these functions emit.
#pragma once

#include "codegen/ops/gemm.h"
#include "codegen/ops/gemm_tiling.h"

namespace kiln::codegen {

// A constant operand in panel layout, embedded in the kernel's module.
struct PackedOperand {
  llvm::Value* base = nullptr;    // the packed array
  int64_t matrixElements = 0;     // packed elements per batch matrix
  int64_t panelElements = 0;      // K * MR (A) or K * NR (B)
};

// rows x cols per matrix is M x K for A (panels of MR rows) and K x N for B
// (panels of NR columns).
PackedOperand packConstantA(KernelContext& ctx, const GemmOperand& a, int64_t M, int64_t K,
                            const GemmTiling& t);
PackedOperand packConstantB(KernelContext& ctx, const GemmOperand& b, int64_t K, int64_t N,
                            const GemmTiling& t);

// Run-time packing of one A panel of `rows` (<= MR) rows starting at row0 and
// one B panel of `cols` (<= NR) columns starting at col0, over K range
// [k0, k0 + kc). `offset` is the batch matrix's element offset in the buffer.
void emitPackAPanel(KernelContext& ctx, const GemmOperand& a, llvm::Value* offset, llvm::Value* row0,
                    int64_t rows, llvm::Value* k0, llvm::Value* kc, llvm::Value* dst, const GemmTiling& t);
void emitPackBPanel(KernelContext& ctx, const GemmOperand& b, llvm::Value* offset, llvm::Value* col0,
                    int64_t cols, llvm::Value* k0, llvm::Value* kc, llvm::Value* dst, const GemmTiling& t);

}  // namespace kiln::codegen
