#include "codegen/target.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/X86TargetParser.h>

#include "ir/error.h"

namespace kiln::codegen {

namespace {
void initLLVMTargets() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)done;
}

bool hasFeature(const std::string& features, const std::string& f) {
  return features.find("+" + f + ",") != std::string::npos ||
         (features.size() >= f.size() + 1 &&
          features.compare(features.size() - f.size() - 1, f.size() + 1, "+" + f) == 0);
}

void deriveVectorFacts(Target& t) {
  if (hasFeature(t.features, "avx512f") && !hasFeature(t.features, "prefer-256-bit")) {
    t.vectorBits = 512;
    t.vectorRegisters = 32;
  } else if (hasFeature(t.features, "avx512f")) {
    t.vectorBits = 256;
    t.vectorRegisters = 32;
  } else if (hasFeature(t.features, "avx") || hasFeature(t.features, "avx2")) {
    // LLVM's CPU tables list only the newest of implied features (avx2, not avx).
    t.vectorBits = 256;
    t.vectorRegisters = 16;
  } else {
    t.vectorBits = 128;
    t.vectorRegisters = 16;
  }
}
}  // namespace

Target Target::host() {
  initLLVMTargets();
  Target t;
  t.triple = llvm::sys::getProcessTriple();
  t.cpu = llvm::sys::getHostCPUName().str();
  std::string features;
  for (const auto& f : llvm::sys::getHostCPUFeatures()) {
    if (!features.empty()) features += ",";
    features += (f.second ? "+" : "-") + f.first().str();
  }
  t.features = features;
  deriveVectorFacts(t);
  return t;
}

Target Target::named(const std::string& cpu, const std::string& extraFeatures) {
  initLLVMTargets();
  Target t;
  t.triple = llvm::sys::getProcessTriple();
  t.cpu = cpu;
  // LLVM knows each CPU's default features; collect them for our own tiling facts.
  llvm::SmallVector<llvm::StringRef, 32> names;
  llvm::X86::fillValidCPUArchList(names, /*Only64Bit=*/true);
  bool known = false;
  for (auto n : names) known = known || n == cpu;
  if (!known) fail("unknown target CPU '{}' (try znver4, skylake-avx512, haswell, x86-64-v3)", cpu);
  llvm::SmallVector<llvm::StringRef, 64> feats;
  llvm::X86::getFeaturesForCPU(cpu, feats, /*NeedPlus=*/true);
  std::string features;
  for (auto f : feats) features += (features.empty() ? "" : ",") + f.str();
  if (!extraFeatures.empty()) features += (features.empty() ? "" : ",") + extraFeatures;
  t.features = features;
  deriveVectorFacts(t);
  return t;
}

}  // namespace kiln::codegen
