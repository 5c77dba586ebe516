// LLVM's side of compiling a kernel module for a Target: the target machine
// (position-independent code, so one object serves the JIT, the compile cache
// and shared libraries), the new-pass-manager pipeline at O0..O3, and object
// emission. All pass-builder and target-machine calls live here.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>
#include <vector>

#include "codegen/target.h"

namespace kiln::codegen {

// LLVM's instruction-selection level for Kiln's -O0..-O3.
llvm::CodeGenOptLevel codegenOptLevel(int optLevel);

// A fresh target machine (they are not thread-safe: one per thread).
// Throws kiln::Error when LLVM cannot build one for `target`.
std::unique_ptr<llvm::TargetMachine> createTargetMachine(const Target& target, int optLevel);

// Sets the module's triple and data layout for `target`.
void configureModule(llvm::Module& module, const Target& target);

// Tags every function with the target's CPU and features and runs LLVM's
// default O1..O3 pipeline (nothing at O0).
void optimizeModule(llvm::Module& module, const Target& target, int optLevel);

// Verifies, optimizes and compiles the module to a relocatable ELF object.
std::string emitObject(llvm::Module& module, const Target& target, int optLevel);
// The same, to assembly text (AT&T syntax), for tests and `kiln bench --asm`.
std::string emitAssembly(llvm::Module& module, const Target& target, int optLevel);

struct ModuleWithContext {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};

// emitObject for each module, on up to `threads` threads (kernels are
// independent modules, so they compile in parallel). Objects in module order.
std::vector<std::string> emitObjects(std::vector<ModuleWithContext>& modules, const Target& target,
                                     int optLevel, int threads);

// Runs LLVM's module verifier; throws kiln::Error with its report on failure.
void verifyModule(const llvm::Module& module);

}  // namespace kiln::codegen
