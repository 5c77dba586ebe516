// The plan of a compiled model without its code: tensor specs, constants,
// arena size, the kernel launch table (by symbol name) and the target the
// kernels were compiled for. The persistent compile cache
// (codegen/compile_cache.h) stores it next to the kernels' object files, and an
// AOT library (codegen/aot_library.h) embeds it; each binds the symbols to
// code and builds a runtime::CompiledModel.
//
// Encoding: little-endian, versioned (kPlanVersion), every length prefixed.
// decodePlan validates everything it reads — dtypes, shapes, counts, buffer
// references against the constant/input/output counts and the arena size —
// and throws kiln::Error naming `what` on a truncated or inconsistent plan.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "runtime/compiled_model.h"

namespace kiln::runtime {

inline constexpr uint32_t kPlanVersion = 1;

struct ModelPlan {
  CompiledModelParts parts;   // kernels' fn are null and codeOwner is empty
  std::string targetCpu;      // LLVM CPU name, e.g. "znver4"
  std::string targetFeatures;  // LLVM feature string, e.g. "+avx2,+fma,-avx512f"
};

std::string encodePlan(const ModelPlan& plan);
ModelPlan decodePlan(std::span<const uint8_t> bytes, const std::string& what);

}  // namespace kiln::runtime
