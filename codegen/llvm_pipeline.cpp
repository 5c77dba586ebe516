#include "codegen/llvm_pipeline.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>

#include <atomic>
#include <exception>
#include <thread>

#include "ir/error.h"

namespace kiln::codegen {

llvm::CodeGenOptLevel codegenOptLevel(int optLevel) {
  switch (optLevel) {
    case 0: return llvm::CodeGenOptLevel::None;
    case 1: return llvm::CodeGenOptLevel::Less;
    case 2: return llvm::CodeGenOptLevel::Default;
    default: return llvm::CodeGenOptLevel::Aggressive;
  }
}

std::unique_ptr<llvm::TargetMachine> createTargetMachine(const Target& target, int optLevel) {
  std::string error;
  const llvm::Target* t = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (!t) fail("cannot create target machine for '{}': {}", target.triple, error);
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(t->createTargetMachine(
      target.triple, target.cpu, target.features, options, llvm::Reloc::PIC_, std::nullopt,
      codegenOptLevel(optLevel)));
  if (!tm) fail("cannot create target machine for CPU '{}'", target.cpu);
  return tm;
}

void configureModule(llvm::Module& module, const Target& target) {
  module.setDataLayout(createTargetMachine(target, 0)->createDataLayout());
  module.setTargetTriple(target.triple);
}

void optimizeModule(llvm::Module& module, const Target& target, int optLevel) {
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", target.cpu);
    f.addFnAttr("target-features", target.features);
    // Kernels are written with vectors of the target's full width. Some CPUs'
    // tuning (znver4, several Intel cores) prefers 256-bit vectors and would
    // otherwise split every 512-bit operation in two.
    if (target.vectorBits >= 512) {
      f.addFnAttr("min-legal-vector-width", std::to_string(target.vectorBits));
      f.addFnAttr("prefer-vector-width", std::to_string(target.vectorBits));
    }
  }
  if (optLevel == 0) return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(target, optLevel);
  llvm::PassBuilder pb(tm.get(), pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 1   ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

namespace {
std::string emitFile(llvm::Module& module, const Target& target, int optLevel, llvm::CodeGenFileType type) {
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine(target, optLevel);
  module.setDataLayout(tm->createDataLayout());
  module.setTargetTriple(target.triple);
  codegen::verifyModule(module);
  optimizeModule(module, target, optLevel);
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, type)) fail("the target cannot emit this kind of file");
  pm.run(module);
  return std::string(bytes.str());
}
}  // namespace

std::string emitObject(llvm::Module& module, const Target& target, int optLevel) {
  return emitFile(module, target, optLevel, llvm::CodeGenFileType::ObjectFile);
}

std::string emitAssembly(llvm::Module& module, const Target& target, int optLevel) {
  return emitFile(module, target, optLevel, llvm::CodeGenFileType::AssemblyFile);
}

std::vector<std::string> emitObjects(std::vector<ModuleWithContext>& modules, const Target& target,
                                     int optLevel, int threads) {
  std::vector<std::string> objects(modules.size());
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i; !failed && (i = next.fetch_add(1)) < modules.size();) {
      try {
        objects[i] = emitObject(*modules[i].module, target, optLevel);
      } catch (...) {
        if (!failed.exchange(true)) error = std::current_exception();
      }
    }
  };
  size_t n = std::min(modules.size(), static_cast<size_t>(std::max(threads, 1)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return objects;
}

void verifyModule(const llvm::Module& module) {
  std::string report;
  llvm::raw_string_ostream os(report);
  if (llvm::verifyModule(module, &os)) fail("internal error: invalid LLVM IR: {}", os.str());
}

}  // namespace kiln::codegen
