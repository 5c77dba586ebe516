// The GEMM microkernel: an MR x NR block of C held in MR x nv vector
// registers while k runs over a K block. Per k it loads nv vectors of the B
// panel and, per row, broadcasts one A element and issues nv FMAs
// (vfmadd231ps with an embedded broadcast on AVX-512).
#pragma once

#include <vector>

#include "codegen/ops/gemm_tiling.h"
#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Where the microkernel reads A: element (i, k) at base[k * kStride + i * rowStride].
// A packed panel has kStride MR and rowStride 1; a row-major A read in place
// (unit column stride, as MLAS does) has kStride 1 and rowStride lda.
struct GemmAPanel {
  llvm::Value* base;
  int64_t kStride, rowStride;
};

// Returns acc[i * nv + v] = sum_{k < kc} A(i, k) * bPanel[k * NR + v * lanes + (0..lanes)]
// for i < rows (<= MR), as <lanes x float> values.
std::vector<llvm::Value*> emitGemmMicrokernel(KernelContext& ctx, const GemmTiling& t, int64_t rows,
                                              llvm::Value* kc, const GemmAPanel& a, llvm::Value* bPanel);

}  // namespace kiln::codegen
