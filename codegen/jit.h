// A small wrapper over ORC LLJIT: loads relocatable objects (compiled by
// codegen/llvm_pipeline.h, or read back from the compile cache) or IR modules
// it optimizes for a Target (codegen/llvm_pipeline.h) and compiles lazily, on
// `compileThreads` threads when a single lookupAll() asks for symbols of
// several modules. lookup() returns function addresses. All ORC calls live here.
#pragma once

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

#include "codegen/llvm_pipeline.h"
#include "codegen/target.h"

namespace kiln::codegen {

class Jit {
 public:
  // optLevel: 0..3, used for both the IR pipeline and instruction selection.
  // compileThreads: 0 compiles on the calling thread.
  Jit(const Target& target, int optLevel, int compileThreads = 0);
  ~Jit();

  // Sets the module's data layout/triple, verifies it and hands it to the JIT,
  // which optimizes and compiles it when one of its symbols is first looked up.
  // Throws kiln::Error if LLVM rejects the module.
  void addModule(std::unique_ptr<llvm::Module> module, std::unique_ptr<llvm::LLVMContext> context);
  // Links a relocatable object (ELF bytes) into the JIT. `name` labels it in errors.
  void addObject(std::string bytes, const std::string& name);
  void* lookup(const std::string& symbol);
  // Looks up many symbols at once, compiling their modules concurrently.
  std::vector<void*> lookupAll(const std::vector<std::string>& symbols);

  // Prepares a fresh module for this target (triple, data layout).
  void configureModule(llvm::Module& module) const;
  // Optimizes the module as addModule would and returns its assembly text
  // (AT&T syntax), for tests and users checking what the kernels became.
  std::string assembly(llvm::Module& module) const;
  const Target& target() const { return target_; }

 private:
  Target target_;
  int optLevel_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
};

}  // namespace kiln::codegen
