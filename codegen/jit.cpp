#include "codegen/jit.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/SubtargetFeature.h>

#include "ir/error.h"

namespace kiln::codegen {

namespace {
std::string errorText(llvm::Error err) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << err;
  return os.str();
}

template <typename T>
T check(llvm::Expected<T> v, const char* what) {
  if (!v) fail("{}: {}", what, errorText(v.takeError()));
  return std::move(*v);
}

llvm::CodeGenOptLevel codegenLevel(int optLevel) {
  switch (optLevel) {
    case 0: return llvm::CodeGenOptLevel::None;
    case 1: return llvm::CodeGenOptLevel::Less;
    case 2: return llvm::CodeGenOptLevel::Default;
    default: return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::orc::JITTargetMachineBuilder machineBuilder(const Target& t, int optLevel) {
  llvm::orc::JITTargetMachineBuilder jtmb{llvm::Triple(t.triple)};
  jtmb.setCPU(t.cpu);
  llvm::SubtargetFeatures features(t.features);
  jtmb.addFeatures(features.getFeatures());
  jtmb.setCodeGenOptLevel(codegenLevel(optLevel));
  return jtmb;
}
}  // namespace

Jit::Jit(const Target& target, int optLevel, int compileThreads)
    : target_(target), optLevel_(optLevel) {
  auto jtmb = machineBuilder(target_, optLevel_);
  tm_ = check(jtmb.createTargetMachine(), "cannot create target machine");
  jit_ = check(llvm::orc::LLJITBuilder()
                   .setJITTargetMachineBuilder(std::move(jtmb))
                   .setNumCompileThreads(static_cast<unsigned>(compileThreads))
                   .create(),
               "cannot create LLJIT");
  // Optimize inside the JIT's IR layer so it runs on the compile threads.
  jit_->getIRTransformLayer().setTransform(
      [this](llvm::orc::ThreadSafeModule tsm, const llvm::orc::MaterializationResponsibility&)
          -> llvm::Expected<llvm::orc::ThreadSafeModule> {
        tsm.withModuleDo([this](llvm::Module& m) { optimize(m); });
        return tsm;
      });
  // Kernels may call libm (expf, erff, ...): resolve against this process.
  jit_->getMainJITDylib().addGenerator(
      check(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
                jit_->getDataLayout().getGlobalPrefix()),
            "cannot expose process symbols"));
}

Jit::~Jit() = default;

void Jit::configureModule(llvm::Module& module) const {
  module.setDataLayout(tm_->createDataLayout());
  module.setTargetTriple(target_.triple);
}

void Jit::optimize(llvm::Module& module) const {
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", target_.cpu);
    f.addFnAttr("target-features", target_.features);
    // Kernels are written with vectors of the target's full width. Some CPUs'
    // tuning (znver4, several Intel cores) prefers 256-bit vectors and would
    // otherwise split every 512-bit operation in two.
    if (target_.vectorBits >= 512) {
      f.addFnAttr("min-legal-vector-width", std::to_string(target_.vectorBits));
      f.addFnAttr("prefer-vector-width", std::to_string(target_.vectorBits));
    }
  }
  if (optLevel_ == 0) return;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  // A TargetMachine per call: its subtarget cache is not thread-safe.
  std::unique_ptr<llvm::TargetMachine> tm =
      check(machineBuilder(target_, optLevel_).createTargetMachine(), "cannot create target machine");
  llvm::PassBuilder pb(tm.get(), pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel_ == 1   ? llvm::OptimizationLevel::O1
                                  : optLevel_ == 2 ? llvm::OptimizationLevel::O2
                                                   : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

std::string Jit::assembly(llvm::Module& module) const {
  configureModule(module);
  codegen::verifyModule(module);
  optimize(module);
  std::unique_ptr<llvm::TargetMachine> tm =
      check(machineBuilder(target_, optLevel_).createTargetMachine(), "cannot create target machine");
  llvm::SmallString<0> text;
  llvm::raw_svector_ostream os(text);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
    fail("the target cannot emit assembly");
  pm.run(module);
  return std::string(text.str());
}

void Jit::addModule(std::unique_ptr<llvm::Module> module,
                    std::unique_ptr<llvm::LLVMContext> context) {
  configureModule(*module);
  codegen::verifyModule(*module);
  llvm::Error err = jit_->addIRModule(
      llvm::orc::ThreadSafeModule(std::move(module), std::move(context)));
  if (err) fail("cannot load compiled module: {}", errorText(std::move(err)));
}

void* Jit::lookup(const std::string& symbol) {
  auto addr = check(jit_->lookup(symbol), "cannot find compiled kernel");
  return addr.toPtr<void*>();
}

std::vector<void*> Jit::lookupAll(const std::vector<std::string>& symbols) {
  llvm::orc::SymbolLookupSet set;
  for (const std::string& s : symbols) set.add(jit_->mangleAndIntern(s));
  llvm::orc::JITDylibSearchOrder order = {
      {&jit_->getMainJITDylib(), llvm::orc::JITDylibLookupFlags::MatchAllSymbols}};
  auto found = check(jit_->getExecutionSession().lookup(order, std::move(set)), "cannot compile kernels");
  std::vector<void*> out;
  out.reserve(symbols.size());
  for (const std::string& s : symbols) out.push_back(found.at(jit_->mangleAndIntern(s)).getAddress().template toPtr<void*>());
  return out;
}

void verifyModule(const llvm::Module& module) {
  std::string report;
  llvm::raw_string_ostream os(report);
  if (llvm::verifyModule(module, &os)) fail("internal error: invalid LLVM IR: {}", os.str());
}

}  // namespace kiln::codegen
