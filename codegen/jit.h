// A small wrapper over ORC LLJIT: optimizes a module for a Target with LLVM's
// new pass manager (O0..O3) and loads it; lookup() returns function addresses.
// All ORC and pass-builder calls live here.
#pragma once

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

#include "codegen/target.h"

namespace kiln::codegen {

class Jit {
 public:
  // optLevel: 0..3, used for both the IR pipeline and instruction selection.
  Jit(const Target& target, int optLevel);
  ~Jit();

  // Sets the module's data layout/triple, runs the optimization pipeline, then
  // loads it. Throws kiln::Error if LLVM rejects the module.
  void addModule(std::unique_ptr<llvm::Module> module, std::unique_ptr<llvm::LLVMContext> context);
  void* lookup(const std::string& symbol);

  // Prepares a fresh module for this target (triple, data layout).
  void configureModule(llvm::Module& module) const;
  const Target& target() const { return target_; }

 private:
  void optimize(llvm::Module& module);

  Target target_;
  int optLevel_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
};

// Runs LLVM's module verifier; throws kiln::Error with its report on failure.
void verifyModule(const llvm::Module& module);

}  // namespace kiln::codegen
