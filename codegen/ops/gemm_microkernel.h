// The GEMM microkernel: an MR x NR block of C held in MR x nv vector
// registers while k runs over a K block. Per k it loads nv vectors of the B
// panel and, per row, broadcasts one A element and issues nv FMAs
// (vfmadd231ps with an embedded broadcast on AVX-512).
#pragma once

#include <vector>

#include "codegen/ops/gemm_tiling.h"
#include "codegen/kernel_context.h"

namespace kiln::codegen {

// Returns acc[i * nv + v] = sum_{k < kc} aPanel[k * MR + i] * bPanel[k * NR + v * lanes + (0..lanes)]
// for i < rows (<= MR), as <lanes x float> values.
std::vector<llvm::Value*> emitGemmMicrokernel(KernelContext& ctx, const GemmTiling& t, int64_t rows,
                                              llvm::Value* kc, llvm::Value* aPanel, llvm::Value* bPanel);

}  // namespace kiln::codegen
