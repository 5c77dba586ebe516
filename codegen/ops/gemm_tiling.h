// Tile and block sizes of the blocked GEMM (gemm.h), chosen from the target's
// vector width and register count and from the problem's static shape.
//
//   NR = nv vectors of `lanes` floats: the microkernel's columns.
//   MR rows: MR x nv accumulators + nv B vectors + 1 spare must fit the
//        register file (AVX-512: 32 zmm -> 14 x 2; AVX2: 16 ymm -> 6 x 2).
//   KC: the K block; an MR x KC A panel and a KC x NR B panel stay in L1.
//   MC: rows per packed A block (L2); taskCols: columns per task (the B block).
#pragma once

#include <cstdint>

#include "codegen/target.h"

namespace kiln::codegen {

struct GemmTiling {
  int64_t lanes = 16, nv = 2, nr = 32, mr = 14;
  int64_t kc = 256, kBlocks = 1;  // K = (kBlocks - 1) * kc + last block
  int64_t mc = 140;
  int64_t taskCols = 256, colTasks = 1;  // multiples of nr
  int64_t taskRows = 0, rowTasks = 1;    // multiples of mr (taskRows >= M when rowTasks == 1)
};

// bConstant: B is packed at compile time (its panels span all of K, so a
// small-M problem can use one K block without a stack buffer for B).
GemmTiling chooseGemmTiling(const Target& target, int64_t batches, int64_t M, int64_t N, int64_t K,
                            bool bConstant);

}  // namespace kiln::codegen
