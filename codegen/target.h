// The CPU a model is compiled for: LLVM CPU name and feature string, plus the
// facts kernels tile by. Detected from the host (llvm::sys::getHostCPUName and
// host features) or named explicitly (e.g. "znver4", "x86-64-v3").
#pragma once

#include <string>

namespace kiln::codegen {

struct Target {
  std::string triple;
  std::string cpu;       // LLVM CPU name
  std::string features;  // "+avx2,+fma,..." as LLVM's SubtargetFeatures string
  int vectorBits = 128;  // widest usable SIMD register
  int vectorRegisters = 16;

  static Target host();
  // An explicit CPU (and optional extra features); throws kiln::Error for a CPU
  // LLVM does not know.
  static Target named(const std::string& cpu, const std::string& extraFeatures = {});
  int floatLanes() const { return vectorBits / 32; }
};

}  // namespace kiln::codegen
