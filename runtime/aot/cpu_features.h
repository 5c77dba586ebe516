// The load-time check of an AOT library (or cache entry) against the CPU it
// runs on: the kernels were compiled for an LLVM CPU and feature string, and
// running them on a CPU without one of those instruction-set extensions would
// fault with SIGILL somewhere in the middle of a run.
#pragma once

#include <string>
#include <vector>

namespace kiln::runtime {

// The instruction-set features in an LLVM feature string ("+avx2,+fma,-sse4a")
// that this check knows how to test (x86 vector, bit-manipulation and crypto
// extensions) and that the running CPU lacks.
std::vector<std::string> missingCpuFeatures(const std::string& llvmFeatures);

// Throws kiln::Error naming the target CPU and every missing feature.
void requireCpuFeatures(const std::string& targetCpu, const std::string& llvmFeatures);

}  // namespace kiln::runtime
