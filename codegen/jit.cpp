#include "codegen/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
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

llvm::orc::JITTargetMachineBuilder machineBuilder(const Target& t, int optLevel) {
  llvm::orc::JITTargetMachineBuilder jtmb{llvm::Triple(t.triple)};
  jtmb.setCPU(t.cpu);
  llvm::SubtargetFeatures features(t.features);
  jtmb.addFeatures(features.getFeatures());
  jtmb.setRelocationModel(llvm::Reloc::PIC_);
  jtmb.setCodeGenOptLevel(codegenOptLevel(optLevel));
  return jtmb;
}
}  // namespace

Jit::Jit(const Target& target, int optLevel, int compileThreads)
    : target_(target), optLevel_(optLevel) {
  jit_ = check(llvm::orc::LLJITBuilder()
                   .setJITTargetMachineBuilder(machineBuilder(target_, optLevel_))
                   .setNumCompileThreads(static_cast<unsigned>(compileThreads))
                   .create(),
               "cannot create LLJIT");
  // Optimize inside the JIT's IR layer so it runs on the compile threads.
  jit_->getIRTransformLayer().setTransform(
      [this](llvm::orc::ThreadSafeModule tsm, const llvm::orc::MaterializationResponsibility&)
          -> llvm::Expected<llvm::orc::ThreadSafeModule> {
        tsm.withModuleDo([this](llvm::Module& m) { optimizeModule(m, target_, optLevel_); });
        return tsm;
      });
  // Kernels may call libm (expf, erff, ...): resolve against this process.
  jit_->getMainJITDylib().addGenerator(
      check(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
                jit_->getDataLayout().getGlobalPrefix()),
            "cannot expose process symbols"));
}

Jit::~Jit() = default;

void Jit::configureModule(llvm::Module& module) const { codegen::configureModule(module, target_); }

std::string Jit::assembly(llvm::Module& module) const { return emitAssembly(module, target_, optLevel_); }

void Jit::addModule(std::unique_ptr<llvm::Module> module,
                    std::unique_ptr<llvm::LLVMContext> context) {
  configureModule(*module);
  codegen::verifyModule(*module);
  llvm::Error err = jit_->addIRModule(
      llvm::orc::ThreadSafeModule(std::move(module), std::move(context)));
  if (err) fail("cannot load compiled module: {}", errorText(std::move(err)));
}

void Jit::addObject(std::string bytes, const std::string& name) {
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(bytes, name);
  if (llvm::Error err = jit_->addObjectFile(std::move(buffer)))
    fail("cannot load compiled object '{}': {}", name, errorText(std::move(err)));
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

}  // namespace kiln::codegen
