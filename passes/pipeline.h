// Pass pipelines as text: pass names separated by commas, run in order
// ("canonicalize,cse,dce"), as LLVM's `opt -passes=` takes them. A pass may
// appear more than once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "passes/pass.h"

namespace kiln::passes {

// Throws kiln::Error naming the unknown pass (and listing the known ones) or
// the empty entry. Whitespace around names is ignored; "" is the empty pipeline.
std::vector<const PassInfo*> parsePipeline(std::string_view text);

// The pipeline each -O level runs after shape specialization:
//   -O0  none: one kernel per op, the reference the fused kernels are checked against
//   -O1  cleanups (canonicalize, fold-constants, cse, dce) and epilogue/elementwise fusion
//   -O2, -O3  also fold-batchnorm and the pattern fusions
std::string defaultPipeline(int optLevel);

}  // namespace kiln::passes
